/**
 * The relay: one HTTP server carrying
 *   GET  /ws                                   visitor WebSockets (Origin allowlisted)
 *   POST /hook/<secret>/<vendor>/<token>/<route>  vendor hookpoints (secret, per-session token, IP allowlist, caps)
 *   GET  /files/<id>/<name>?sig=…              files signed for one session
 *   GET  /healthz                              alive (200 while the process runs)
 *   GET  /readyz                               ready: the store answers and the relay is not draining (else 503)
 *   any  <config.routes[].path>                extra endpoints (e.g. a transaction-hash endpoint)
 * and 401 for everything else. Sessions live in a SessionStore (./store.ts): in memory by
 * default, or shared by several instances (Redis), any of which may serve any request. Vendor knowledge lives in the adapters (./adapter.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConfabEventBody, Json } from '../../core/contract';
import {
  CLOSE_FATAL,
  CLOSE_REPLACED,
  type ClientFrame,
  type RelayFatalCode,
  type RelayPage,
  type ServerFrame,
  type WireCommand,
} from '../../transports/relay/protocol';
import type { AdapterContext, HookpointBody, HookpointReply, HookpointRoute, RelayAdapter, RelayAdapterFactory, RelayFile } from './adapter';
import { hookpointPath, hookToken, hookTokenOpens } from './hook-tokens';
import { BodyError, readHookpointBody } from './http-body';
import { RateLimiter, type RateLimit } from './rate-limit';
import { RelaySession } from './session';
import { parseWireCommand } from './wire-command';
import { MemoryStore, StaleCommit, type SessionRecord, type SessionStore, type StoredEvent } from './store';
import { newId, safeEqual, sessionToken, sign, verifySessionToken } from './tokens';
import { clientIpResolver } from './proxy-trust';
import { ConnectionCounter, DEFAULT_SOCKET_LIMITS, guardSockets, rejectUpgrade, targetPath, type VisitorSocketLimits } from './visitor-socket-guard';
import { VisitorLimits, type VisitorRates } from './visitor-limits';
import { checkVisitorUpload, safeStoredFile } from './upload-sniff';
import { observeHookpoint, telemetry, watchSocket } from './telemetry';

export interface RelayConfig {
  /** Loopback by default; 0 picks an ephemeral port. */
  host?: string;
  port?: number;
  /** The relay's public http(s) base as vendors and browsers reach it (default: the listen address). */
  publicUrl?: string;
  /** Unguessable path segment all hookpoints live under. */
  hookSecret: string;
  /** HMAC key for session tokens and file URLs. */
  signingKey: string;
  /** Origins allowed to open a WebSocket or read files cross-origin. */
  allowedOrigins: readonly string[];
  /** When set, only these remote addresses may call hookpoints. */
  hookIpAllowlist?: readonly string[];
  /**
   * Reverse proxies whose X-Forwarded-For is believed (CIDRs, ./proxy-trust.ts): only when the
   * TCP peer is one of them. Unset (and no `proxyHops`): the client is the TCP peer.
   */
  trustedProxies?: readonly string[];
  /** How many proxies always stand in front (only when the relay is unreachable otherwise). */
  proxyHops?: number;
  adapters: readonly RelayAdapterFactory[];
  maxBodyBytes?: number;
  maxUploadBytes?: number;
  /** Bytes of files kept per session (oldest dropped first; default twice the upload cap). */
  maxSessionFileBytes?: number;
  /** Bytes of files kept in all (the default in-memory store; oldest dropped first; default 200 MB). */
  maxStoredFileBytes?: number;
  allowedFileTypes?: readonly string[];
  /** Per client IP: WebSocket connects. */
  ipRate?: RateLimit;
  /** Per client IP: file downloads and rejected requests (their own bucket: junk never locks chat out). */
  httpRate?: RateLimit;
  /** Frame caps before hello, sockets per IP, heartbeat and idle timeouts. */
  sockets?: Partial<VisitorSocketLimits>;
  /** Frames, new sessions, chat starts and left messages per session / IP (./visitor-limits.ts). */
  visitorRates?: Partial<VisitorRates>;
  /** Per session: visitor commands. */
  sessionRate?: RateLimit;
  /** Hookpoint calls per vendor IP (generous: one vendor IP carries every session). */
  hookRate?: RateLimit;
  /** A session with no activity this long is ended. */
  sessionIdleMs?: number;
  /** Most events kept per session for a visitor who is away. */
  bufferLimit?: number;
  /** How long `close()` waits for in-flight work. */
  drainMs?: number;
  log?: (message: string) => void;
  /** Where sessions live (default: this process's memory). The caller closes it. */
  store?: SessionStore;
  /** Non-hookpoint HTTP endpoints, matched by exact path before the 401 fallback. */
  routes?: readonly RelayRoute[];
}

