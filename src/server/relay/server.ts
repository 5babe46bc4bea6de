/**
 * The relay: one HTTP server carrying
 *   GET  /ws                                   visitor WebSockets (Origin allowlisted)
 *   POST /hook/<secret>/<vendor>/<route>       vendor hookpoints (secret, IP allowlist, caps)
 *   GET  /files/<id>/<name>?sig=…              files signed for one session
 *   GET  /healthz
 * and 401 for everything else. Vendor knowledge lives in the adapters (./adapter.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConfabEventBody } from '../../core/contract';
import {
  CLOSE_FATAL,
  CLOSE_REPLACED,
  type ClientFrame,
  type RelayFatalCode,
  type RelayPage,
  type ServerFrame,
  type WireCommand,
} from '../../transports/relay/protocol';
import type { AdapterContext, RelayAdapterFactory } from './adapter';
import { FileStore } from './files';
import { BodyError, readHookpointBody } from './http-body';
import { RateLimiter, type RateLimit } from './rate-limit';
import { RelaySession } from './session';
import { newId, safeEqual, sessionToken, verifySessionToken } from './tokens';

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
  /** Use the first X-Forwarded-For address as the client IP (behind a trusted proxy only). */
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
}

export interface RelayHandle {
  /** WebSocket base (the widget's data-relay). */
  url: string;
  /** Public http base of hookpoints, without vendor: `${hookpointBase}/<vendor>/<route>`. */
  hookpointBase: string;
  close(): Promise<void>;
}

export const DEFAULT_FILE_TYPES = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf', 'txt', 'csv', 'doc', 'docx', 'xls', 'xlsx'];

const HELLO_TIMEOUT_MS = 10_000;

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const fwd = req.headers['x-forwarded-for'];
  if (trustProxy && typeof fwd === 'string' && fwd) return fwd.split(',')[0]!.trim();
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
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

function decodeFrame(raw: string): ClientFrame | null {
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
    case 'command': {
      const c = f.command as Record<string, unknown> | null;
      // The adapter validates each command's fields; here only its shape is checked.
      return c && typeof c === 'object' && typeof c.type === 'string' ? { type: 'command', command: c as unknown as WireCommand } : null;
    }
    default:
      return null;
  }
}

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
  const sessions = new Map<string, RelaySession>();
  /** `${vendor}\n${hookKey}` → session */
  const byHookKey = new Map<string, RelaySession>();
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
  const files = new FileStore(config.signingKey, publicUrl, maxUploadBytes * 4);

  function endSession(session: RelaySession, reason: 'expired' | 'shutdown'): Promise<void> {
    sessions.delete(session.id);
    byHookKey.delete(`${session.vendor}\n${session.adapter.hookKey}`);
    files.dropSession(session.id);
    return session.run(() => session.adapter.close(reason));
  }

  function createSession(vendor: RelayAdapterFactory, page: RelayPage): RelaySession {
    const session = new RelaySession(newId(), vendor.vendor, bufferLimit, Date.now);
    const ctx: AdapterContext = {
      sessionId: session.id,
      page,
      hookpointBase: `${hookpointBase}/${vendor.vendor}`,
      emit: (event: ConfabEventBody) => session.emit(event),
      storeFile: (file) => files.put(session.id, file),
      touch: () => session.touch(),
      files: { allowedTypes, maxBytes: maxUploadBytes },
      log: (m) => log(`${vendor.vendor} ${session.id.slice(0, 6)}: ${m}`),
    };
    session.adapter = vendor.create(ctx);
    sessions.set(session.id, session);
    byHookKey.set(`${vendor.vendor}\n${session.adapter.hookKey}`, session);
    void session.run(() => session.adapter.open());
    return session;
  }

  wss.on('connection', (ws: WebSocket) => {
    let session: RelaySession | null = null;
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
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? null : decodeFrame(data.toString());
      if (!frame) {
        if (!session) return fatal('bad-frame', 'expected hello or resume');
        session.emit({ type: 'error', code: 'bad-frame', message: 'The relay could not read a message from the widget.', fatal: false });
        return;
      }
      if (!session) {
        clearTimeout(helloTimer);
        if (frame.type === 'hello') {
          const factory = adapters.get(frame.vendor);
          if (!factory) return fatal('vendor-unknown', `this relay does not serve ${frame.vendor}`);
          session = createSession(factory, frame.page);
          session.attach(ws, 0, welcome(session, factory, false));
        } else if (frame.type === 'resume') {
          const id = verifySessionToken(config.signingKey, frame.token);
          if (!id) return fatal('bad-token', 'invalid session token');
          const found = sessions.get(id);
          if (!found) return fatal('session-unknown', 'the session has ended or expired');
          const old = found.socket;
          session = found;
          if (old && old !== ws) old.close(CLOSE_REPLACED, 'replaced by a newer connection');
          found.attach(ws, frame.lastSeq, welcome(found, adapters.get(found.vendor)!, true));
        } else fatal('bad-frame', 'expected hello or resume');
        return;
      }
      if (frame.type === 'ack') return session.ack(frame.seq);
      if (frame.type !== 'command') return;
      session.touch();
      if (!sessionLimiter.take(session.id)) {
        session.emit({ type: 'error', code: 'rate-limited', message: 'Too many messages at once. Please slow down.', fatal: false });
        return;
      }
      session.enqueue(frame.command);
    });
  });

  function welcome(session: RelaySession, factory: RelayAdapterFactory, resumed: boolean): ServerFrame {
    return { type: 'welcome', token: sessionToken(config.signingKey, session.id), capabilities: [...factory.capabilities], resumed };
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
      const file = files.get(parts[1]!, url.searchParams.get('sig') ?? '');
      if (!file) return json(res, 403, { success: false }, cors);
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
    const reply = await hook.handle(body, (key) => {
      const s = byHookKey.get(`${factory.vendor}\n${key}`);
      if (s) s.touch();
      return s?.adapter;
    });
    json(res, reply.status, reply.body);
  }

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const s of sessions.values()) {
        if (now - s.lastActive > idleMs && !s.busy) {
          s.emit({ type: 'ended', by: 'timeout' });
          s.socket?.close(1000, 'session expired');
          void endSession(s, 'expired');
        }
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
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweeper);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Drain: let queued commands reach the vendor, then say goodbye to every socket.
      const drain = Promise.all([...sessions.values()].map((s) => endSession(s, 'shutdown').catch(() => undefined)));
      await Promise.race([drain, new Promise((r) => setTimeout(r, config.drainMs ?? 5000).unref())]);
      for (const ws of wss.clients) ws.close(1001, 'relay shutting down');
      wss.close();
      server.closeIdleConnections();
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 1000).unref())]);
      server.closeAllConnections();
    },
  };
}
