/**
 * The one reconnect policy every self-reconnecting transport uses: exponential backoff with
 * full jitter (a crowd of widgets dropped by the same outage must not come back in step),
 * capped at 30 s between tries, and no attempt limit — a visitor with the chat open expects
 * it to come back whenever the network does. A pending try runs at once when the browser
 * says the network is back (`online`) or the tab is visible again (a sleeping laptop's
 * timers are frozen or throttled; waking is exactly when the visitor looks at the chat).
 */
import { realClock, type Clock } from './contract';

export const MAX_RECONNECT_DELAY_MS = 30_000;

/** The wait before try `attempt` (1-based): uniform in [0, min(cap, base·2^(attempt−1))). */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return random() * Math.min(MAX_RECONNECT_DELAY_MS, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
}

/** Where `online` / `visibilitychange` come from (the page's window and document by default). */
export interface WakeSources {
  window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState?: string };
}

/**
 * Call `fn` when the network comes back or the tab becomes visible. Returns the unsubscribe.
 * For transports whose library schedules its own retries (socket.io) but not on these.
 */
export function onWake(fn: () => void, wake?: WakeSources): () => void {
  const g = globalThis as { window?: WakeSources['window']; document?: WakeSources['document'] };
  const win = wake ? wake.window : g.window;
  const doc = wake ? wake.document : g.document;
  const onVisibility = (): void => {
    if (doc?.visibilityState !== 'hidden') fn();
  };
  win?.addEventListener('online', fn);
  doc?.addEventListener('visibilitychange', onVisibility);
  return () => {
    win?.removeEventListener('online', fn);
    doc?.removeEventListener('visibilitychange', onVisibility);
  };
}

export interface ReconnectOptions {
  /** Open a new connection (called from a timer or a wake event, never re-entrantly). */
  run(): void;
  clock?: Clock;
  baseMs?: number;
  random?: () => number;
  wake?: WakeSources;
}

export interface Reconnector {
  /** The connection dropped: schedule the next try. Returns its attempt number (1-based). */
  schedule(): number;
  /** Connected: the next drop starts again from the base delay. */
  reset(): void;
  /** A try is scheduled and has not run yet. */
  readonly pending: boolean;
  /** Cancel any pending try and stop listening (the chat was closed). */
  stop(): void;
}

export function createReconnector(o: ReconnectOptions): Reconnector {
  const clock = o.clock ?? realClock;
  let attempt = 0;
  let timer: unknown;
  let pending = false;
  let unlisten: (() => void) | null = null;

  const fire = (): void => {
    if (!pending) return;
    pending = false;
    clock.clearTimeout(timer);
    o.run();
  };

  return {
    schedule() {
      attempt++;
      clock.clearTimeout(timer);
      pending = true;
      unlisten ??= onWake(fire, o.wake);
      timer = clock.setTimeout(fire, backoffDelay(attempt, o.baseMs ?? 1000, o.random));
      return attempt;
    },
    reset() {
      attempt = 0;
    },
    get pending() {
      return pending;
    },
    stop() {
      pending = false;
      clock.clearTimeout(timer);
      unlisten?.();
      unlisten = null;
    },
  };
}
