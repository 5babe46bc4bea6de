/**
 * The contract between the tiny loader (dist/confab.js, runs in the host page at once)
 * and the app chunk it lazy-loads. Types only, so the loader pays nothing for it.
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
  /** Where sessionStorage keys for this widget start (one widget per vendor + server). */
  storageKey: string;
}

/** What the app chunk gives back to the loader: it handles every public API call from then on. */
export interface AppHandle {
  call(method: string, args: readonly unknown[]): unknown;
}

export interface AppModule {
  boot(host: LoaderHost): AppHandle;
}

/** The public API's methods; anything else is refused with a console error. */
export const API_METHODS = ['open', 'close', 'toggle', 'identify', 'send', 'on', 'off', 'destroy'] as const;
export type ApiMethod = (typeof API_METHODS)[number];
