/**
 * The Sentinel fault, reproduced without a Sentinel's timing: a Redis failover is a moment in
 * which the master takes no writes (Redis's own FAILOVER pauses them; under Sentinel the
 * connection is cut and ioredis asks for the new master) while the relay's commands time out.
 * The relay used to take the first failed command as a lost store and end the chat ("the chat
 * service lost this conversation") just after the visitor's next line. Here the master's writes
 * are paused (CLIENT PAUSE WRITE) at two moments — before a visitor's line takes the session's
 * lock, and between the vendor call and the commit — and released only once the relay has said
 * it is waiting for the store: the chat goes on, each line once, nothing ended.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/server/relay/redis-store';
import { calls, startStack, visitor, waitFor, type Stack, type Visitor } from '../relay/harness';
import { startRedis, type RedisServer } from '../relay/redis';
import { untilAgentSpeaks } from './spawn';

describe('a Redis that stops taking writes for a moment (a failover) does not end the chat', () => {
  let redis: RedisServer;
  let admin: Redis;
  let store: RedisStore;
  let stack: Stack;
  const logs: string[] = [];
  /** Set by a test: paused just before the relay's call carrying this text reaches Omnidesk. */
  let pauseBefore: string | null = null;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    // Commands time out quickly; the grace (how long a failed step waits for Redis) is ample.
    store = new RedisStore({ url: redis.url, prefix: 'grace:', commandTimeoutMs: 300, graceMs: 60_000 });
    // Retried: a 300 ms PING can time out on a busy machine.
    await store.readyWithin(20_000);
    const pausingFetch: typeof fetch = async (input, init) => {
      const body = init?.body;
      const text = body instanceof FormData ? String(body.get('message') ?? '') : '';
      if (pauseBefore && text.includes(pauseBefore)) {
        pauseBefore = null;
        await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
      }
      return fetch(input, init);
    };
    stack = await startStack({ store, log: (m) => logs.push(m) }, pausingFetch);
  }, 30_000);

  afterAll(async () => {
    await admin?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    await stack?.close();
    await store?.close();
    admin?.disconnect();
    await redis?.stop();
  });

  async function chat(): Promise<Visitor> {
    const v = visitor(stack.relay.url);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await untilAgentSpeaks(v);
    return v;
  }

  /**
   * Releases the writes once the relay's step has failed: it says it waits for the store (or,
   * the fault, it has already ended the chat).
   */
  async function releaseWhenWaiting(v: Visitor): Promise<void> {
    const before = logs.filter((l) => l.includes('waiting up to')).length;
    try {
      await waitFor(() => logs.filter((l) => l.includes('waiting up to')).length > before || v.of('ended').length > 0, 'the relay to wait for the store', 30_000);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    expect(v.of('ended')).toEqual([]);
  }

  function expectIntact(v: Visitor, clientId: string, text: string): void {
    expect(v.of('ended')).toEqual([]);
    expect(v.of('error')).toEqual([]);
    // Echoed once, at Omnidesk once, and the numbering has no gap and no repeat.
    expect(v.of('message').filter((e) => e.message.clientId === clientId)).toHaveLength(1);
    expect(calls(stack.sim, '/chat/notifyUserNewChatMessage').filter((m) => m.message === text)).toHaveLength(1);
    const numbers = calls(stack.sim, '/chat/notifyUserNewChatMessage')
      .filter((m) => m.chatSessionID === v.of('accepted')[0]!.chatId)
      .map((m) => m.messageNumber);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(stack.sim.violations).toEqual([]);
  }

  it('paused before the line takes the lock: the line goes through once the writes resume', async () => {
    const v = await chat();
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    v.transport.send({ type: 'send', clientId: 'during-1', text: 'sent during the failover' });
    await releaseWhenWaiting(v);
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('sent during the failover')), 'the reply', 30_000);
    expectIntact(v, 'during-1', 'sent during the failover');
    v.transport.close();
  }, 90_000);

  it('paused between the vendor call and the commit: committed once, the visitor sees it once', async () => {
    const v = await chat();
    pauseBefore = 'committed after the failover';
    v.transport.send({ type: 'send', clientId: 'during-2', text: 'committed after the failover' });
    await releaseWhenWaiting(v);
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('committed after the failover')), 'the reply', 30_000);
    expectIntact(v, 'during-2', 'committed after the failover');
    v.transport.close();
  }, 90_000);
});
