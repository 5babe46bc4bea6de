/**
 * The same suite against both session stores: memory (one process, the default) and Redis
 * (shared by instances). One redis-server per test file; each Redis stack gets its own prefix.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { SessionStore } from '../../src/server/relay/store';
import { startRedis, type RedisServer } from './redis';

export type StoreKind = 'memory' | 'redis';

export function describeEachStore(suite: (newStore: () => SessionStore | undefined, kind: StoreKind) => void): void {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  describe.each(['memory', 'redis'] as const)('with the %s session store', (kind) => {
    suite(() => (kind === 'redis' ? redis!.store() : undefined), kind);
  });
}
