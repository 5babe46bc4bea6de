/**
 * The relay: one HTTP server carrying
 *   GET  /ws                                   visitor WebSockets (Origin allowlisted)
 *   POST /hook/<secret>/<vendor>/<route>       vendor hookpoints (secret, IP allowlist, caps)
 *   GET  /files/<id>/<name>?sig=…              files signed for one session
 *   GET  /healthz
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
import { BodyError, readHookpointBody } from './http-body';
import { RateLimiter, type RateLimit } from './rate-limit';
import { RelaySession } from './session';
import { parseWireCommand } from './wire-command';
import { MemoryStore, StaleCommit, type SessionRecord, type SessionStore, type StoredEvent } from './store';
import { newId, safeEqual, sessionToken, sign, verifySessionToken } from './tokens';

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
   * Take the client IP from X-Forwarded-For (behind a trusted proxy only): its LAST entry, the
   * one that proxy appended. Earlier entries are whatever the client sent and prove nothing.
   */
  trustProxy?: boolean;
  adapters: readonly RelayAdapterFactory[];
  maxBodyBytes?: number;
  maxUploadBytes?: number;
  allowedFileTypes?: readonly string[];
  /** Per client IP: WebSocket connects, file downloads and rejected requests. */
  ipRate?: RateLimit;
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
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface RelayHandle {
  /** WebSocket base (the widget's data-relay). */
  url: string;
  /** Public http base of hookpoints, without vendor: `${hookpointBase}/<vendor>/<route>`. */
  hookpointBase: string;
  /** Test/sandbox fault hook: cut every visitor socket (sessions stay, widgets resume). */
  dropVisitors(): number;
  close(): Promise<void>;
}

export const DEFAULT_FILE_TYPES = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf', 'txt', 'csv', 'doc', 'docx', 'xls', 'xlsx'];