export interface RelayRoute {
  /** Exact path, e.g. '/diyalog/transaction-hash'; the handler sees every method. */
  path: string;
  /** `clientIp`: the caller's address under the relay's proxy trust (for the route's own limits). */
  handle(req: IncomingMessage, res: ServerResponse, ctx: { clientIp: string }): Promise<void>;
}

export interface RelayHandle {
  /** WebSocket base (the widget's data-relay). */
  url: string;
  /** Public http base of hookpoints, without vendor: `${hookpointBase}/<vendor>/<session token>/<route>` (./hook-tokens.ts). */
  hookpointBase: string;
  /** Test/sandbox fault hook: cut every visitor socket (sessions stay, widgets resume). */
  dropVisitors(): number;
  close(): Promise<void>;
}

export const DEFAULT_FILE_TYPES = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf', 'txt', 'csv', 'doc', 'docx', 'xls', 'xlsx'];

const HELLO_TIMEOUT_MS = 10_000;
/** A hookpoint whose commit met newer state is handled again this many times in all. */
const HOOK_ATTEMPTS = 3;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    // JSON is data: never sniffed into something else, never a document that runs anything.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function kindOfPage(raw: unknown): RelayPage | null {
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Record<string, unknown>;
  const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string).slice(0, 2000) : '');
  return { url: s('url'), referrer: s('referrer'), locale: s('locale'), userAgent: s('userAgent'), visitorId: s('visitorId') };
}

export function decodeFrame(raw: string): ClientFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const f = v as Record<string, unknown>;
  switch (f.type) {
    case 'hello': {
      const page = kindOfPage(f.page);
      return typeof f.vendor === 'string' && page ? { type: 'hello', vendor: f.vendor, page } : null;
    }
    case 'resume':
      return typeof f.token === 'string' && Number.isSafeInteger(f.lastSeq)
        ? { type: 'resume', token: f.token, lastSeq: f.lastSeq as number }
        : null;
    case 'ack':
      return Number.isSafeInteger(f.seq) ? { type: 'ack', seq: f.seq as number } : null;
    case 'ping':
      return { type: 'ping' };
    case 'command': {
      // Checked field by field here (wire-command.ts); adapters still check values.
      const command = parseWireCommand(f.command);
      return command ? { type: 'command', command } : null;
    }
    default:
      return null;
  }
}


/** The store no longer has the session (it expired, possibly on another instance). */
class SessionGone extends Error {}

