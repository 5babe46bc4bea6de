/**
 * A rate limit shared by every relay instance on one Redis (or Redis Cluster): N instances
 * allow the limit once, not N times. The counting is rate-limiter-flexible's (one key per
 * limited IP or session, one atomic script per take: a single slot, so Cluster is fine).
 *
 * Its Redis limiter counts fixed windows, not a token bucket: `capacity` takes per window of
 * capacity / perMinute minutes, which is the bucket's long-run rate and its burst (at a window
 * edge two windows' worth can pass at once, at most 2 × capacity).
 *
 * While Redis does not answer (not connected, a command failing or timing out), each instance
 * falls back to its own in-memory bucket (./rate-limit.ts): limits stay on, per instance, and
 * a visitor's frame is never refused or lost because Redis is away.
 */
import type { Cluster, Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimiter, type Limiter, type RateLimit } from './rate-limit';
import { telemetry } from './telemetry';

export class SharedRateLimiter implements Limiter {
  private readonly shared: RateLimiterRedis;
  private readonly fallback: RateLimiter;

  constructor(
    client: Redis | Cluster,
    /** The store's key prefix: the limit's keys are `<prefix>rl:<name>:<key>`. */
    prefix: string,
    limit: RateLimit,
    private readonly name: string,
    now: () => number,
  ) {
    this.shared = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${prefix}rl:${name}`,
      points: limit.capacity,
      // Whole seconds (the library's script sets EX).
      duration: Math.max(1, Math.ceil((limit.capacity * 60) / limit.perMinute)),
      // Not `rejectIfRedisNotReady`: a take while the client is still connecting waits for it
      // (else the first takes of a new instance would be counted in memory only). While Redis is
      // down the store's client fails commands after one reconnection attempt or its command
      // timeout (./redis-store.ts), and the take falls back to memory.
    });
    this.fallback = new RateLimiter(limit, now, name);
  }

  async take(key: string): Promise<boolean> {
    try {
      await this.shared.consume(key);
      return true;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        // Counted and logged (within the log budget): a fleet limiting per instance should show.
        telemetry().redisError('rate-limit', err instanceof Error ? err.message : String(err));
        return this.fallback.take(key);
      }
      telemetry().rateLimited(this.name);
      return false;
    }
  }

  sweep(): void {
    this.fallback.sweep();
  }
}
