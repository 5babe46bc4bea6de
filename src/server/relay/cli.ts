/**
 * The relay as an operator runs it (`confab-relay`, `npm run relay`): every setting checked
 * before anything starts (one line per problem, exit 1, no stack trace), JSON logs, metrics on
 * their own port, Redis (or Sentinel) reachable within a deadline, and SIGTERM/SIGINT that ends
 * the process within RELAY_DRAIN_SECONDS whatever Redis or the vendors do.
 */
import { ConfigError, configFromEnv, helpText } from './config';
import { operatorSettings, rewrittenOrigins } from './config-validate';
import { createLogger, lineLogger } from './logger';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { createObservability, observedFetch } from './observability';
import { guardProcess } from './process-guard';
import { describeTarget, redisTargetFromEnv } from './redis-target';
import type { RelayConfig } from './server';
import { startRelay } from './server';
import type { SessionStore } from './store';
import { installTelemetry, telemetry } from './telemetry';

type Env = Record<string, string | undefined>;

/** A start-up failure the operator can act on: printed as is, without a stack. */
class StartError extends Error {}

function refuse(lines: string[]): never {
  process.stderr.write(`Confab relay: configuration problems:\n${lines.map((l) => `  - ${l}`).join('\n')}\n\nRun with --help for the list of variables.\n`);
  process.exit(1);
}

function listenProblem(what: string, host: string, port: number, err: unknown): StartError {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return new StartError(`${what}: port ${port} on ${host} is already in use (another relay, or another program)`);
  if (code === 'EACCES') return new StartError(`${what}: not allowed to listen on port ${port} (below 1024 needs privileges; use e.g. 8787 behind a proxy)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new StartError(`${what}: ${host} is not an address of this machine`);
  return new StartError(`${what}: cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
}

function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

export async function runRelayCli(env: Env = process.env, argv: readonly string[] = process.argv): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  // Everything is checked before anything starts, and all problems are reported together.
  const { settings, problems } = operatorSettings(env);
  const redisTarget = redisTargetFromEnv(env, problems);
  let config: RelayConfig | undefined;
  try {
    config = configFromEnv(env, { fetch: observedFetch(telemetry) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.unshift(...err.message.split('\n'));
  }
  if (problems.length || !config) refuse(problems);

  const logger = createLogger(settings.logLevel);
  const obs = createObservability(logger);
  installTelemetry(obs);
  guardProcess(lineLogger(logger, 'uncaught'));
  for (const { given, read } of rewrittenOrigins((env.RELAY_ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)))
    logger.info({ event: 'config-note', given, read }, `RELAY_ALLOWED_ORIGINS: "${given}" is read as "${read}" (the form browsers send)`);

  let store: (SessionStore & { close(timeoutMs?: number): Promise<void>; ping(): Promise<unknown> }) | undefined;
  let metrics: MetricsServer | undefined;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  let pinger: NodeJS.Timeout | undefined;
  try {
    if (redisTarget) {
      // Loaded only when used, so a single-instance relay never loads a Redis client.
      const { RedisStore } = await import('./redis-store');
      const redis = new RedisStore({ target: redisTarget, prefix: env.REDIS_PREFIX, ttlMs: Math.max(config.sessionIdleMs ?? 0, 3600_000) * 2 });
      store = redis;
      const ready = await within(
        redis.readyWithin(settings.redisConnectMs).then(
          () => null,
          (err: unknown) => err,
        ),
        // A hard bound too: a command that hangs (a blackholed address) is cut at its own timeout.
        settings.redisConnectMs + 1000,
      );
      if (ready !== null) {
        // The connection's own error (ECONNREFUSED, a DNS failure, NOAUTH) says more than the command's.
        const why = obs.lastRedisError() ?? (ready === TIMED_OUT ? 'no answer' : ready instanceof Error ? ready.message : String(ready));
        throw new StartError(
          `Redis (${describeTarget(redisTarget)}) did not answer within ${settings.redisConnectMs / 1000} s: ${why} (REDIS_CONNECT_TIMEOUT_SECONDS sets the deadline)`,
        );
      }
      pinger = setInterval(() => {
        const t0 = performance.now();
        redis.ping().then(
          () => telemetry().redisRoundTrip(performance.now() - t0),
          () => undefined, // the connection's own error/state lines say why
        );
      }, 5000);
      pinger.unref();
    }
    const host = config.host ?? '0.0.0.0';
    const port = config.port ?? 8787;
    relay = await startRelay({ ...config, store, log: lineLogger(logger), drainMs: Math.max(100, settings.drainMs / 2) }).catch((err: unknown) => {
      throw listenProblem('RELAY_PORT', host, port, err);
    });
    if (settings.metrics) {
      const m = settings.metrics;
      metrics = await startMetricsServer(obs.registry, m).catch((err: unknown) => {
        throw listenProblem('METRICS_PORT', m.host, m.port, err);
      });
    }
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    process.stderr.write(`Confab relay: cannot start: ${err.message}\n`);
    logger.fatal({ event: 'start-failed' }, err.message);
    clearInterval(pinger);
    await relay?.close();
    await store?.close(500);
    process.exit(1);
  }

  logger.info(
    {
      event: 'listening',
      relay: config.publicUrl?.replace(/^http/, 'ws') ?? relay.url,
      store: redisTarget ? describeTarget(redisTarget) : 'memory',
      ...(metrics ? { metrics: metrics.url } : {}),
      routes: (config.routes ?? []).map((r) => r.path),
    },
    `listening; widgets use data-relay="${config.publicUrl?.replace(/^http/, 'ws') ?? relay.url}"`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'draining', signal, boundMs: settings.drainMs });
    // The bound: whatever hangs (a Redis that stopped answering, a vendor call), the process ends.
    setTimeout(() => {
      logger.warn({ event: 'drain-timeout', boundMs: settings.drainMs }, 'drain did not finish in time; exiting');
      process.exit(1);
    }, settings.drainMs);
    clearInterval(pinger);
    relay!
      .close()
      .then(() => Promise.all([store?.close(Math.max(100, settings.drainMs / 4)), metrics?.close()]))
      .then(
        () => {
          logger.info({ event: 'stopped' });
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ event: 'stop-failed', error: String(err) });
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