export async function startRelay(config: RelayConfig): Promise<RelayHandle> {
  const log = config.log ?? ((m: string) => console.log(`[relay] ${m}`));
  const maxBodyBytes = config.maxBodyBytes ?? 64 * 1024;
  const maxUploadBytes = config.maxUploadBytes ?? 10 * 1024 * 1024;
  const allowedTypes = (config.allowedFileTypes ?? DEFAULT_FILE_TYPES).map((t) => t.toLowerCase());
  const idleMs = config.sessionIdleMs ?? 30 * 60_000;
  const bufferLimit = config.bufferLimit ?? 500;
  const clientIp = clientIpResolver({ trusted: config.trustedProxies, hops: config.proxyHops });
  const origins = new Set(config.allowedOrigins);
  const ipLimiter = new RateLimiter(config.ipRate ?? { capacity: 60, perMinute: 120 }, undefined, 'connect');
  const httpLimiter = new RateLimiter(config.httpRate ?? { capacity: 60, perMinute: 120 }, undefined, 'http');
  const socketLimits: VisitorSocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...config.sockets };
  const connections = new ConnectionCounter(socketLimits.perIp);
  const visitorLimits = new VisitorLimits(config.visitorRates);
  const hookLimiter = new RateLimiter(config.hookRate ?? { capacity: 2000, perMinute: 12_000 }, undefined, 'hookpoint');
  const sessionLimiter = new RateLimiter(config.sessionRate ?? { capacity: 60, perMinute: 300 }, undefined, 'command');
  const adapters = new Map(config.adapters.map((a) => [a.vendor, a]));
  const extraRoutes = new Map((config.routes ?? []).map((r) => [r.path, r]));
  const maxSessionFileBytes = config.maxSessionFileBytes ?? maxUploadBytes * 2;
  const store: SessionStore = config.store ?? new MemoryStore({ maxFileBytes: config.maxStoredFileBytes ?? 200 * 1024 * 1024 });
  /** Sessions this instance has loaded: the ones it created, resumed or served a hookpoint for. */
  const local = new Map<string, RelaySession>();
  const loading = new Map<string, Promise<RelaySession | null>>();
  telemetry().watchSessions(() => [...local.values()].map((s) => ({ vendor: s.vendor, attached: s.socket !== null && s.socket !== undefined })));
  let closing = false;

  const server = createServer();
  // A client that trickles its headers or body holds a socket and its buffers: bounded.
  server.headersTimeout = 15_000;
  server.requestTimeout = 120_000;
  // After hello a frame may carry one file (base64: 4/3 of its bytes) and its command.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.ceil((maxUploadBytes * 4) / 3) + 16 * 1024 });
  const guard = guardSockets(wss, socketLimits, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, config.host ?? '127.0.0.1', resolve);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const publicUrl = (config.publicUrl ?? `http://${host}:${addr.port}`).replace(/\/+$/, '');
  const hookpointBase = `${publicUrl}/hook/${config.hookSecret}`;

  // ── sessions ────────────────────────────────────────────────────────────────────────────

  function storeFile(session: RelaySession, file: RelayFile): string {
    const fileId = newId(12);
    // Served by its bytes, under a name without bidi tricks (./upload-sniff.ts).
    file = safeStoredFile(file);
    const put = store.putFile(fileId, { ...file, sessionId: session.id }, maxSessionFileBytes);
    session.filesPending = Promise.all([session.filesPending, put.catch((err: unknown) => log(`file not stored: ${String(err)}`))]);
    const sig = sign(config.signingKey, 'file', `${session.id}/${fileId}`);
    return `${publicUrl}/files/${fileId}/${encodeURIComponent(file.name)}?sig=${sig}`;
  }

  /**
   * Commit what the session emitted (and its adapter's state) to the store, in order. A state
   * is committed only over the version it was computed from (`baseVersion`).
   */
  function flush(session: RelaySession, state?: Json, baseVersion?: number): Promise<void> {
    const events = session.outbox.splice(0);
    for (const e of events) telemetry().sessionEvent(session.vendor, session.id, e);
    const done = session.persisted.then(async () => {
      await session.filesPending;
      try {
        const version = await store.commit(session.id, { events, state, baseVersion }, bufferLimit, Date.now());
        if (version !== null && state !== undefined) session.version = version;
      } catch (err) {
        // This copy of the adapter went its own way: the next operation rebuilds it from the store.
        if (err instanceof StaleCommit) session.version = -1;
        throw err;
      }
    });
    session.persisted = done.catch((err: unknown) => log(`${session.id.slice(0, 6)}: events not stored: ${String(err)}`));
    return done;
  }

  function emitNow(session: RelaySession, event: ConfabEventBody): void {
    session.outbox.push(event);
    void flush(session);
  }

  function build(session: RelaySession, record: Pick<SessionRecord, 'page' | 'state' | 'version'>): RelayAdapter {
    const vendor = session.vendor;
    session.ctx = {
      sessionId: session.id,
      page: record.page,
      hookpointBase: `${hookpointBase}/${vendor}/${hookToken(config.signingKey, session.id)}`,
      emit: (event: ConfabEventBody) => {
        session.outbox.push(event);
        // Inside an operation the events are committed with the state it leaves behind;
        // outside one (an adapter's own channel calling back) they are committed at once.
        if (!session.inOperation) void flush(session);
      },
      storeFile: (file) => storeFile(session, file),
      touch: () => {
        session.touch();
        void store.touch(session.id, Date.now()).catch(() => undefined);
      },
      files: { allowedTypes, maxBytes: maxUploadBytes },
      log: (m) => telemetry().adapterLog(vendor, session.id, m, log),
    };
    session.adapter = session.factory.create(session.ctx, record.state ?? undefined);
    session.version = record.version;
    return session.adapter;
  }

  /** This instance's copy of a session, loaded from the store when another instance made it. */
  function load(id: string): Promise<RelaySession | null> {
    const have = local.get(id);
    if (have) return Promise.resolve(have);
    let p = loading.get(id);
    if (!p) {
      p = (async () => {
        const record = await store.get(id);
        const factory = record && adapters.get(record.vendor);
        // An adapter without snapshots cannot be rebuilt here: its session stays where it began.
        if (!record || !factory || !record.portable) return null;
        const again = local.get(id);
        if (again) return again;
        const session = new RelaySession(id, factory, Date.now);
        session.portable = true;
        build(session, record);
        local.set(id, session);
        return session;
      })().finally(() => loading.delete(id));
      loading.set(id, p);
    }
    return p;
  }

  /**
   * One operation on a session (open, a command, a hookpoint, the end): one at a time here,
   * under the store's lock across instances, on an adapter current with the store, and its
   * events committed together with the state it leaves before it counts as done.
   */
  function operate<T>(session: RelaySession, task: () => Promise<T>): Promise<T> {
    return session.run(() =>
      store.withLock(session.id, async () => {
        if (store.shared && session.portable) {
          const record = await store.get(session.id);
          if (!record) throw new SessionGone();
          if (record.version !== session.version) build(session, record);
        }
        const base = session.version;
        session.inOperation = true;
        session.touch();
        try {
          return await task();
        } finally {
          session.inOperation = false;
          const state = session.adapter.snapshot?.();
          await flush(session, state, state === undefined ? undefined : base);
        }
      }),
    );
  }

  async function createSession(factory: RelayAdapterFactory, page: RelayPage): Promise<RelaySession> {
    const id = newId();
    const session = new RelaySession(id, factory, Date.now);
    build(session, { page, state: null, version: 0 });
    session.portable = typeof session.adapter.snapshot === 'function';
    await store.create(
      {
        id,
        vendor: factory.vendor,
        hookKey: session.adapter.hookKey,
        page,
        state: session.adapter.snapshot?.() ?? null,
        version: 0,
        portable: session.portable,
      },
      Date.now(),
    );
    local.set(id, session);
    return session;
  }

  async function endSession(session: RelaySession, reason: 'expired' | 'shutdown'): Promise<void> {
    const forget = reason === 'expired' || !store.shared;
    try {
      await operate(session, async () => {
        if (reason === 'expired') session.ctx.emit({ type: 'ended', by: 'timeout' });
        // A shared store keeps the session for another instance: only instance-bound adapters let go.
        if (forget || !session.portable) await session.adapter.close(reason);
      });
    } catch (err) {
      if (!(err instanceof SessionGone)) log(`${session.id.slice(0, 6)}: ending failed: ${String(err)}`);
    }
    if (reason === 'expired') session.socket?.close(1000, 'session expired');
    local.delete(session.id);
    if (forget) await store.remove(session.id);
  }

  // ── delivery ────────────────────────────────────────────────────────────────────────────

  store.onEvent((id, item) => {
    const session = local.get(id);
    if (session?.socket) deliver(session, item);
  });

  function deliver(session: RelaySession, item: StoredEvent): void {
    if (session.syncing) {
      session.syncAgain = true;
      return;
    }
    if (item.seq <= session.sentUpTo) return;
    // A gap means an announcement was missed (or overtaken): the store has the full sequence.
    if (item.seq !== session.sentUpTo + 1) return void sync(session, session.socket!, null);
    session.sentUpTo = item.seq;
    session.sendEvent(item);
  }

  /** Send what the store holds beyond `sentUpTo`, until no announcement arrived meanwhile. */
  async function sync(session: RelaySession, ws: WebSocket, resumeFrom: number | null): Promise<void> {
    if (session.syncing && resumeFrom === null) {
      session.syncAgain = true;
      return;
    }
    session.syncing = true;
    let lost = false;
    let resume = resumeFrom !== null;
    try {
      do {
        session.syncAgain = false;
        const r = await store.replay(session.id, session.sentUpTo, resume);
        resume = false;
        lost ||= r.lost;
        if (session.socket !== ws) return;
        for (const item of r.events) {
          if (item.seq <= session.sentUpTo) continue;
          session.sentUpTo = item.seq;
          session.sendEvent(item);
        }
      } while (session.syncAgain);
    } catch (err) {
      log(`${session.id.slice(0, 6)}: replay failed: ${String(err)}`);
    } finally {
      if (session.socket === ws) session.syncing = false;
    }
    if (lost) {
      emitNow(session, { type: 'error', code: 'events-lost', message: 'Some messages sent while you were away could not be kept.', fatal: false });
    }
  }

  function attach(session: RelaySession, ws: WebSocket, lastSeq: number, welcome: ServerFrame): Promise<void> {
    session.touch();
    void store.touch(session.id, Date.now()).catch(() => undefined);
    session.socket = ws;
    session.sentUpTo = lastSeq;
    session.syncing = false;
    session.send(welcome);
    return sync(session, ws, lastSeq);
  }

  // ── visitor sockets ─────────────────────────────────────────────────────────────────────

  /**
   * The store failed under a session this instance serves (an outage, or a Redis that came back
   * empty): its chat cannot go on reliably, so the visitor is told now, on the socket (the store
   * cannot carry the news), and the widget ends the chat with its "could not be resumed" line.
   */
  function storeLost(session: RelaySession, why: string): void {
    log(`${session.id.slice(0, 6)}: chat ended, the session store failed: ${why}`);
    const ws = session.socket;
    local.delete(session.id);
    // The visitor already saw the chat end (it expired on another instance): just let go.
    if (ws && session.endedLast) return void ws.close(1000, 'session ended');
    if (ws && ws.readyState === ws.OPEN) {
      const frame: ServerFrame = { type: 'fatal', code: 'session-unknown', message: 'The chat service lost this conversation.' };
      ws.send(JSON.stringify(frame));
      ws.close(CLOSE_FATAL, 'session-unknown');
    }
  }

  /** Internal error text stays in the log: the browser gets a fixed sentence. */
  const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const ip = clientIp(req);
    watchSocket(ws);
    const socketGuard = guard.watch(ws, req);
    let session: RelaySession | null = null;
    let greeted = false;
    let frames: Promise<void> = Promise.resolve();
    let badFramesLogged = false;
    /** Frames refused by the frame rate; a socket that keeps sending regardless is cut. */
    let refused = 0;
    const fatal = (code: RelayFatalCode, message: string) => {
      const frame: ServerFrame = { type: 'fatal', code, message };
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(frame));
      ws.close(CLOSE_FATAL, code);
    };
    const helloTimer = setTimeout(() => ws.close(CLOSE_FATAL, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(helloTimer);
      socketGuard.stopHeartbeat();
      session?.detach(ws);
    });

    async function onFrame(frame: ClientFrame | null): Promise<void> {
      if (!session) {
        clearTimeout(helloTimer);
        if (!frame) return fatal('bad-frame', 'expected hello or resume');
        if (frame.type === 'hello') {
          const factory = adapters.get(frame.vendor);
          if (!factory) return fatal('vendor-unknown', `this relay does not serve ${frame.vendor}`);
          // Each new session costs the vendor a config call: bounded per IP (the widget retries later).
          if (!visitorLimits.newSession(ip)) return fatal('session-unknown', 'too many new chats from this address; try again later');
          const created = await createSession(factory, frame.page);
          telemetry().sessionStarted(factory.vendor, created.id);
          session = created;
          await attach(created, ws, 0, welcome(created, false));
          void operate(created, () => created.adapter.open()).catch((err: unknown) => log(`open failed: ${describe(err)}`));
        } else if (frame.type === 'resume') {
          const id = verifySessionToken(config.signingKey, frame.token);
          if (!id) return fatal('bad-token', 'invalid session token');
          // A session being expired right now (upstream told, record not yet gone) is gone too.
          const found = (await store.ending(id)) ? null : await load(id);
          if (!found) return fatal('session-unknown', 'the session has ended or expired');
          const old = found.socket;
          session = found;
          if (old && old !== ws) old.close(CLOSE_REPLACED, 'replaced by a newer connection');
          await attach(found, ws, frame.lastSeq, welcome(found, true));
        } else fatal('bad-frame', 'expected hello or resume');
        return;
      }
      const s = session;
      // Every frame counts, whatever it is: each may cost a store command.
      if (!visitorLimits.frame(s.id)) {
        if (++refused === 200) {
          ws.close(1008, 'too many frames');
          // A flooder need not answer our close: the connection goes a second later regardless.
          setTimeout(() => ws.terminate(), 1000).unref();
        }
        return;
      }
      if (!frame) {
        // Not kept as an event (a flood of them would fill the store): logged once per socket.
        if (!badFramesLogged) log(`${s.id.slice(0, 6)}: unreadable frame from the widget`);
        badFramesLogged = true;
        return;
      }
      if (frame.type === 'ping') return void ws.send(JSON.stringify({ type: 'pong' } satisfies ServerFrame));
      if (frame.type === 'ack') return void store.ack(s.id, frame.seq).catch(() => undefined);
      if (frame.type !== 'command') return;
      s.touch();
      if (!sessionLimiter.take(s.id) || !visitorLimits.command(frame.command.type, s.id, ip)) {
        return emitNow(s, { type: 'error', code: 'rate-limited', message: 'Too many messages at once. Please slow down.', fatal: false });
      }
      let command = frame.command;
      if (command.type === 'send-file') {
        // Judged by its bytes before the vendor sees it: a .png must be a PNG.
        const upload = checkVisitorUpload(command.name, command.data, allowedTypes);
        if (!upload.ok) return emitNow(s, { type: 'error', code: 'file-type', message: 'Files of this type cannot be sent.', fatal: false });
        command = { ...command, name: upload.name };
      }
      const run = command;
      void operate(s, () => s.adapter.handle(run)).catch((err: unknown) => {
        if (err instanceof SessionGone) return fatal('session-unknown', 'the session has ended or expired');
        if (err instanceof StaleCommit) {
          // Another instance changed the session while this command ran (our lock had expired):
          // what it did was not recorded. It is not run again by itself (its vendor call may
          // have gone through); the visitor may retry (the same client id, the same number).
          log(`${s.id.slice(0, 6)}: ${command.type} not recorded: ${err.message}`);
          return emitNow(s, {
            type: 'error',
            code: 'conflict',
            message: 'The chat changed while this was being sent. Please try again.',
            fatal: false,
            ...(command.type === 'start' ? { retryable: true } : {}),
          });
        }
        // The store failed (adapters never throw): what the command did may not be recorded.
        storeLost(s, `${command.type}: ${describe(err)}`);
      });
    }

    ws.on('message', (data, isBinary) => {
      socketGuard.frame();
      const frame = isBinary ? null : decodeFrame(data.toString());
      if (!greeted && (frame?.type === 'hello' || frame?.type === 'resume')) {
        greeted = true;
        socketGuard.greeted();
      }
      // Frames of one socket are handled in arrival order, even when one waits on the store.
      frames = frames.then(() => onFrame(frame)).catch((err: unknown) => {
        log(`frame failed: ${describe(err)}`);
        if (!session && ws.readyState === ws.OPEN) fatal('session-unknown', 'the relay could not open the session');
      });
    });
  });

  function welcome(session: RelaySession, resumed: boolean): ServerFrame {
    return { type: 'welcome', token: sessionToken(config.signingKey, session.id), capabilities: [...session.factory.capabilities], resumed };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset at any point before ws takes the socket over ends this socket, not the process.
    socket.on('error', () => undefined);
    const path = targetPath(req.url);
    if (path === null) return rejectUpgrade(socket, 400, 'Bad Request');
    if (closing || path !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return (telemetry().socketRefused(403, 'origin', `Origin ${JSON.stringify(origin ?? null)} is not in RELAY_ALLOWED_ORIGINS`), rejectUpgrade(socket, 403, 'Forbidden'));
    const ip = clientIp(req);
    if (!ipLimiter.take(ip)) return rejectUpgrade(socket, 429, 'Too Many Requests');
    const release = connections.acquire(ip);
    if (!release) return (telemetry().socketRefused(429, 'sockets-per-ip'), rejectUpgrade(socket, 429, 'Too Many Requests'));
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((err: unknown) => {
      log(`request failed: ${describe(err)}`);
      json(res, 500, { success: false });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay');
    } catch {
      req.resume();
      return json(res, 400, { success: false, error: 'bad request target' }, { connection: 'close' });
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};

    if (req.method === 'GET' && url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      // Take no new visitors while draining, nor while the store does not answer.
      const ready = !closing && (await storeAnswers());
      return json(res, ready ? 200 : 503, { ready });
    }

    if (parts[0] === 'files' && parts.length === 3 && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!httpLimiter.take(ip)) return json(res, 429, { success: false });
      const file = await store.getFile(parts[1]!);
      const sig = url.searchParams.get('sig') ?? '';
      if (!file || !safeEqual(sig, sign(config.signingKey, 'file', `${file.sessionId}/${parts[1]!}`))) return json(res, 403, { success: false }, cors);
      res.writeHead(200, {
        ...cors,
        'content-type': file.mime,
        'content-length': String(file.bytes.length),
        // Served as a download in a sandbox: an uploaded HTML or SVG file can never run here.
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'private, max-age=3600',
        'cross-origin-resource-policy': 'cross-origin',
      });
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.bytes));
      return;
    }
    if (req.method === 'OPTIONS' && parts[0] === 'files') {
      res.writeHead(cors['access-control-allow-origin'] ? 204 : 403, { ...cors, 'access-control-allow-methods': 'GET, HEAD' });
      res.end();
      return;
    }

    const extra = extraRoutes.get(url.pathname);
    if (extra) return extra.handle(req, res, { clientIp: ip });

    const hookPath = req.method === 'POST' ? hookpointPath(parts) : null;
    if (hookPath) observeHookpoint(res, adapters.get(hookPath.vendor), hookPath.route);
    if (!hookPath || !safeEqual(hookPath.secret, config.hookSecret)) {
      // Wrong secret, wrong path, wrong method: all look the same, and guessing is rate limited.
      req.resume();
      if (!httpLimiter.take(ip)) return json(res, 429, { success: false });
      return json(res, 401, { success: false, error: 'unauthorized' });
    }
    if (config.hookIpAllowlist?.length && !config.hookIpAllowlist.includes(ip)) {
      req.resume();
      return json(res, 403, { success: false, error: 'forbidden' });
    }
    if (!hookLimiter.take(ip)) {
      req.resume();
      return json(res, 429, { success: false, error: 'rate limited' });
    }
    const factory = adapters.get(hookPath.vendor);
    const hook = factory?.routes.find((r) => r.path === hookPath.route);
    if (!factory || !hook) {
      req.resume();
      return json(res, 404, { success: false, error: 'unknown hookpoint' });
    }
    let body;
    try {
      body = await readHookpointBody(req, { maxBodyBytes, maxUploadBytes });
    } catch (err) {
      if (err instanceof BodyError) return json(res, err.status, { success: false, error: err.message }, { connection: 'close' });
      throw err;
    }
    // Each session the handler finds stays held (no other operation on it, here or on another
    // instance) until the handler returns; then its events are committed, and only then does
    // the vendor hear 200, so an acknowledged hookpoint is never lost to a crash. Hookpoint
    // handlers only change the session (they call no vendor), so one whose commit was refused
    // as stale is simply handled again on the current state.
    for (let attempt = 1; ; attempt++) {
      const outcome = await hookOnce(hook, body, factory.vendor, hookPath.token);
      if (outcome.failed?.reason instanceof StaleCommit && attempt < HOOK_ATTEMPTS) continue;
      if (outcome.failed) throw outcome.failed.reason;
      return json(res, outcome.reply.status, outcome.reply.body);
    }
  }

  async function hookOnce(
    hook: HookpointRoute,
    body: HookpointBody,
    vendor: string,
    token: string | undefined,
  ): Promise<{ reply: HookpointReply; failed?: PromiseRejectedResult }> {
    const held: { release(): void; done: Promise<void> }[] = [];
    const find = async (key: string): Promise<RelayAdapter | undefined> => {
      const mine = () => [...local.values()].find((s) => s.vendor === vendor && s.adapter.hookKey === key);
      let session: RelaySession | null;
      try {
        const id = await store.idByHookKey(vendor, key);
        // The session's own token must be in the path: the global secret alone opens no chat.
        if (id && !hookTokenOpens(config.signingKey, id, token)) return undefined;
        session = id ? await load(id) : null;
      } catch (err) {
        // The store is out: this message cannot be kept. A visitor here is told now; the
        // vendor hears 5xx (its retry may find the store back).
        const lost = mine();
        if (lost) storeLost(lost, `hookpoint: ${describe(err)}`);
        throw err;
      }
      if (!session) {
        // The store no longer knows a session this instance is serving (Redis came back empty):
        // the vendor's message has nowhere to go, and the visitor would wait for ever.
        const lost = mine();
        if (lost && store.shared) storeLost(lost, 'the session is gone from the store');
        return undefined;
      }
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const done = operate(session, async () => {
        entered();
        await released;
      });
      held.push({ release, done });
      try {
        await Promise.race([inside, done]);
      } catch {
        return undefined;
      }
      return session.adapter;
    };
    let reply;
    try {
      reply = await hook.handle(body, find);
    } finally {
      for (const h of held) h.release();
    }
    const committed = await Promise.allSettled(held.map((h) => h.done));
    const failed = committed.find((c): c is PromiseRejectedResult => c.status === 'rejected' && !(c.reason instanceof SessionGone));
    return { reply, failed };
  }

  /** The store answers within a bound (a hung store is not ready). */
  async function storeAnswers(): Promise<boolean> {
    if (!store.ping) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 2000)));
    try {
      return await Promise.race([store.ping().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  let sweeping = false;
  async function sweep(): Promise<void> {
    const now = Date.now();
    for (const id of await store.idle(now - idleMs)) {
      if (closing) return;
      const mine = local.get(id);
      if (mine?.busy) continue;
      // Every instance sweeps; exactly one claims each expired session and ends it.
      if (!(await store.claimEnd(id))) continue;
      const session = mine ?? (await load(id));
      if (session) await endSession(session, 'expired');
      else await store.remove(id);
    }
    if (store.shared) {
      // A visitor attached here whose session the store no longer has (Redis came back empty)
      // is told now rather than waiting for agent messages that can no longer reach it.
      const attached = [...local.values()].filter((s) => s.socket && !s.busy);
      const records = await Promise.all(attached.map((s) => store.get(s.id)));
      attached.forEach((s, i) => {
        if (!records[i] && local.get(s.id) === s) storeLost(s, 'the session is gone from the store');
      });
      // Copies of sessions no visitor is attached to here are rebuilt from the store when needed.
      for (const s of local.values()) {
        if (s.portable && !s.socket && !s.busy && now - s.lastUsed > Math.min(idleMs, 60_000)) local.delete(s.id);
      }
    }
  }

  const sweeper = setInterval(
    () => {
      if (!sweeping) {
        sweeping = true;
        sweep()
          .catch((err: unknown) => log(`sweep failed: ${String(err)}`))
          .finally(() => (sweeping = false));
      }
      ipLimiter.sweep();
      httpLimiter.sweep();
      visitorLimits.sweep();
      hookLimiter.sweep();
      sessionLimiter.sweep();
    },
    Math.max(50, Math.min(30_000, idleMs / 4)),
  );
  sweeper.unref();

  return {
    url: publicUrl.replace(/^http/, 'ws'),
    hookpointBase,
    dropVisitors() {
      for (const ws of wss.clients) ws.terminate();
      return wss.clients.size;
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweeper);
      guard.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Drain: let queued commands reach the vendor, then say goodbye to every socket.
      // With a shared store the sessions stay there for the other instances (or this one, restarted).
      const drain = Promise.all([...local.values()].map((s) => endSession(s, 'shutdown').catch(() => undefined)));
      await Promise.race([drain, new Promise((r) => setTimeout(r, config.drainMs ?? 5000).unref())]);
      for (const ws of wss.clients) ws.close(1001, 'relay shutting down');
      wss.close();
      server.closeIdleConnections();
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 1000).unref())]);
      server.closeAllConnections();
    },
  };
}
