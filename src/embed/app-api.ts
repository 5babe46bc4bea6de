/**
 * The contract between the tiny loader (dist/confab.js, runs in the host page at once)
 * and the chunks it lazy-loads: the app itself, or (data-mode="iframe") the frame host
 * that runs the app inside an iframe. Types and constants only.
 */
import type { WidgetOptions } from './options';

export interface LoaderHost {
  /** The widget's open shadow root; the app injects its CSS here. */
  root: ShadowRoot;
  /** The launcher the loader painted; the app only updates its label and badge. */
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  /** Where the app renders the chat window. */
  container: HTMLElement;
  options: WidgetOptions;
  /** embed.html: the widget fills its page (iframe), open, without a launcher. */
  fullPage: boolean;
  /** Where storage keys for this widget start (one widget per vendor + server). */
  storageKey: string;
  /** The URL confab.js was loaded from: chunks and embed.html live beside it. */
  base: string;
  /** The widget's name (data-name, else the vendor): `Confab('<name>:open')`. */
  name: string;
  /** Resolves the promise `Confab('ready')` returned before the app loaded. */
  ready(): void;
}

/** What a booted chunk gives back to the loader: it handles every public API call from then on. */
export interface AppHandle {
  call(method: string, args: readonly unknown[]): unknown;
}

export interface AppModule {
  /** The app boots in slices that yield to input (a promise); the frame host at once. */
  boot(host: LoaderHost): AppHandle | Promise<AppHandle>;
}

/** The public API's methods; anything else is refused with a console error. */
export const API_METHODS = [
  'open',
  'close',
  'toggle',
  'identify',
  'send',
  'on',
  'off',
  'setLocale',
  'setTheme',
  'isOpen',
  'unreadCount',
  'ready',
  'destroy',
  'update',
  'reset',
  'show',
  'hide',
  'pageView',
  'setMessages',
] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Messages between the host page and the widget's iframe (data-mode="iframe"). */
export type FrameMessage =
  | { confab: 'ready' }
  | { confab: 'call'; method: string; args: unknown[] }
  | {
      confab: 'state';
      open: boolean;
      unread: number;
      /** The launcher's names and unread description, in the visitor's language (the guest's i18n). */
      openLabel?: string;
      closeLabel?: string;
      unreadLabel?: string;
    }
  | { confab: 'event'; name: string; detail: unknown }
  /** The launcher's preview card (issue 25 item 14): the newest unread agent line; '' hides it. */
  | { confab: 'preview'; who: string; text: string }
  | { confab: 'minimise' };

/** The launcher's icon while the window is open: a cross, since a click closes it. */
export const CLOSE_ICON = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z';
