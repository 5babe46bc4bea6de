/**
 * Widget options from `data-*` attributes (script tag) or the query string (embed.html).
 * This runs in the loader, so it stays tiny: one table of what each vendor needs, and one
 * clear console error naming the first missing or invalid attribute.
 */

export interface WidgetOptions {
  vendor: string;
  theme: 'light' | 'dark' | 'auto';
  position: 'right' | 'left';
  /** The window's title; empty means the site name the vendor sends, or a default. */
  title: string;
  color?: string;
  open: boolean;
  /** Every option by camelCased name, as the transport receives it. */
  all: Record<string, string>;
}

type Check = 'url:ws' | 'url:http' | 'text';

/** What each vendor cannot work without; other options are optional. */
const REQUIRED: Record<string, Record<string, Check>> = {
  whoson: { server: 'url:ws', domain: 'text', apiKey: 'text' },
  expertflow: { server: 'url:http' },
  tencent: { sdkAppId: 'text', userSigUrl: 'url:http' },
  omnidesk: { relay: 'url:ws' },
  diyalog: { relay: 'url:ws', transactionUrl: 'url:http' },
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function schemeOk(value: string, check: Check): boolean {
  if (check === 'text') return value.trim() !== '';
  try {
    const { protocol } = new URL(value, location.href);
    return check === 'url:ws' ? /^wss?:$/.test(protocol) : /^https?:$/.test(protocol);
  } catch {
    return false;
  }
}

/** The validated options, or an error message naming the attribute at fault. */
export function parseOptions(all: Record<string, string>): WidgetOptions | string {
  const vendor = (all.vendor ?? '').toLowerCase();
  const required = REQUIRED[vendor];
  if (!required) {
    return `data-vendor is ${vendor ? `"${vendor}", which is not` : 'missing; it must be'} one of ${Object.keys(REQUIRED).join(', ')}.`;
  }
  // The Tencent sandbox talks to a loopback simulator instead of Tencent's SDK.
  const skip = vendor === 'tencent' && all.sandbox ? ['sdkAppId', 'userSigUrl'] : [];
  for (const [name, check] of Object.entries(required)) {
    if (skip.includes(name)) continue;
    const value = all[name];
    if (value === undefined || value.trim() === '') return `data-${kebab(name)} is missing (${vendor} needs it).`;
    if (!schemeOk(value, check)) {
      return `data-${kebab(name)} must be a ${check === 'url:ws' ? 'ws:// or wss://' : 'http:// or https://'} URL, not "${value}".`;
    }
  }
  const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
    allowed.includes(value as T) ? (value as T) : fallback;
  const color = all.color && /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(all.color) ? all.color : undefined;
  return {
    vendor,
    theme: pick(all.theme, ['light', 'dark', 'auto'] as const, 'light'),
    position: pick(all.position, ['right', 'left'] as const, 'right'),
    title: all.title ?? '',
    color,
    open: all.open !== undefined && all.open !== 'false',
    all: { ...all, vendor },
  };
}

/** Options from a script tag's dataset (already camelCased by the browser). */
export function datasetOptions(el: HTMLElement): Record<string, string> {
  return { ...el.dataset } as Record<string, string>;
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
