/**
 * The package's public types (types only: nothing here runs). The build bundles them into
 * dist/npm/index.d.ts and dist/confab.d.ts from the source (scripts/types.mjs), so what the
 * code accepts is what the types say:
 * - the options are a union per vendor, its required options from options.ts' REQUIRED table
 *   (a misspelt vendor or a missing required option is a type error), booleans as booleans;
 * - the calls are app-api.ts' API_METHODS (a new method appears here by itself, with untyped
 *   arguments until it is given a signature in ConfabCommandSignatures below);
 * - the events are the session's SessionEventMap, plus `ready`.
 */
import type { Card, VisitorInfo } from '../core/contract';
import type { SessionEventMap } from '../core/session-api';
import type { ApiMethod } from './app-api';
import type { REQUIRED } from './options';

export type ConfabVendor = keyof typeof REQUIRED;
export type ConfabThemeName = 'light' | 'dark' | 'auto';

/** Options every vendor takes (README "Options"); the data-* attributes, camelCased. */
export interface ConfabCommonOptions {
  /** The visitor's language (`en`, `de-CH`, …); the browser's by default. */
  locale?: string;
  theme?: ConfabThemeName;
  /** Brand colour, `#rgb` or `#rrggbb`. */
  color?: string;
  position?: 'right' | 'left';
  title?: string;
  /** Open the window at load. */
  open?: boolean;
  launcherLabel?: string;
  logo?: string;
  consent?: 'required';
  consentText?: string;
  privacyUrl?: string;
  /** A short chime for new messages while the window is closed or the page hidden. */
  sound?: boolean;
  /** The widget's name when several share a page: `Confab('<name>:open')`. */
  name?: string;
  /** `iframe` needs the CDN build (embed.html beside confab.js). */
  mode?: 'iframe';
  /** `none`: no launcher; the page opens the chat from its own button. */
  launcher?: 'none';
  /** A CSP nonce for the launcher's one <style>. */
  nonce?: string;
}

/** Each vendor's own optional options (README, per vendor). */
interface VendorExtras {
  whoson: { department?: string; uploadUrl?: string };
  expertflow: { channel?: string; subject?: string; prechat?: string; subjects?: string; socketio?: '2' | '4' };
  'expertflow-cx': { ccmUrl?: string; fileServerUrl?: string; identifierField?: string; queue?: string };
  tencent: { to?: string; sandbox?: string };
  omnidesk: Record<never, never>;
  diyalog: { helpType?: 'chat' | 'video_call' | 'voice_call'; waitText?: string; customerId?: string; customerName?: string };
}

/** The options of one vendor: `vendor` picks which are required. */
export type ConfabVendorOptions<V extends ConfabVendor> = { vendor: V } & { [K in keyof (typeof REQUIRED)[V]]: string } & VendorExtras[V] &
  ConfabCommonOptions;

/** mount()'s options: a union over the vendors, discriminated by `vendor`. */
export type ConfabOptions = { [V in ConfabVendor]: ConfabVendorOptions<V> }[ConfabVendor];

export type ConfabTheme = ConfabThemeName | { theme?: ConfabThemeName; color?: string };

/** The public events' details (`Confab('on', name, fn)`, and window `confab:<name>` CustomEvents). */
export type ConfabEvents = {
  [K in keyof SessionEventMap]: SessionEventMap[K] extends undefined ? Record<string, never> : SessionEventMap[K];
} & { ready: Record<string, never> };
export type ConfabEventName = keyof ConfabEvents & string;

/** The calls whose arguments are known; any other API method takes unknown arguments. */
interface ConfabCommandSignatures {
  open(): void;
  close(): void;
  toggle(): void;
  destroy(): void;
  identify(visitor: VisitorInfo): void;
  send(message: string | { card: Card }): void;
  setLocale(locale: string): void;
  setTheme(theme: ConfabTheme): void;
  isOpen(): boolean;
  unreadCount(): number;
  ready(): Promise<void>;
}
type Method = Exclude<ApiMethod, 'on' | 'off'>;
export type ConfabCommands = {
  [M in Method]: M extends keyof ConfabCommandSignatures ? ConfabCommandSignatures[M] : (...args: unknown[]) => unknown;
};
type Args<M extends Method> = Parameters<ConfabCommands[M]>;
type Result<M extends Method> = ReturnType<ConfabCommands[M]>;
type Listener<E extends ConfabEventName> = (detail: ConfabEvents[E]) => void;

/** One widget's API: what mount() returns (and useConfab() in the React and Vue components). */
export interface ConfabHandle {
  <E extends ConfabEventName>(command: 'on', event: E, listener: Listener<E>): () => void;
  <E extends ConfabEventName>(command: 'off', event: E, listener: Listener<E>): void;
  <M extends Method>(command: M, ...args: Args<M>): Result<M>;
}

/**
 * The page's `Confab(...)`: every widget, or one by name (`Confab('sales:open')`). The same
 * calls work before and after confab.js has loaded: before, they are queued and replayed.
 */
export interface ConfabGlobal extends ConfabHandle {
  <E extends ConfabEventName>(command: `${string}:on`, event: E, listener: Listener<E>): () => void;
  <E extends ConfabEventName>(command: `${string}:off`, event: E, listener: Listener<E>): void;
  <M extends Method>(command: `${string}:${M}`, ...args: Args<M>): Result<M>;
}

type WindowEvents = { [E in ConfabEventName as `confab:${E}`]: CustomEvent<ConfabEvents[E] & { widget: string }> };

declare global {
  interface Window {
    Confab: ConfabGlobal;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface WindowEventMap extends WindowEvents {}
}
