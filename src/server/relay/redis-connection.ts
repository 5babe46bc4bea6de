/**
 * Where the relay's Redis is and how to connect to it: one URL (REDIS_URL) or a master found
 * through Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME; ioredis asks the Sentinels for
 * the current master and follows a failover). Every connection reports its state changes
 * (./telemetry.ts): an outage is logged, never swallowed.
 *
 * Redis Cluster is refused with the reason: the store's Lua scripts and transactions touch a
 * session's keys together with fleet-wide keys (the active set, the file budget), which Cluster
 * would spread over different slots.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { telemetry } from './telemetry';

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string };

/** Reads REDIS_URL / REDIS_SENTINELS; problems go into `problems`; undefined: no Redis. */
export function redisTargetFromEnv(env: Record<string, string | undefined>, problems: string[]): RedisTarget | undefined {
  if (env.REDIS_CLUSTER_NODES)
    problems.push(
      "REDIS_CLUSTER_NODES: Redis Cluster is not supported: the session store's scripts update a session's keys and fleet-wide keys together, which Cluster spreads over slots; use one Redis or Sentinel (REDIS_SENTINELS)",
    );
  if (env.REDIS_SENTINELS) {
    const sentinels: { host: string; port: number }[] = [];
    for (const item of env.REDIS_SENTINELS.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(item);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) problems.push(`REDIS_SENTINELS: "${item.slice(0, 80)}" is not host:port`);
      else sentinels.push({ host: m[1]!, port });
    }
    if (!sentinels.length && !problems.some((p) => p.startsWith('REDIS_SENTINELS'))) problems.push('REDIS_SENTINELS lists no Sentinel (host:port,host:port)');
    return { kind: 'sentinel', sentinels, name: env.REDIS_SENTINEL_NAME || 'mymaster', password: env.REDIS_PASSWORD || undefined };
  }
  if (env.REDIS_URL) return { kind: 'url', url: env.REDIS_URL };
  return undefined;
}

/** For logs and error messages: never the password. */
export function describeTarget(t: RedisTarget): string {
  if (t.kind === 'sentinel') return `Sentinel master "${t.name}" via ${t.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}`;
  try {
    const u = new URL(t.url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'REDIS_URL';
  }
}

/** A client for `target`, whose state changes go to the telemetry under `role`. */
export function connectRedis(target: RedisTarget, options: RedisOptions, role: string): Redis {
  const client =
    target.kind === 'url'
      ? new Redis(target.url, options)
      : new Redis({
          ...options,
          sentinels: target.sentinels,
          name: target.name,
          password: target.password,
          // Follow a failover as soon as the Sentinels announce it (+switch-master), and treat the
          // old master's READONLY (it is a replica now) as a cue to reconnect to the new one and
          // send the command again.
          failoverDetector: true,
          reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
        });
  const state = (s: Parameters<ReturnType<typeof telemetry>['redisState']>[1], detail?: string) => telemetry().redisState(role, s, detail);
  client.on('ready', () => state('ready', describeTarget(target)));
  client.on('reconnecting', () => state('reconnecting'));
  client.on('end', () => state('closed'));
  // ioredis reconnects by itself; without a listener an 'error' event would end the process.
  client.on('error', (err: Error) => state('error', err.message));
  return client;
}
