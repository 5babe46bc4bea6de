/**
 * What every transport shares besides the delivery ledger (delivery.ts): the way events go to
 * the session, the way a transport talks to the console, the agent's typing indicator, and the
 * queue that holds commands until the vendor's connection can take them. Imported by
 * transports only, so it lands in their shared chunk (with delivery.ts), not in the app chunk.
 *
 * - `emit` stamps each event with the transport's clock, and says nothing once closed (a
 *   socket's late callback after `close` must not reach a session that moved on).
 * - `log` is the one console voice: every line starts `[confab] <vendor>:`.
 * - `badFrame`: a frame or payload the transport cannot read is one non-fatal `bad-frame`
 *   error event each time, but only the first MAX_WARNINGS reach the console as well: a flood
 *   of garbage must not flood the page's log too. `logCapped` is the console half alone (for
 *   decoders that already turned the frame into an `error` event).
 * - `typing`: the agent's typing indicator. A vendor whose protocol has no "stopped typing"
 *   declares how long an indicator lasts (`agentTypingMs`); the kit turns it off after that
 *   long without a new signal. `typing(false)` (the agent's line arrived, the chat ended)
 *   ends it at once; an indicator already on or off is not announced twice.
 */
import { stamp, realClock, type Clock, type ConfabEventBody, type EventSink } from './contract';
import { t } from './i18n';

/** Console lines about unreadable frames per transport; the events themselves are not capped. */
export const MAX_WARNINGS = 10;

export interface KitOptions {
  /** The name in every log line: `[confab] <vendor>: …`. */
  vendor: string;
  clock?: Clock | undefined;
  /**
   * The vendor sends no "typing stopped": its agent-typing indicator lasts this long after the
   * last typing signal. Absent: the vendor says when typing stops (the session still times a
   * forgotten indicator out).
   */
  agentTypingMs?: number;
}

export interface TransportKit {
  readonly clock: Clock;
  /** Where events go from now on; emitting starts (again). */
  connect(sink: EventSink): void;
  emit(body: ConfabEventBody): void;
  /** A console warning, `[confab] <vendor>: <message>`, and what it is about. */
  log(message: string, ...details: unknown[]): void;
  /** A console warning about something unreadable, only the first MAX_WARNINGS times. */
  logCapped(message: string, ...details: unknown[]): void;
  /** Something unreadable from the server: a non-fatal `bad-frame` error (and a capped log line). */
  badFrame(what: string, raw?: unknown): void;
  /** The agent's typing indicator (see the top of this file). */
  typing(on: boolean): void;
  /** No event after this (until the next `connect`); the typing timer stops. */
  close(): void;
  readonly closed: boolean;
}

export function createKit(o: KitOptions): TransportKit {
  const clock = o.clock ?? realClock;
  const prefix = `[confab] ${o.vendor}:`;
  let sink: EventSink = () => undefined;
  let closed = false;
  let warnings = 0;
  let typingOn = false;
  let typingTimer: unknown;

  const kit: TransportKit = {
    clock,
    get closed() {
      return closed;
    },
    connect(s) {
      sink = s;
      closed = false;
    },
    emit(body) {
      if (!closed) sink(stamp(body, clock));
    },
    log: (message, ...details) => console.warn(`${prefix} ${message}`, ...details),
    logCapped(message, ...details) {
      if (++warnings <= MAX_WARNINGS) kit.log(message, ...details);
    },
    badFrame(what, raw) {
      kit.logCapped(`unreadable ${what} from the chat server`, ...(raw === undefined ? [] : [raw]));
      kit.emit({ type: 'error', code: 'bad-frame', message: t('transport.badFrame'), fatal: false });
    },
    typing(on) {
      clock.clearTimeout(typingTimer);
      typingTimer = on && o.agentTypingMs ? clock.setTimeout(() => kit.typing(false), o.agentTypingMs) : undefined;
      if (on === typingOn) return;
      typingOn = on;
      kit.emit({ type: 'typing', on });
    },
    close() {
      closed = true;
      clock.clearTimeout(typingTimer);
      typingTimer = undefined;
      typingOn = false;
    },
  };
  return kit;
}

/**
 * Commands that wait until the vendor's connection can take them (an SDK not ready yet, a
 * socket not yet welcomed), then go out in order. `open` runs what waited; `shut` makes new
 * commands wait again; `drop` removes waiting ones a later event made moot.
 */
export interface ReadyQueue<T> {
  readonly ready: boolean;
  /** Runs the command now when ready, else keeps it for `open`. */
  submit(item: T): void;
  open(): void;
  shut(): void;
  /** Keeps only the waiting commands `keep` accepts (no argument: drops them all). */
  drop(keep?: (item: T) => boolean): void;
}

export function createReadyQueue<T>(run: (item: T) => void): ReadyQueue<T> {
  let waiting: T[] = [];
  let ready = false;
  return {
    get ready() {
      return ready;
    },
    submit(item) {
      if (ready) run(item);
      else waiting.push(item);
    },
    open() {
      ready = true;
      const queued = waiting;
      waiting = [];
      // A command run may shut the queue again (a connection lost meanwhile): the rest wait.
      for (let i = 0; i < queued.length; i++) {
        if (!ready) {
          waiting = [...queued.slice(i), ...waiting];
          return;
        }
        run(queued[i] as T);
      }
    },
    shut() {
      ready = false;
    },
    drop(keep) {
      waiting = keep ? waiting.filter(keep) : [];
    },
  };
}
