/**
 * What every component needs besides its own props: the session, the locale (for times)
 * and the announcer that feeds the one live region. Provided once by the window.
 */
import type { Signal } from '@preact/signals-core';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from '../core/session-api';
// Every component reads signals through this context: @preact/signals' Preact integration
// (imported here once) makes each component re-render exactly when a signal it read changes.
import '@preact/signals';

export interface UiContext {
  session: Session;
  locale: string;
  /** Queue a polite screen-reader announcement (the one live region reads it once). */
  announce(text: string): void;
  /** Adds a split-off view's CSS to the widget's shadow root, once, after the window's own. */
  addStyles?(css: string): void;
  /** The visitor's "Notify me of new messages" choice (absent: no toggle). */
  notify?: Signal<boolean>;
  /** data-offline-url: the site's contact page, offered when nobody is available and the vendor has no other way. */
  offlineUrl?: string;
  /** Every data-* option: the first screen reads the site's data-greeting and data-reply-time (first-screen.tsx). */
  site?: Readonly<Record<string, string>>;
  /** The window's title (data-title, else the vendor's site name). */
  title?(): string;
}

export const Ui = createContext<UiContext | null>(null);

export function useUi(): UiContext {
  const ui = useContext(Ui);
  if (!ui) throw new Error('Confab UI component rendered outside <Ui.Provider>');
  return ui;
}
