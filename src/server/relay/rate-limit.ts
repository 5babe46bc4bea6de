import { telemetry } from './telemetry';

/** Token buckets keyed by IP or session: `capacity` at once, refilled at `perMinute`. */
export interface RateLimit {
  capacity: number;
  perMinute: number;
}

/**
 * One limit as the relay's code uses it. In memory (`RateLimiter`) it answers at once; shared
 * through Redis (./rate-limit-shared.ts) it answers after a round trip, so callers await it.
 */
export interface Limiter {
  /** Spend one token for `key`; false when the key is over its limit (counted in the metrics). */
  take(key: string): boolean | Promise<boolean>;
  /** Forget what this process keeps in memory for keys that are back to full. */
  sweep(): void;
}

/** Makes the limit called `name` (its label in metrics); a shared store passes a shared one. */
export type LimiterFactory = (limit: RateLimit, name: string) => Limiter;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter implements Limiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    /** Its name in metrics and logs (confab_relay_rate_limited_total{limit}). */
    private readonly name = 'limit',
  ) {}

  /** Spend one token; false when the key is over its limit. */
  take(key: string): boolean {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.limit.capacity, at: now };
    b.tokens = Math.min(this.limit.capacity, b.tokens + ((now - b.at) * this.limit.perMinute) / 60_000);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    else telemetry().rateLimited(this.name);
    this.buckets.set(key, b);
    return ok;
  }

  /** Forget full buckets so the map does not grow with every IP ever seen. */
  sweep(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.limit.perMinute) / 60_000 >= this.limit.capacity) this.buckets.delete(key);
    }
  }
}
