/**
 * The browser side of Confab's relay (src/server/relay): one WebSocket per visitor session
 * carrying normalized commands up and numbered events down (protocol.ts). It knows no vendor:
 * `data-vendor` is passed through and the relay's adapter does the rest.
 *
 * Reconnects forever while open (core/backoff.ts: full jitter, capped at 30 s, at once on
 * `online` / the tab becoming visible), and
 * resumes with the session token and the last event seq it handled, so events the relay held
 * while we were away arrive once and in order. Commands issued while disconnected wait in a
 * queue (typing signals are dropped: stale ones mislead the agent). A connection that goes
 * silent without closing (a stalled proxy, a sleeping NAT) is noticed by a ping after
 * PING_IDLE_MS of silence that gets no answer within PONG_WAIT_MS: within ~25 s.
 *
 * Two ways the transport stops reconnecting on purpose and waits for the visitor instead:
 * - The relay forgot a chat that had begun (`session-unknown` / `bad-token` on resume: a
 *   restarted single-instance relay, an expired session, a rotated signing key). Opening a
 *   new relay session quietly would leave the visitor "chatting" into a session with no chat,
 *   so the chat ends (`ended` by system, "could not be resumed"), which fails the lines not yet
 *   delivered and offers "Start a new chat". Nothing reconnects until the core sends a
 *   command that needs the relay again (a start, a leave-message…): that one opens a fresh
 *   session. A restart thus costs the relay no burst of orphan sessions. Before any start the
 *   chat has nothing to lose, so a fresh session is opened at once, as before.
 * - Another tab took the session over (close 4409: Chrome's "Duplicate tab" copies
 *   sessionStorage, so two pages hold one token). Reconnecting at once would take it back and
 *   the two tabs would evict each other forever, so this tab reports `kicked` (not fatal: the
 *   chat is not over) and reconnects only when the visitor acts here: the tab gains focus or
 *   becomes visible, a key or pointer goes down in it, or a command is sent.
 */
import { createReconnector, type WakeSources } from '../../core/backoff';
import {
  type Capability,
  type Command,
  type Json,
  type Transport,
  type TransportOptions,
} from '../../core/contract';
import { t, type MessageKey } from '../../core/i18n';
import { createKit, createReadyQueue } from '../../core/transport-kit';
import { guardEvent } from './event-guard';
import { CLOSE_FATAL, CLOSE_REPLACED, type ClientFrame, type ServerFrame, type WireCommand } from '../../protocol/relay';

/**
 * The relay speaks English; what it says to the visitor is said again in the visitor's
 * language here, by code. A code not listed (a vendor's own error, like Diyalog's start
 * failure with its code and message) keeps the relay's words.
 */
const SAID_AS: Readonly<Record<string, MessageKey>> = {
  'bad-frame': 'transport.badFrame',
  upstream: 'transport.notConnected',
  unreachable: 'transport.notConnected',
  'send-failed': 'error.sendFailed',
  conflict: 'error.sendFailed',
  'file-read': 'transport.uploadFailed',
  'file-type': 'transport.uploadFailed',
  'file-too-large': 'transport.uploadFailed',
  'not-started': 'error.notAllowed',
  'not-chatting': 'error.notAllowed',
  'already-started': 'error.notAllowed',
  'bad-command': 'error.notAllowed',
  unsupported: 'transport.unsupported',
  'rate-limited': 'error.rateLimited',
  'events-lost': 'error.eventsLost',
};
const inVisitorsLanguage = (code: string, message: string): string => {
  const key = Object.prototype.hasOwnProperty.call(SAID_AS, code) ? SAID_AS[code] : undefined;
  return key ? t(key) : message;
};

/** The part of the WebSocket constructor we use: the browser's, or `ws` in Node tests. */
export type WebSocketLike = {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
};
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** What we ask the core to persist: enough to resume after a page navigation. */
interface ResumeState {
  token: string;
  seq: number;
}

/** Until the relay's welcome says otherwise: what every relay adapter offers. */
const DEFAULT_CAPABILITIES: Capability[] = ['prechat', 'typing', 'end', 'leave-message', 'resume'];
const PING_IDLE_MS = 15_000;
const PONG_WAIT_MS = 10_000;

function readResume(raw: Json | undefined): ResumeState | null {
  const r = raw as { token?: unknown; seq?: unknown } | null | undefined;
  return r && typeof r.token === 'string' && typeof r.seq === 'number' ? { token: r.token, seq: r.seq } : null;
}

async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Visitor actions that let a tab whose session another tab took over reconnect. */
const VISITOR_ACTIONS = ['pointerdown', 'keydown'] as const;

/** Commands the core sends on its own (not on the visitor's request): they never wake a lost chat. */
const AMBIENT: ReadonlySet<Command['type']> = new Set<Command['type']>(['typing', 'preview', 'window']);

