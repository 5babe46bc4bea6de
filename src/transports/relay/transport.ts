/**
 * The browser side of Confab's relay (src/server/relay): one WebSocket per visitor session
 * carrying normalized commands up and numbered events down (protocol.ts). It knows no vendor:
 * `data-vendor` is passed through and the relay's adapter does the rest.
 *
 * Reconnects forever while open (exponential backoff with full jitter, capped at 30 s), and
 * resumes with the session token and the last event seq it handled, so events the relay held
 * while we were away arrive once and in order. Commands issued while disconnected wait in a
 * queue (typing signals are dropped: stale ones mislead the agent).
 */
import {
  realClock,
  stamp,
  type Capability,
  type Command,
  type ConfabEventBody,
  type Json,
  type Transport,
  type TransportOptions,
} from '../../core/contract';
import { CLOSE_FATAL, type ClientFrame, type ServerFrame, type WireCommand } from './protocol';

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
const MAX_DELAY_MS = 30_000;

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

export function createRelayTransport(
  o: TransportOptions,
  deps: { WebSocket?: WebSocketCtor; random?: () => number } = {},
): Transport {
  const clock = o.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const capabilities = new Set<Capability>(DEFAULT_CAPABILITIES);
  const outbox: WireCommand[] = [];
  let sink: ((body: ConfabEventBody) => void) | null = null;
  let ws: WebSocketLike | null = null;
  let ready = false;
  let closed = false;
  let attempt = 0;
  let timer: unknown = null;
  let ackTimer: unknown = null;
  let resume = readResume(o.resume);
  let maxFileBytes = Infinity;
  let chain: Promise<void> = Promise.resolve();

  const emit = (body: ConfabEventBody) => sink?.(body);
  const warn = (code: string, message: string) => emit({ type: 'error', code, message, fatal: false });
  const frame = (f: ClientFrame) => ws?.send(JSON.stringify(f));

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
    socket.onmessage = (ev) => onFrame(ev.data);
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      ready = false;
      if (!closed && ev.code !== CLOSE_FATAL) retry();
    };
  }

  function retry(): void {
    attempt++;
    emit({ type: 'connection', state: 'reconnecting', attempt });
    const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempt - 1, 16)) * (0.5 + random() / 2);
    timer = clock.setTimeout(open, delay);
  }

  function onFrame(data: unknown): void {
    let f: ServerFrame;
    try {
      f = JSON.parse(String(data)) as ServerFrame;
    } catch {
      f = { type: 'bad' } as unknown as ServerFrame;
    }
    if (f.type === 'welcome' && typeof f.token === 'string' && Array.isArray(f.capabilities)) {
      capabilities.clear();
      for (const c of f.capabilities) capabilities.add(c);
      if (!f.resumed || !resume) resume = { token: f.token, seq: 0 };
      ready = true;
      attempt = 0;
      emit({ type: 'connection', state: 'open' });
      emit({ type: 'resume', token: { ...resume } });
      for (const c of outbox.splice(0)) frame({ type: 'command', command: c });
    } else if (f.type === 'event' && typeof f.seq === 'number' && f.event && typeof f.event.type === 'string') {
      if (!resume || f.seq <= resume.seq) return; // already handled before a reconnect
      resume.seq = f.seq;
      if (f.event.type === 'config') maxFileBytes = f.event.config.maxFileBytes ?? Infinity;
      emit(f.event);
      // One ack (and one persisted seq) per burst, not per event.
      ackTimer ??= clock.setTimeout(() => {
        ackTimer = null;
        if (!resume) return;
        if (ready) frame({ type: 'ack', seq: resume.seq });
        emit({ type: 'resume', token: { ...resume } });
      }, 50);
    } else if (f.type === 'fatal') {
      if (f.code === 'session-unknown' || f.code === 'bad-token') {
        // The relay forgot us (expired, restarted): start a fresh session.
        resume = null;
        emit({ type: 'resume', token: null });
        warn('session-expired', f.message);
        clock.setTimeout(open, 0);
      } else {
        closed = true;
        emit({ type: 'error', code: f.code, message: f.message, fatal: true });
        emit({ type: 'connection', state: 'closed', reason: f.code });
      }
    } else {
      console.warn('[confab] unreadable relay frame');
      warn('bad-frame', 'The chat server sent something unreadable.');
    }
  }

  async function wire(c: Command): Promise<WireCommand | null> {
    if (c.type !== 'send-file') return c;
    if (c.file.size > maxFileBytes) {
      warn('file-too-large', 'The file is too large.');
      return null;
    }
    const data = await toBase64(c.file);
    return { type: 'send-file', clientId: c.clientId, name: c.name, mime: c.file.type, size: c.file.size, data };
  }

  return {
    capabilities,
    connect(s) {
      sink = (body) => s(stamp(body, clock));
      closed = false;
      emit({ type: 'connection', state: 'connecting' });
      open();
    },
    send(command) {
      // Chained so a file being read never lets a later line overtake it.
      chain = chain
        .then(() => wire(command))
        .then(
          (c) => {
            if (!c || closed) return;
            if (ready) frame({ type: 'command', command: c });
            else if (c.type !== 'typing' && c.type !== 'preview') outbox.push(c);
          },
          () => warn('file-read', 'The file could not be read.'),
        );
    },
    close() {
      closed = true;
      clock.clearTimeout(timer);
      clock.clearTimeout(ackTimer);
      ws?.close(1000);
      ws = null;
      emit({ type: 'connection', state: 'closed', reason: 'closed' });
    },
  };
}

export const createTransport = (o: TransportOptions): Transport => createRelayTransport(o);
