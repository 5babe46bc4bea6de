/**
 * A session's operation lock in Redis (`l:{id}`): held by one instance at a time, short
 * (`lockMs`, so a dead holder is waited out quickly) and renewed while its operation runs (a
 * vendor call with retries can take ~42 s). Should it still be lost (a stalled process, a
 * failover), the commit's state version keeps a stale instance from overwriting newer state
 * (./redis-scripts.ts COMMIT).
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import { LOCK, RENEW, UNLOCK } from './redis-scripts';
import { SessionBusy } from './store';
import { telemetry } from './telemetry';

export async function withRedisLock<T>(
  redis: RedisClient,
  key: string,
  lock: { lockMs: number; lockWaitMs: number },
  fn: () => Promise<T>,
  owner?: string,
): Promise<T> {
  // `owner`: the same operation trying again after a failover finds the lock its own (./store-grace.ts).
  const token = owner ?? randomBytes(12).toString('base64url');
  // Waits out a lock whose holder died at most lockMs ago, or a live holder's operation;
  // contention is rare (one session's traffic), so a short poll is enough.
  const deadline = Date.now() + lock.lockWaitMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    if ((await redis.eval(LOCK, 1, key, token, lock.lockMs)) === 1) break;
    if (Date.now() > deadline) throw new SessionBusy();
    await new Promise((r) => setTimeout(r, wait));
  }
  const renewal = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, lock.lockMs).then(
        // Lost (it expired and someone else took it): renewing cannot get it back. The commit's
        // version check keeps this operation from overwriting the new holder's state.
        (ok) => void (ok === 1 || clearInterval(renewal)),
        (err: unknown) => telemetry().redisError('renew-lock', String(err)),
      );
    },
    Math.max(5, Math.floor(lock.lockMs / 3)),
  );
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    // Not fatal (the lock expires by itself within lockMs), but an operator should know.
    await redis.eval(UNLOCK, 1, key, token).catch((err: unknown) => telemetry().redisError('unlock', String(err)));
  }
}
