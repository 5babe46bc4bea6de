/**
 * Confab's public JavaScript API (dist/confab.d.ts). The same calls work before and after
 * confab.js has loaded: before, they are queued and replayed.
 */
export type ConfabEventName = 'ready' | 'open' | 'close' | 'message' | 'unread' | 'ended' | 'phase';

export interface ConfabEventDetail {
  ready: Record<string, never>;
  open: Record<string, never>;
  close: Record<string, never>;
  message: { sender: 'visitor' | 'agent' | 'bot' | 'system'; text: string; authorName?: string };
  unread: { count: number };
  ended: { by: 'visitor' | 'agent' | 'timeout' | 'system' };
  phase: { phase: 'closed' | 'prechat' | 'starting' | 'waiting' | 'chatting' | 'ended' | 'postchat' | 'done' | 'offline' };
}

export interface ConfabVisitor {
  name?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  customerId?: string;
  [field: string]: string | undefined;
}

export interface ConfabCard {
  title: string;
  description?: string;
  image?: string;
  url?: string;
}

export type ConfabTheme = 'light' | 'dark' | 'auto' | { theme?: 'light' | 'dark' | 'auto'; color?: string };

/**
 * `Confab(command, …)`. A command may name one widget when several share the page:
 * `Confab('sales:open')`; without a name it goes to every widget.
 */
export interface Confab {
  (command: 'open' | 'close' | 'toggle' | 'destroy'): void;
  (command: 'identify', visitor: ConfabVisitor): void;
  (command: 'send', message: string | { card: ConfabCard }): void;
  (command: 'setLocale', locale: string): void;
  (command: 'setTheme', theme: ConfabTheme): void;
  (command: 'isOpen'): boolean;
  (command: 'unreadCount'): number;
  (command: 'ready'): Promise<void>;
  <E extends ConfabEventName>(command: 'on', event: E, listener: (detail: ConfabEventDetail[E]) => void): () => void;
  <E extends ConfabEventName>(command: 'off', event: E, listener: (detail: ConfabEventDetail[E]) => void): void;
  (command: `${string}:${string}`, ...args: unknown[]): unknown;
}

declare global {
  interface Window {
    Confab: Confab;
  }
  interface WindowEventMap {
    'confab:ready': CustomEvent<{ widget: string }>;
    'confab:open': CustomEvent<{ widget: string }>;
    'confab:close': CustomEvent<{ widget: string }>;
    'confab:message': CustomEvent<ConfabEventDetail['message'] & { widget: string }>;
    'confab:unread': CustomEvent<ConfabEventDetail['unread'] & { widget: string }>;
    'confab:ended': CustomEvent<ConfabEventDetail['ended'] & { widget: string }>;
    'confab:phase': CustomEvent<ConfabEventDetail['phase'] & { widget: string }>;
  }
}

/** npm: `import { mount } from 'confab'`. Options as the data-* attributes, camelCased. */
export function mount(options: { vendor: string } & Record<string, string>, target?: HTMLElement): ((command: string, ...args: unknown[]) => unknown) | null;
