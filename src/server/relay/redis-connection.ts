/**
 * Connections to the relay's Redis (./redis-target.ts says where): ioredis, which for Sentinel
 * asks the Sentinels for the current master and follows a failover. Every connection reports
 * its state changes (./telemetry.ts): an outage is logged, never swallowed.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { describeTarget, type RedisTarget } from './redis-target';
import { telemetry } from './telemetry';

export type { RedisTarget } from './redis-target';

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