export function createRelayTransport(
  o: TransportOptions,
  /** `wake`: where focus, visibility and input events come from (the page's window and document by default). */
  deps: { WebSocket?: WebSocketCtor; random?: () => number; wake?: WakeSources } = {},
): Transport {
  const kit = createKit({ vendor: 'relay', clock: o.clock });
  const { clock, emit } = kit;
  const random = deps.random ?? Math.random;
  const capabilities = new Set<Capability>(DEFAULT_CAPABILITIES);
  let ws: WebSocketLike | null = null;
  let liveTimer: unknown = null;
  let ackTimer: unknown = null;
  let resume = readResume(o.resume);
  let maxFileBytes = Infinity;
  let chain: Promise<void> = Promise.resolve();
  /**
   * A chat has begun on the relay session we hold: a start went out on it, or the core gave us
   * a relay token to resume (it does so only while a chat is starting, waiting or chatting).
   */
  let begun = resume !== null;
  /** Not connected on purpose until the visitor acts (see the top of this file). */
  let dormant: 'lost' | 'replaced' | null = null;
  let stopListening: (() => void) | null = null;

  /** A non-fatal error event (the chat goes on). */
  const error = (code: string, message: string, clientId?: string) =>
    emit({ type: 'error', code, message: inVisitorsLanguage(code, message), fatal: false, ...(clientId ? { clientId } : {}) });
  const frame = (f: ClientFrame) => ws?.send(JSON.stringify(f));
  const put = (c: WireCommand) => {
    if (c.type === 'start') begun = true;
    frame({ type: 'command', command: c });
  };
  /** Commands wait here while the relay has not welcomed this socket (typing signals are dropped). */
  const queue = createReadyQueue(put);

  function url(): string | null {
    const base = o.options.relay ?? '';
    return /^wss?:\/\//i.test(base) ? `${base.replace(/\/+$/, '')}/ws` : null;
  }

  function open(): void {
    const target = url();
    if (!target) {
      emit({ type: 'error', code: 'config', message: 'data-relay must be a ws:// or wss:// URL', fatal: true });
      return;
    }
    const Ctor = deps.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketCtor);
    let socket: WebSocketLike;
    try {
      socket = new Ctor(target);
    } catch {
      return retry();
    }
    ws = socket;
    socket.onopen = () =>
      frame(
        resume
          ? { type: 'resume', token: resume.token, lastSeq: resume.seq }
          : {
              type: 'hello',
              vendor: o.options.vendor ?? '',
              page: { url: o.pageUrl, referrer: o.referrer, locale: o.locale, userAgent: o.userAgent, visitorId: o.visitorId },
            },
      );
    socket.onmessage = (ev) => {
      if (ws === socket) onFrame(ev.data);
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      queue.shut();
      clock.clearTimeout(liveTimer);
      if (kit.closed || dormant || ev.code === CLOSE_FATAL) return;
      if (ev.code === CLOSE_REPLACED) replaced();
      else retry();
    };
  }

  /** Another tab resumed our session (close 4409): wait for the visitor to come back to this one. */
  function replaced(): void {
    dormant = 'replaced';
    reconnector.stop();
    // The Tencent transport's code and words for the same situation, but not fatal: the chat
    // goes on (in the other tab, and here again once the visitor acts here).
    emit({ type: 'error', code: 'kicked', message: t('error.otherTab'), fatal: false });
    emit({ type: 'connection', state: 'closed', reason: 'replaced' });
    const g = globalThis as { window?: WakeSources['window']; document?: WakeSources['document'] };
    const win = deps.wake ? deps.wake.window : g.window;
    const doc = deps.wake ? deps.wake.document : g.document;
    const onVisibility = (): void => {
      if (doc?.visibilityState !== 'hidden') wake();
    };
    const opts = { capture: true, passive: true };
    win?.addEventListener('focus', wake);
    doc?.addEventListener('visibilitychange', onVisibility);
    for (const name of VISITOR_ACTIONS) doc?.addEventListener(name, wake, opts);
    stopListening = () => {
      win?.removeEventListener('focus', wake);
      doc?.removeEventListener('visibilitychange', onVisibility);
      for (const name of VISITOR_ACTIONS) doc?.removeEventListener(name, wake, opts);
    };
  }

  /** The relay no longer knows a chat that had begun: it is over (see the top of this file). */
  function lost(): void {
    dormant = 'lost';
    begun = false; // the next session has no chat until a start goes out on it
    queue.shut();
    reconnector.stop();
    // Queued lines belong to the lost chat: the core marks them failed when the chat ends.
    queue.drop();
    emit({ type: 'ended', by: 'system', text: t('transport.chatLost') });
    emit({ type: 'connection', state: 'closed', reason: 'session-unknown' });
  }

  /** The visitor acted while dormant: connect again (a lost chat's resume state is already gone). */
  function wake(): void {
    if (!dormant || kit.closed) return;
    dormant = null;
    stopListening?.();
    stopListening = null;
    emit({ type: 'connection', state: 'connecting' });
    open();
  }

  const reconnector = createReconnector({ clock, random, baseMs: 500, run: () => !kit.closed && open() });
  function retry(): void {
    emit({ type: 'connection', state: 'reconnecting', attempt: reconnector.schedule() });
  }

  /** Heard from the relay: wait for the next silence. Silence → ping → no pong → drop. */
  function alive(): void {
    clock.clearTimeout(liveTimer);
    const socket = ws;
    liveTimer = clock.setTimeout(() => {
      if (ws !== socket || !queue.ready) return;
      frame({ type: 'ping' });
      liveTimer = clock.setTimeout(() => {
        if (ws !== socket || !socket) return;
        kit.log('no answer to a ping; reconnecting');
        socket.onclose?.({ code: 1006 });
        socket.close();
      }, PONG_WAIT_MS);
    }, PING_IDLE_MS);
  }

  function onFrame(data: unknown): void {
    alive();
    let f: ServerFrame;
    try {
      // `null`, numbers and arrays parse too: only an object can be a frame.
      const parsed = JSON.parse(String(data)) as unknown;
      f = (parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { type: 'bad' }) as ServerFrame;
    } catch {
      f = { type: 'bad' } as unknown as ServerFrame;
    }
    const event = f.type === 'event' && Number.isSafeInteger(f.seq) && f.seq > 0 ? guardEvent(f.event) : null;
    if (f.type === 'welcome' && typeof f.token === 'string' && Array.isArray(f.capabilities)) {
      capabilities.clear();
      for (const c of f.capabilities) if (typeof c === 'string') capabilities.add(c);
      if (!f.resumed || !resume) resume = { token: f.token, seq: 0 };
      reconnector.reset();
      emit({ type: 'connection', state: 'open' });
      emit({ type: 'resume', token: { ...resume } });
      queue.open();
    } else if (f.type === 'event' && event) {
      if (!resume || f.seq <= resume.seq) return; // already handled before a reconnect
      resume.seq = f.seq;
      if (event.type === 'config') maxFileBytes = event.config.maxFileBytes ?? Infinity;
      emit(event.type === 'error' ? { ...event, message: inVisitorsLanguage(event.code, event.message) } : event);
      // One ack (and one persisted seq) per burst, not per event.
      ackTimer ??= clock.setTimeout(() => {
        ackTimer = null;
        if (!resume) return;
        if (queue.ready) frame({ type: 'ack', seq: resume.seq });
        emit({ type: 'resume', token: { ...resume } });
      }, 50);
    } else if (f.type === 'pong') {
      // alive() above did the work.
    } else if (f.type === 'fatal' && typeof f.code === 'string' && typeof f.message === 'string') {
      if (f.code === 'session-unknown' || f.code === 'bad-token') {
        // The relay forgot us (expired, restarted, another signing key) or could not open a
        // session for our hello. The socket closes next (4400, no retry from onclose).
        const wasResume = resume !== null;
        resume = null;
        emit({ type: 'resume', token: null });
        if (begun) lost();
        // Nothing begun: a fresh session at once; a failed hello again after a backoff.
        else if (wasResume) clock.setTimeout(open, 0);
        else retry();
      } else {
        emit({ type: 'error', code: f.code, message: f.message, fatal: true });
        emit({ type: 'connection', state: 'closed', reason: f.code });
        kit.close();
      }
    } else {
      kit.badFrame('frame');
    }
  }

  async function wire(c: Command): Promise<WireCommand | null> {
    if (c.type !== 'send-file') return c;
    if (c.file.size > maxFileBytes) {
      error('file-too-large', 'The file is too large.', c.clientId);
      return null;
    }
    const data = await toBase64(c.file);
    return { type: 'send-file', clientId: c.clientId, name: c.name, mime: c.file.type, size: c.file.size, data };
  }

  return {
    capabilities,
    connect(s) {
      kit.connect(s);
      emit({ type: 'connection', state: 'connecting' });
      open();
    },
    send(command) {
      // A command is the visitor acting in this tab, except the core's own typing, preview and
      // window signals: those come from timers too (typing stops after 2 s idle), and must not
      // wake a lost chat nor take the chat back from the tab that replaced this one.
      if (dormant && !AMBIENT.has(command.type)) wake();
      // Chained so a file being read never lets a later line overtake it.
      chain = chain
        .then(() => wire(command))
        .then(
          (c) => {
            // Signals while dormant have nowhere to go; a command that matters woke us above.
            if (!c || kit.closed || dormant) return;
            if (queue.ready || (c.type !== 'typing' && c.type !== 'preview')) queue.submit(c);
          },
          () => error('file-read', 'The file could not be read.'),
        );
    },
    close() {
      reconnector.stop();
      stopListening?.();
      stopListening = null;
      clock.clearTimeout(liveTimer);
      clock.clearTimeout(ackTimer);
      ws?.close(1000);
      ws = null;
      emit({ type: 'connection', state: 'closed', reason: 'closed' });
      kit.close();
    },
  };
}

export const createTransport = (o: TransportOptions): Transport => createRelayTransport(o);