const HELLO_TIMEOUT_MS = 10_000;
/** A hookpoint whose commit met newer state is handled again this many times in all. */
const HOOK_ATTEMPTS = 3;

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const fwd = req.headers['x-forwarded-for'];
  if (!trustProxy || typeof fwd !== 'string') return peer;
  // One trusted proxy in front (RELAY_TRUST_PROXY has no hop count): the rightmost address is
  // the peer it saw. Node joins repeated headers with ", ", so the same holds for those.
  const last = fwd.split(',').at(-1)!.trim();
  return last ? last.replace(/^::ffff:/, '') : peer;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
  const trustProxy = config.trustProxy ?? false;
  const origins = new Set(config.allowedOrigins);
  const ipLimiter = new RateLimiter(config.ipRate ?? { capacity: 60, perMinute: 120 });
  const hookLimiter = new RateLimiter(config.hookRate ?? { capacity: 2000, perMinute: 12_000 });
  const sessionLimiter = new RateLimiter(config.sessionRate ?? { capacity: 60, perMinute: 300 });
  const adapters = new Map(config.adapters.map((a) => [a.vendor, a]));
  const extraRoutes = new Map((config.routes ?? []).map((r) => [r.path, r]));
  const store = config.store ?? new MemoryStore();
  /** Sessions this instance has loaded: the ones it created, resumed or served a hookpoint for. */
  const local = new Map<string, RelaySession>();
  const loading = new Map<string, Promise<RelaySession | null>>();
  let closing = false;

  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.ceil(maxUploadBytes * 1.4) + 64 * 1024 });
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
    const put = store.putFile(fileId, { ...file, sessionId: session.id }, maxUploadBytes * 4);
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
      hookpointBase: `${hookpointBase}/${vendor}`,
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
      log: (m) => log(`${vendor} ${session.id.slice(0, 6)}: ${m}`),
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
    session.send({ type: 'event', ...item });
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
          session.send({ type: 'event', ...item });
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

  wss.on('connection', (ws: WebSocket) => {
    let session: RelaySession | null = null;
    let frames: Promise<void> = Promise.resolve();
    const fatal = (code: RelayFatalCode, message: string) => {
      const frame: ServerFrame = { type: 'fatal', code, message };
      ws.send(JSON.stringify(frame));
      ws.close(CLOSE_FATAL, code);
    };
    const helloTimer = setTimeout(() => ws.close(CLOSE_FATAL, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(helloTimer);
      session?.detach(ws);
    });

    async function onFrame(frame: ClientFrame | null): Promise<void> {
      if (!frame) {
        if (!session) return fatal('bad-frame', 'expected hello or resume');
        return emitNow(session, { type: 'error', code: 'bad-frame', message: 'The relay could not read a message from the widget.', fatal: false });
      }
      if (!session) {
        clearTimeout(helloTimer);
        if (frame.type === 'hello') {
          const factory = adapters.get(frame.vendor);
          if (!factory) return fatal('vendor-unknown', `this relay does not serve ${frame.vendor}`);
          const created = await createSession(factory, frame.page);
          session = created;
          await attach(created, ws, 0, welcome(created, false));
          void operate(created, () => created.adapter.open()).catch((err: unknown) => log(`open failed: ${String(err)}`));
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
      if (frame.type === 'ping') return void ws.send(JSON.stringify({ type: 'pong' } satisfies ServerFrame));
      if (frame.type === 'ack') return void store.ack(s.id, frame.seq).catch(() => undefined);
      if (frame.type !== 'command') return;
      s.touch();
      if (!sessionLimiter.take(s.id)) {
        return emitNow(s, { type: 'error', code: 'rate-limited', message: 'Too many messages at once. Please slow down.', fatal: false });
      }
      const command = frame.command;
      void operate(s, () => s.adapter.handle(command)).catch((err: unknown) => {
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
        emitNow(s, { type: 'error', code: 'relay', message: String(err), fatal: false });
      });
    }

    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? null : decodeFrame(data.toString());
      // Frames of one socket are handled in arrival order, even when one waits on the store.
      frames = frames.then(() => onFrame(frame)).catch((err: unknown) => {
        log(`frame failed: ${String(err)}`);
        if (!session && ws.readyState === ws.OPEN) fatal('session-unknown', 'the relay could not open the session');
      });
    });
  });

  function welcome(session: RelaySession, resumed: boolean): ServerFrame {
    return { type: 'welcome', token: sessionToken(config.signingKey, session.id), capabilities: [...session.factory.capabilities], resumed };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (closing || path !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!ipLimiter.take(clientIp(req, trustProxy))) return rejectUpgrade(socket, 429, 'Too Many Requests');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((err: unknown) => {
      log(`request failed: ${String(err)}`);
      json(res, 500, { success: false });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req, trustProxy);
    const url = new URL(req.url ?? '/', 'http://relay');
    const parts = url.pathname.split('/').filter(Boolean);
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};

    if (req.method === 'GET' && url.pathname === '/healthz') return json(res, 200, { ok: !closing });

    if (parts[0] === 'files' && parts.length === 3 && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!ipLimiter.take(ip)) return json(res, 429, { success: false });
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
    if (extra) return extra.handle(req, res);

    const isHook =
      req.method === 'POST' && parts.length === 4 && parts[0] === 'hook' && safeEqual(parts[1]!, config.hookSecret);
    if (!isHook) {
      // Wrong secret, wrong path, wrong method: all look the same, and guessing is rate limited.
      req.resume();
      if (!ipLimiter.take(ip)) return json(res, 429, { success: false });
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
    const factory = adapters.get(parts[2]!);
    const hook = factory?.routes.find((r) => r.path === parts[3]);
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
      const outcome = await hookOnce(hook, body, factory.vendor);
      if (outcome.failed?.reason instanceof StaleCommit && attempt < HOOK_ATTEMPTS) continue;
      if (outcome.failed) throw outcome.failed.reason;
      return json(res, outcome.reply.status, outcome.reply.body);
    }
  }

  async function hookOnce(
    hook: HookpointRoute,
    body: HookpointBody,
    vendor: string,
  ): Promise<{ reply: HookpointReply; failed?: PromiseRejectedResult }> {
    const held: { release(): void; done: Promise<void> }[] = [];
    const find = async (key: string): Promise<RelayAdapter | undefined> => {
      const id = await store.idByHookKey(vendor, key);
      const session = id ? await load(id) : null;
      if (!session) return undefined;
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
