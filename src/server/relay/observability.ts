/**
 * The relay's real telemetry (./telemetry.ts): structured log lines (./logger.ts) and Prometheus
 * metrics (prom-client, in a registry of its own, served by ./metrics-server.ts).
 *
 * Labels only ever take values from a bounded set the relay chose (vendors and routes it serves,
 * HTTP statuses, event types of the contract, the names of its limits), never a string a visitor
 * or a scanner sent, so a flood of junk cannot grow the series without bound.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConfabEventBody } from '../../core/contract';
import type { RelayLogger } from './logger';
import type { RelayTelemetry, SessionView } from './telemetry';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** At most `perMinute` lines of one kind a minute (a scanner's 401s must not fill the disk). */
function budget(perMinute: number, now: () => number = Date.now): () => boolean {
  let windowStart = 0;
  let used = 0;
  return () => {
    const t = now();
    if (t - windowStart >= 60_000) {
      windowStart = t;
      used = 0;
    }
    return used++ < perMinute;
  };
}

export interface Observability extends RelayTelemetry {
  readonly registry: Registry;
  readonly logger: RelayLogger;
  /** The last error a Redis connection reported (for the start-up message when it never came up). */
  lastRedisError(): string | undefined;
}

export function createObservability(logger: RelayLogger, opts: { defaultMetrics?: boolean } = {}): Observability {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const m = {
    sockets: new Gauge({ name: 'confab_relay_visitor_sockets', help: 'Open visitor WebSockets on this instance', registers: [registry] }),
    frames: new Counter({ name: 'confab_relay_frames_total', help: 'Visitor WebSocket frames, by direction', labelNames: ['direction'], registers: [registry] }),
    started: new Counter({ name: 'confab_relay_sessions_started_total', help: 'Sessions opened (a widget said hello)', labelNames: ['vendor'], registers: [registry] }),
    accepted: new Counter({ name: 'confab_relay_chats_accepted_total', help: 'Chats the vendor accepted', labelNames: ['vendor'], registers: [registry] }),
    ended: new Counter({ name: 'confab_relay_sessions_ended_total', help: 'Chats ended, by who ended them', labelNames: ['vendor', 'by'], registers: [registry] }),
    hookpoints: new Counter({ name: 'confab_relay_hookpoints_total', help: 'Vendor hookpoint calls, by result', labelNames: ['vendor', 'route', 'result'], registers: [registry] }),
    hookSeconds: new Histogram({ name: 'confab_relay_hookpoint_seconds', help: 'Hookpoint handling time (until the vendor hears the answer)', labelNames: ['vendor'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    refusedSockets: new Counter({ name: 'confab_relay_socket_refusals_total', help: 'Visitor WebSocket upgrades refused, by reason', labelNames: ['reason'], registers: [registry] }),
    limited: new Counter({ name: 'confab_relay_rate_limited_total', help: 'Requests, frames or commands refused by a rate limit', labelNames: ['limit'], registers: [registry] }),
    upstream: new Counter({ name: 'confab_relay_upstream_calls_total', help: "Calls to a vendor's API, by endpoint and HTTP status (0: no answer)", labelNames: ['endpoint', 'status'], registers: [registry] }),
    upstreamSeconds: new Histogram({ name: 'confab_relay_upstream_seconds', help: "Latency of calls to a vendor's API", labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    redisUp: new Gauge({ name: 'confab_relay_redis_up', help: 'Whether the Redis connection is ready (1) or not (0), by role', labelNames: ['role'], registers: [registry] }),
    redisErrors: new Counter({ name: 'confab_relay_redis_errors_total', help: 'Redis commands that failed where the relay carried on', labelNames: ['operation'], registers: [registry] }),
    redisSeconds: new Histogram({ name: 'confab_relay_redis_roundtrip_seconds', help: 'Redis PING round trip', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
  };
  let sessionList: () => Iterable<SessionView> = () => [];
  new Gauge({
    name: 'confab_relay_sessions',
    help: 'Sessions this instance holds, by vendor and state (attached: a visitor socket is here; away: none)',
    labelNames: ['vendor', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sessionList()) this.inc({ vendor: s.vendor, state: s.attached ? 'attached' : 'away' });
    },
  });
  const refusalLines = budget(30);
  const upstreamLines = budget(60);
  const limitLines = budget(10);
  const redisErrorLines = budget(30);
  const redisUp = new Map<string, boolean>();
  let lastRedisError: string | undefined;

  return {
    registry,
    logger,
    lastRedisError: () => lastRedisError,
    socketOpened: () => m.sockets.inc(),
    socketClosed: () => m.sockets.dec(),
    frameIn: () => m.frames.inc({ direction: 'in' }),
    frameOut: () => m.frames.inc({ direction: 'out' }),
    sessionStarted(vendor, sessionId) {
      m.started.inc({ vendor });
      logger.info({ event: 'session-start', vendor, session: sessionId });
    },
    sessionEvent(vendor, sessionId, event: ConfabEventBody) {
      if (event.type === 'accepted') {
        m.accepted.inc({ vendor });
        logger.info({ event: 'chat-accepted', vendor, session: sessionId });
      } else if (event.type === 'ended') {
        m.ended.inc({ vendor, by: event.by });
        logger.info({ event: 'session-end', vendor, session: sessionId, by: event.by });
      } else if (event.type === 'message' && logger.isLevelEnabled('debug')) {
        // Never at info: the text is the visitor's (or the agent's) and stays out of ordinary logs.
        logger.debug({ event: 'message', vendor, session: sessionId, sender: event.message.sender, text: event.message.text });
      }
    },
    hookpoint(vendor, route, status, ms) {
      const result = status < 300 ? 'ok' : status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'unknown' : status === 413 ? 'too-large' : status === 429 ? 'rate-limited' : status >= 500 ? 'failed' : 'refused';
      m.hookpoints.inc({ vendor: vendor || 'none', route: route || 'none', result });
      m.hookSeconds.observe({ vendor: vendor || 'none' }, ms / 1000);
      if (status >= 400 && refusalLines()) logger.warn({ event: 'hookpoint-refused', vendor: vendor || undefined, route: route || undefined, status, result });
    },
    socketRefused(status, reason, detail) {
      m.refusedSockets.inc({ reason });
      if (refusalLines()) logger.warn({ event: 'socket-refused', status, reason, ...(detail ? { detail: detail.slice(0, 200) } : {}) });
    },
    rateLimited(limit) {
      m.limited.inc({ limit });
      if (limitLines()) logger.info({ event: 'rate-limited', limit });
    },
    upstream(endpoint, status, ms, error) {
      m.upstream.inc({ endpoint, status: String(status) });
      m.upstreamSeconds.observe({ endpoint }, ms / 1000);
      if ((status === 0 || status >= 400) && upstreamLines()) logger.warn({ event: 'upstream-failed', endpoint, status, ms: Math.round(ms), ...(error ? { error: error.slice(0, 300) } : {}) });
    },
    redisState(role, state, detail) {
      m.redisUp.set({ role }, state === 'ready' ? 1 : 0);
      if (state === 'error') lastRedisError = detail;
      // One line when a connection comes up and one when it goes down (with why), not one per
      // reconnection attempt while it stays down.
      const up = state === 'ready';
      if (redisUp.get(role) === up) return;
      redisUp.set(role, up);
      const line = { event: 'redis-state', role, state: up ? 'up' : 'down', ...(detail ? { detail: detail.slice(0, 300) } : {}) };
      if (up) logger.info(line);
      else logger.warn(line);
    },
    redisRoundTrip: (ms) => m.redisSeconds.observe(ms / 1000),
    redisError(operation, message) {
      m.redisErrors.inc({ operation });
      if (redisErrorLines()) logger.warn({ event: 'redis-error', operation, error: message.slice(0, 300) });
    },
    adapterLog(vendor, sessionId, message) {
      logger.warn({ event: 'adapter', vendor, session: sessionId }, message.slice(0, 2000));
    },
    watchSessions(list) {
      sessionList = list;
    },
  };
}

/**
 * `fetch` for the vendor adapters that counts and times every call by endpoint: the last two
 * segments of the URL's path (e.g. `chat/notifyUserNewChatMessage`), which the relay's own
 * configuration chooses.
 */
export function observedFetch(t: () => RelayTelemetry, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let endpoint = 'unknown';
    try {
      endpoint = new URL(url).pathname.split('/').filter(Boolean).slice(-2).join('/') || '/';
    } catch {
      // not a URL: counted as unknown
    }
    const started = performance.now();
    try {
      const res = await inner(input, init);
      t().upstream(endpoint, res.status, performance.now() - started);
      return res;
    } catch (err) {
      t().upstream(endpoint, 0, performance.now() - started, err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err));
      throw err;
    }
  };
}
