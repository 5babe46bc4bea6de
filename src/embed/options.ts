/**
 * Widget options from `data-*` attributes (script tag) or the query string (embed.html).
 * This runs in the loader, so it stays tiny: one table of what each vendor needs, and one
 * clear console error naming the first missing or invalid attribute.
 */

export interface WidgetOptions {
  vendor: string;
  theme: 'light' | 'dark' | 'auto';
  position: 'right' | 'left';
  color?: string;
  open: boolean;
  /** Every option by camelCased name, as the transport receives it. */
  all: Record<string, string>;
}

/** What a required option must be: a ws(s):// URL, an http(s):// URL, or any text. */
type Check = 'ws' | 'http' | '';

/** What each vendor cannot work without; other options are optional. (Typed per vendor in public-api.ts.) */
export const REQUIRED = {
  whoson: { server: 'ws', domain: '', auth: '', apiKey: '' },
  expertflow: { server: 'http' },
  'expertflow-cx': { server: 'http', serviceIdentifier: '', widgetIdentifier: '' },
  tencent: { sdkAppId: '', userSigUrl: 'http' },
  omnidesk: { relay: 'ws' },
  diyalog: { relay: 'ws', transactionUrl: 'http' },
} satisfies Record<string, Record<string, Check>>;

/** Optional attributes with a fixed set of values; the first is the default. */
const CHOICES = { theme: ['light', 'dark', 'auto'], position: ['right', 'left'] } as const;
const COLOR = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function schemeOk(value: string, check: Check): boolean {
  try {
    return !check || /^(ws|http)s?:$/.exec(new URL(value, location.href).protocol)?.[1] === check;
  } catch {
    return false;
  }
}

/** The validated options, or an error message naming the attribute at fault. */
export function parseOptions(all: Record<string, string>): WidgetOptions | string {
  const vendor = (all.vendor ?? '').toLowerCase();
  const required = (REQUIRED as Record<string, Record<string, Check>>)[vendor];
  if (!required) {
    return `data-vendor is ${vendor ? `"${vendor}", which is not` : 'missing; it must be'} one of ${Object.keys(REQUIRED).join(', ')}.`;
  }
  // The Tencent sandbox talks to a loopback simulator instead of Tencent's SDK.
  const skip = vendor === 'tencent' && all.sandbox ? ['sdkAppId', 'userSigUrl'] : [];
  for (const [name, check] of Object.entries(required)) {
    if (skip.includes(name)) continue;
    const value = all[name];
    if (!value?.trim()) return `data-${kebab(name)} is missing.`;
    if (!schemeOk(value, check)) {
      return `data-${kebab(name)} must be a ${check}:// or ${check}s:// URL, not "${value}".`;
    }
  }
  const pick = <T extends string>(value: string | undefined, allowed: readonly T[]): T =>
    allowed.includes(value as T) ? (value as T) : allowed[0]!;
  return {
    vendor,
    theme: pick(all.theme, CHOICES.theme),
    position: pick(all.position, CHOICES.position),
    color: all.color && COLOR.test(all.color) ? all.color : undefined,
    open: all.open !== undefined && all.open !== 'false',
    all: { ...all, vendor },
  };
}

/** `api-key` or `data-api-key` → `apiKey`, as the browser names dataset entries. */
export const camel = (name: string): string =>
  name.replace(/^data-/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Options from name/value pairs: a query string (embed.html: `?vendor=whoson&api-key=…`)
 * or an element's attributes (`<confab-chat vendor="whoson" api-key="…">`).
 */
export function pairOptions(pairs: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[camel(k)] = v;
  return out;
}

/**
 * One message per optional attribute whose value parseOptions could not use and replaced by
 * its default. An empty value counts as not set (a template's data-color=""). The lazy chunks
 * call this, not the loader: it costs the loader's 3 KB budget nothing, and the error still
 * comes from the one chunk each widget boots.
 */
export function invalidOptions(all: Record<string, string>): string[] {
  const errors: string[] = [];
  for (const [name, allowed] of Object.entries(CHOICES)) {
    const value = all[name];
    if (value && !(allowed as readonly string[]).includes(value)) {
      errors.push(`data-${name} is "${value}", which is not one of ${allowed.join(', ')}; using "${allowed[0]}".`);
    }
  }
  // ExpertFlow finds its server's socket.io generation itself; data-socketio forces one. Named
  // here, with the other optional attributes, so the loader (paid by every page) stays small.
  if (all.socketio !== undefined && all.socketio !== '2' && all.socketio !== '4') {
    errors.push(`data-socketio is "${all.socketio}", which is not 2 or 4; the server's socket.io generation is found by asking it.`);
  }
  if (all.color && !COLOR.test(all.color)) {
    errors.push(`data-color is "${all.color}", which is not a #rgb or #rrggbb colour; using the default colour.`);
  }
  return errors;
}
