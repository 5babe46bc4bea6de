/**
 * A lazy chunk: the public API's less frequent half. `update` / `pageView` (chat-context.ts),
 * `setMessages` (messages-override.ts) and the derived events (`started`, `rated`, …,
 * chat-events.ts). It loads with the vendor's transport (the first open) or on the first of
 * these calls, whichever comes first, so the app chunk stays within its budget.
 */
import { createChatContext } from '../core/chat-context';
import { watchChatEvents } from '../core/chat-events';
import { setMessages } from '../core/messages-override';
import type { Session } from '../core/session-api';
import type { Command, TransportFactory } from '../core/contract';
import type { LoaderHost } from './app-api';
import { dispatchPublic } from './events';
import { applyTheme } from './theme';

/** The public calls this chunk answers (app.ts passes them on in call order). */
export const LAZY_METHODS = ['update', 'pageView', 'setMessages', 'setTheme'] as const;
export type LazyMethod = (typeof LAZY_METHODS)[number];

export type ChatListeners = Map<string, Set<(detail: unknown) => void>>;

export interface ApiExtras {
  /** The transport factory with attributes and page on each start, and commands watched. */
  wrap(factory: TransportFactory): TransportFactory;
  call(method: LazyMethod, args: readonly unknown[], chatRunning: boolean): void;
  stop(): void;
}

export function apiExtras(
  session: Session,
  host: LoaderHost,
  listeners: ChatListeners,
  post: ((name: string, detail: object) => void) | null,
  pageUrl: string,
): ApiExtras {
  const context = createChatContext(pageUrl);
  // The derived events go the same three ways as the session's: listeners, CustomEvents, the frame's host.
  const events = watchChatEvents(session, (name, detail) => {
    dispatchPublic(host.name, name, detail);
    post?.(name, detail);
    for (const fn of listeners.get(name) ?? []) {
      try {
        fn(detail);
      } catch (err) {
        console.warn('[confab] event handler failed', err);
      }
    }
  });
  return {
    wrap: (factory) => context.wrap(factory, (c: Command) => events.command(c)),
    call(method, args, chatRunning) {
      if (method === 'update') context.update(args[0], chatRunning);
      else if (method === 'pageView') context.pageView(args[0] ?? location.href, chatRunning);
      else if (method === 'setTheme') applyTheme(host, args[0]);
      else setMessages(args[0], args[1]);
    },
    stop: events.stop,
  };
}
