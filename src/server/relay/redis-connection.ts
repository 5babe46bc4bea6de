/**
 * Connections to the relay's Redis (./redis-target.ts says where): ioredis, which for Sentinel
 * asks the Sentinels for the current master and follows a failover, and for Cluster learns the
 * slot map from the listed nodes and follows its redirections. Every connection reports its
 * state changes (./telemetry.ts): an outage is logged, never swallowed.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { describeTarget, type RedisTarget } from './redis-target';
import { telemetry } from './telemetry';

export type { RedisTarget } from './redis-target';

/** One Redis, a Sentinel-found master, or a Cluster: the store speaks to each the same way. */
export type RedisClient = Redis | Cluster;

/** A client for `target`, whose state changes go to the telemetry under `role`. */
export function connectRedis(target: RedisTarget, options: RedisOptions, role: string): RedisClient {
  const client = target.kind === 'cluster' ? clusterClient(target, options) : target.kind === 'url' ? new Redis(target.url, options) : sentinelClient(target, options);
  const state = (s: Parameters<ReturnType<typeof telemetry>['redisState']>[1], detail?: string) => telemetry().redisState(role, s, detail);
  client.on('ready', () => state('ready', describeTarget(target)));
  client.on('reconnecting', () => state('reconnecting'));
  client.on('end', () => state('closed'));
  // ioredis reconnects by itself; without a listener an 'error' event would end the process.
  client.on('error', (err: Error) => state('error', err.message));
  return client;
}

function sentinelClient(target: Extract<RedisTarget, { kind: 'sentinel' }>, options: RedisOptions): Redis {
  return new Redis({
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
}

function clusterClient(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisOptions): Cluster {
  const { enableAutoPipelining, ...perNode } = options;
  return new Cluster(target.nodes, {
    enableAutoPipelining,
    // Reads go to masters too: a replica may not have the event a commit just announced.
    scaleReads: 'master',
    redisOptions: { ...perNode, password: target.password },
  });
}
