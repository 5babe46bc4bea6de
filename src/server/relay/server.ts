/**
 * The relay: one HTTP server carrying
 *   GET  /ws                                   visitor WebSockets (Origin allowlisted)
 *   POST /hook/<secret>/<vendor>/<token>/<route>  vendor hookpoints (secret, per-session token, IP allowlist, caps)
 *   GET  /files/<id>/<name>?sig=…              files signed for one session
 *   GET  /healthz                              alive (200 while the process runs)
 *   GET  /readyz                               ready: the store answers and the relay is not draining (else 503)
 *   any  <config.routes[].path>                extra endpoints (e.g. a transaction-hash endpoint)
 * and 401 for everything else (./http-routes.ts). Sessions live in a SessionStore (./store.ts): in memory by
 * default, or shared by several instances (Redis), any of which may serve any request. Vendor knowledge lives in the adapters (./adapter.ts).
 *
 * The rooms: ./env.ts (configuration with its defaults), ./registry.ts (the sessions this
 * instance holds), ./delivery.ts (events to the socket, replay), ./visitor-socket.ts (the
 * visitor's WebSocket), ./http-routes.ts (everything over plain HTTP). This file wires them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { unref, type Clock } from '../clock';
import type { RelayAdapterFactory } from './adapter';
import { startDelivery } from './delivery';
import { relaySettings, type RelayEnv } from './env';
import { serveHttp } from './http-routes';
import type { RateLimit } from './rate-limit';
import { sessionRegistry } from './registry';
import type { SessionStore } from './store';
import { guardSockets, type VisitorSocketLimits } from './visitor-socket-guard';
import type { VisitorRates } from './visitor-limits';
import { serveVisitorSockets } from './visitor-socket';

export { DEFAULT_FILE_TYPES } from './env';

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
  /** Time and timers (default the real ones); tests pass one they advance. Shutdown bounds stay on wall time. */
  clock?: Clock;
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
  /** The listening HTTP server (the sandbox watches its upgrades to cut visitor sockets). */
  httpServer: Server;
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig): Promise<RelayHandle> {
  const settings = relaySettings(config);
  const { log, limits, idleMs, clock } = settings;
  let closing = false;

  const server = createServer();
  // A client that trickles its headers or body holds a socket and its buffers: bounded.
  server.headersTimeout = 15_000;
  server.requestTimeout = 120_000;
  // After hello a frame may carry one file (base64: 4/3 of its bytes) and its command.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.ceil((settings.maxUploadBytes * 4) / 3) + 16 * 1024 });
  const guard = guardSockets(wss, limits.sockets, log, clock);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, config.host ?? '127.0.0.1', resolve);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const publicUrl = (config.publicUrl ?? `http://${host}:${addr.port}`).replace(/\/+$/, '');
  const hookpointBase = `${publicUrl}/hook/${config.hookSecret}`;
  const env: RelayEnv = { ...settings, publicUrl, hookpointBase, closing: () => closing };

  const registry = sessionRegistry(env);
  const delivery = startDelivery(env, registry);
  serveVisitorSockets(env, server, wss, guard, registry, delivery);
  serveHttp(env, server, registry);

  let sweeping = false;
  const sweeper = clock.setInterval(
    () => {
      if (!sweeping) {
        sweeping = true;
        registry
          .sweep()
          .catch((err: unknown) => log(`sweep failed: ${String(err)}`))
          .finally(() => (sweeping = false));
      }
      limits.ip.sweep();
      limits.http.sweep();
      limits.visitor.sweep();
      limits.hook.sweep();
      limits.session.sweep();
    },
    Math.max(50, Math.min(30_000, idleMs / 4)),
  );
  unref(sweeper);

  return {
    url: publicUrl.replace(/^http/, 'ws'),
    hookpointBase,
    httpServer: server,
    async close() {
      if (closing) return;
      closing = true;
      clock.clearInterval(sweeper);
      guard.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Drain: let queued commands reach the vendor, then say goodbye to every socket.
      // With a shared store the sessions stay there for the other instances (or this one, restarted).
      const drain = Promise.all([...registry.local.values()].map((s) => registry.endSession(s, 'shutdown').catch(() => undefined)));
      await Promise.race([drain, new Promise((r) => setTimeout(r, config.drainMs ?? 5000).unref())]);
      for (const ws of wss.clients) ws.close(1001, 'relay shutting down');
      wss.close();
      server.closeIdleConnections();
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 1000).unref())]);
      server.closeAllConnections();
    },
  };
}
