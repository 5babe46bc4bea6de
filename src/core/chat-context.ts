/**
 * What the site tells the agent beside the chat itself: custom attributes (`update`) and the
 * page the visitor is on (`pageView`, for single-page apps). Both travel through the vendor's
 * own channel when a chat starts (the `start` command's `attributes`, the transport options'
 * `pageUrl`): no vendor has a way to change a running chat's details, so what changes during a
 * chat goes with the next one, and the widget says so once on the console.
 */
import type { Command, TransportFactory, TransportOptions } from './contract';

/** Bounds: a site's attributes are a handful of short facts, not a data store. */
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_CHARS = 1000;
const NAME = /^[A-Za-z_][\w.-]{0,63}$/;

export type Attributes = Readonly<Record<string, string>>;

/**
 * `previous` with `input` merged in: strings, finite numbers and booleans are kept as text
 * (cut to MAX_ATTRIBUTE_CHARS), `null` removes a name. Anything else is refused with one
 * message naming what was wrong; the rest still counts.
 */
export function mergeAttributes(previous: Attributes, input: unknown): { attributes: Attributes; problems: string[] } {
  const next: Record<string, string> = { ...previous };
  const problems: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { attributes: next, problems: ['update takes an object of attributes.'] };
  for (const [name, value] of Object.entries(input)) {
    if (!NAME.test(name)) problems.push(`attribute name "${name.slice(0, 64)}" must be a letter or _ then up to 63 letters, digits, _ . -.`);
    else if (value === null) delete next[name];
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      if (!(name in next) && Object.keys(next).length >= MAX_ATTRIBUTES) problems.push(`at most ${MAX_ATTRIBUTES} attributes; "${name}" was dropped.`);
      else next[name] = String(value).slice(0, MAX_ATTRIBUTE_CHARS);
    } else problems.push(`attribute "${name}" must be a string, number, boolean or null.`);
  }
  return { attributes: next, problems };
}

export interface ChatContext {
  readonly attributes: Attributes;
  readonly pageUrl: string;
  /** Merges attributes; returns the problems (already logged). */
  update(input: unknown, chatRunning: boolean): string[];
  /** Records the page; false (and a console error) for a URL that is not http(s). */
  pageView(url: unknown, chatRunning: boolean): boolean;
  /**
   * The transport factory, with every `start` carrying the attributes and the current page;
   * `observe` sees each command on its way (chat-events.ts).
   */
  wrap(factory: TransportFactory, observe?: (command: Command) => void): TransportFactory;
}

export function createChatContext(initialPage: string, log: Pick<Console, 'error' | 'info'> = console): ChatContext {
  let attributes: Attributes = {};
  let page = initialPage;
  /** The options the live transport was made with: `pageUrl` is read from them when it starts. */
  let live: TransportOptions | null = null;
  const later = (what: string) =>
    log.info(`Confab: ${what} reaches the agent when the next chat starts: the chat service has no way to change a running chat.`);
  return {
    get attributes() {
      return attributes;
    },
    get pageUrl() {
      return page;
    },
    update(input, chatRunning) {
      const merged = mergeAttributes(attributes, input);
      attributes = merged.attributes;
      for (const p of merged.problems) log.error(`Confab: ${p}`);
      if (chatRunning) later('update()');
      return merged.problems;
    },
    pageView(url, chatRunning) {
      let href: string;
      try {
        href = new URL(String(url ?? ''), page).href;
      } catch {
        href = '';
      }
      if (!/^https?:/.test(href)) {
        log.error('Confab: pageView takes an http(s) URL (or a path on this site).');
        return false;
      }
      page = href;
      if (live) live.pageUrl = href;
      if (chatRunning) later('pageView()');
      return true;
    },
    wrap(factory, observe) {
      return (options) => {
        live = options;
        options.pageUrl = page;
        const transport = factory(options);
        const send = transport.send.bind(transport);
        transport.send = (command) => {
          observe?.(command);
          send(command.type === 'start' && Object.keys(attributes).length ? { ...command, attributes: { ...attributes } } : command);
        };
        return transport;
      };
    },
  };
}
