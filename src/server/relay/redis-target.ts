/**
 * Where the relay's Redis is: one URL (REDIS_URL) or a master found through Redis Sentinel
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME). Connecting is ./redis-connection.ts (kept apart so
 * a relay without Redis never loads ioredis).
 *
 * Redis Cluster is refused with the reason: the store's Lua scripts and transactions touch a
 * session's keys together with fleet-wide keys (the active set, the file budget), which Cluster
 * would spread over different slots.
 */

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

