/**
 * What every part of one relay instance reads: the configuration with its defaults applied,
 * the store, the limiters and the public addresses. Built once by `startRelay` (./server.ts).
 */
import type { IncomingMessage } from 'node:http';
import { systemClock, type Clock } from '../clock';
import type { RelayAdapterFactory } from './adapter';
import { clientIpResolver } from './proxy-trust';
import { RateLimiter, type Limiter, type LimiterFactory } from './rate-limit';
import type { RelayConfig, RelayRoute } from './server';
import { MemoryStore, type SessionStore } from './store';
import { ConnectionCounter, DEFAULT_SOCKET_LIMITS, type VisitorSocketLimits } from './visitor-socket-guard';
import { VisitorLimits } from './visitor-limits';

export const DEFAULT_FILE_TYPES = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf', 'txt', 'csv', 'doc', 'docx', 'xls', 'xlsx'];

export interface RelayLimits {
  /** Per client IP: WebSocket connects. */
  ip: Limiter;
  /** Per client IP: file downloads and rejected requests. */
  http: Limiter;
  /** Per vendor IP: hookpoint calls. */
  hook: Limiter;
  /** Per session: visitor commands. */
  session: Limiter;
  visitor: VisitorLimits;
  connections: ConnectionCounter;
  sockets: VisitorSocketLimits;
}

export interface RelaySettings {
  config: RelayConfig;
  /** Time and timers: the relay reads no other (tests advance it). */
  clock: Clock;
  log: (message: string) => void;
  store: SessionStore;
  adapters: ReadonlyMap<string, RelayAdapterFactory>;
  extraRoutes: ReadonlyMap<string, RelayRoute>;
  allowedTypes: string[];
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxSessionFileBytes: number;
  idleMs: number;
  bufferLimit: number;
  clientIp: (req: IncomingMessage) => string;
  origins: ReadonlySet<string>;
  limits: RelayLimits;
}

export interface RelayEnv extends RelaySettings {
  /** The relay's public http base (no trailing slash). */
  publicUrl: string;
  /** `${publicUrl}/hook/<secret>`: every vendor's hookpoints live under it. */
  hookpointBase: string;
  /** `close()` has begun: no new visitors, no sweeping. */
  closing(): boolean;
}

export function relaySettings(config: RelayConfig): RelaySettings {
  const maxUploadBytes = config.maxUploadBytes ?? 10 * 1024 * 1024;
  const socketLimits: VisitorSocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...config.sockets };
  const clock = config.clock ?? systemClock;
  const now = () => clock.now();
  const store: SessionStore = config.store ?? new MemoryStore({ maxFileBytes: config.maxStoredFileBytes ?? 200 * 1024 * 1024 });
  // A shared store shares the limits too (N instances allow a limit once); else this process's memory.
  const limiter: LimiterFactory = (limit, name) => store.limiter?.(limit, name, now) ?? new RateLimiter(limit, now, name);
  return {
    config,
    clock,
    log: config.log ?? ((m: string) => console.log(`[relay] ${m}`)),
    store,
    adapters: new Map(config.adapters.map((a) => [a.vendor, a])),
    extraRoutes: new Map((config.routes ?? []).map((r) => [r.path, r])),
    allowedTypes: (config.allowedFileTypes ?? DEFAULT_FILE_TYPES).map((t) => t.toLowerCase()),
    maxBodyBytes: config.maxBodyBytes ?? 64 * 1024,
    maxUploadBytes,
    maxSessionFileBytes: config.maxSessionFileBytes ?? maxUploadBytes * 2,
    idleMs: config.sessionIdleMs ?? 30 * 60_000,
    bufferLimit: config.bufferLimit ?? 500,
    clientIp: clientIpResolver({ trusted: config.trustedProxies, hops: config.proxyHops }),
    origins: new Set(config.allowedOrigins),
    limits: {
      ip: limiter(config.ipRate ?? { capacity: 60, perMinute: 120 }, 'connect'),
      http: limiter(config.httpRate ?? { capacity: 60, perMinute: 120 }, 'http'),
      hook: limiter(config.hookRate ?? { capacity: 2000, perMinute: 12_000 }, 'hookpoint'),
      session: limiter(config.sessionRate ?? { capacity: 60, perMinute: 300 }, 'command'),
      visitor: new VisitorLimits(config.visitorRates, limiter),
      connections: new ConnectionCounter(socketLimits.perIp),
      sockets: socketLimits,
    },
  };
}

/** Internal error text stays in the log: the browser gets a fixed sentence. */
export const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
