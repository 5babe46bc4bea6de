/**
 * The same suite against both session stores: memory (one process, the default) and Redis
 * (shared by instances). One redis-server per test file; each Redis stack gets its own prefix.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { RelayConfig } from '../../src/server/relay/server';
import type { SessionStore } from '../../src/server/relay/store';
import { startStack, type Stack } from './harness';
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

/** One relay + Omnidesk stack for the enclosing suite, started before it and closed after. */
export function stackPerSuite(config: () => Partial<RelayConfig>): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(config());
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the stack is not started yet');
    return stack;
  };
}
