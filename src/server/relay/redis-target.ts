/**
 * Where the relay's Redis is: one URL (REDIS_URL), a master found through Redis Sentinel
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME), or a Redis Cluster (REDIS_CLUSTER_NODES: some of its
 * nodes; the rest are learned from them). Connecting is ./redis-connection.ts (kept apart so a
 * relay without Redis never loads ioredis). Cluster works because every script and transaction
 * of the store touches one hash slot (./redis-keys.ts).
 */

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; password?: string };

/** Reads REDIS_URL / REDIS_SENTINELS / REDIS_CLUSTER_NODES; problems go into `problems`; undefined: no Redis. */
export function redisTargetFromEnv(env: Record<string, string | undefined>, problems: string[]): RedisTarget | undefined {
  if (env.REDIS_CLUSTER_NODES) {
    if (env.REDIS_SENTINELS) problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: a relay uses one of them');
    const nodes = hostPorts('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES, problems);
    if (!nodes.length && !problems.some((p) => p.startsWith('REDIS_CLUSTER_NODES'))) problems.push('REDIS_CLUSTER_NODES lists no node (host:port,host:port)');
    return { kind: 'cluster', nodes, password: env.REDIS_PASSWORD || undefined };
  }
  if (env.REDIS_SENTINELS) {
    const sentinels = hostPorts('REDIS_SENTINELS', env.REDIS_SENTINELS, problems);
    if (!sentinels.length && !problems.some((p) => p.startsWith('REDIS_SENTINELS'))) problems.push('REDIS_SENTINELS lists no Sentinel (host:port,host:port)');
    return { kind: 'sentinel', sentinels, name: env.REDIS_SENTINEL_NAME || 'mymaster', password: env.REDIS_PASSWORD || undefined };
  }
  if (env.REDIS_URL) return { kind: 'url', url: env.REDIS_URL };
  return undefined;
}

/** "host:port,host:port" (IPv6 in brackets); each bad item is a problem named after `variable`. */
function hostPorts(variable: string, value: string, problems: string[]): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) problems.push(`${variable}: "${item.slice(0, 80)}" is not host:port`);
    else out.push({ host: m[1]!, port });
  }
  return out;
}

/** For logs and error messages: never the password. */
export function describeTarget(t: RedisTarget): string {
  if (t.kind === 'cluster') return `Redis Cluster via ${t.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  if (t.kind === 'sentinel') return `Sentinel master "${t.name}" via ${t.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}`;
  try {
    const u = new URL(t.url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'REDIS_URL';
  }
}

