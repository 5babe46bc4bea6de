/**
 * What the relay tells its operator, as one interface the relay's code calls at the moments that
 * matter (a visitor socket opens, a session starts or ends, a hookpoint is answered, a limit
 * refuses, the store changes state). The default does nothing but pass log lines on, so tests
 * and embedders that start the relay in-process get no metrics registry and no JSON logger;
 * `cli.ts` installs the real one (pino logs + Prometheus metrics, ./observability.ts).
 *
 * A process-wide slot rather than a config field: the limiters, the store and the upstream
 * fetch are built in several places, and each needs the same sink.
 */
import type { ConfabEventBody } from '../../core/contract';

export type RedisState = 'connecting' | 'ready' | 'reconnecting' | 'closed' | 'error';

export interface SessionView {
  readonly vendor: string;
  /** Whether a visitor socket is attached on this instance. */
  readonly attached: boolean;
}

export interface RelayTelemetry {
  socketOpened(): void;
  socketClosed(): void;
  frameIn(): void;
  frameOut(): void;
  sessionStarted(vendor: string, sessionId: string): void;
  /** An event a session emitted (committed to the store): starts, acceptance and ends are counted. */
  sessionEvent(vendor: string, sessionId: string, event: ConfabEventBody): void;
  /** A hookpoint answered with `status` (vendor '' when the path named none the relay serves). */
  hookpoint(vendor: string, route: string, status: number, ms: number): void;
  /** A visitor socket refused at the upgrade, and why (e.g. its Origin is not allowed). */
  socketRefused(status: number, reason: string, detail?: string): void;
  /** A rate limit said no. */
  rateLimited(limit: string): void;
  /** One call to a vendor's API (status 0: no HTTP answer). */
  upstream(endpoint: string, status: number, ms: number, error?: string): void;
  redisState(role: string, state: RedisState, detail?: string): void;
  redisRoundTrip(ms: number): void;
  /** A Redis command failed where the relay carries on regardless (it is still logged). */
  redisError(operation: string, message: string): void;
  /** A line from an adapter about one session. */
  adapterLog(vendor: string, sessionId: string, message: string, fallback: (message: string) => void): void;
  /** Sessions this instance holds, read when metrics are collected. */
  watchSessions(list: () => Iterable<SessionView>): void;
}

const nothing = (): void => undefined;

export const NO_TELEMETRY: RelayTelemetry = {
  socketOpened: nothing,
  socketClosed: nothing,
  frameIn: nothing,
  frameOut: nothing,
  sessionStarted: nothing,
  sessionEvent: nothing,
  hookpoint: nothing,
  socketRefused: nothing,
  rateLimited: nothing,
  upstream: nothing,
  redisState: nothing,
  redisRoundTrip: nothing,
  redisError: nothing,
  adapterLog: (vendor, sessionId, message, fallback) => fallback(`${vendor} ${sessionId.slice(0, 6)}: ${message}`),
  watchSessions: nothing,
};

let current: RelayTelemetry = NO_TELEMETRY;

export function telemetry(): RelayTelemetry {
  return current;
}

/** Installs `t` for this process; returns a function that puts the previous one back. */
export function installTelemetry(t: RelayTelemetry): () => void {
  const previous = current;
  current = t;
  return () => {
    current = previous;
  };
}

/** Counts a visitor socket's frames both ways and its closing (one call where it is accepted). */
export function watchSocket(ws: { send: (...args: never[]) => void; on(event: 'message' | 'close', fn: () => void): unknown }): void {
  const t = telemetry();
  if (t === NO_TELEMETRY) return;
  t.socketOpened();
  ws.on('message', () => telemetry().frameIn());
  ws.on('close', () => telemetry().socketClosed());
  const send = ws.send.bind(ws) as (...args: never[]) => void;
  ws.send = (...args: never[]) => {
    telemetry().frameOut();
    send(...args);
  };
}

/**
 * Reports a hookpoint call once its answer is sent. `vendor` / `route` become labels only when
 * the relay serves them (the caller passes the adapter it found), never as the path spelled them.
 */
export function observeHookpoint(
  res: { once(event: 'finish', fn: () => void): unknown; statusCode: number },
  factory: { vendor: string; routes: readonly { path: string }[] } | undefined,
  route: string,
): void {
  if (telemetry() === NO_TELEMETRY) return;
  const started = performance.now();
  const vendor = factory?.vendor ?? '';
  const known = factory?.routes.some((r) => r.path === route) ? route : '';
  res.once('finish', () => telemetry().hookpoint(vendor, known, res.statusCode, performance.now() - started));
}
