/**
 * Two relay instances on one real redis-server, one session: an operation that outlasts the
 * lock's lifetime keeps the lock (renewed), and an instance that lost its lock anyway cannot
 * overwrite what another instance committed meanwhile.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/server/relay/redis-store';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { newId } from '../../src/server/relay/tokens';
import { calls, hookUrlOn, ORIGIN, SECRET, visitor, waitFor } from './harness';
import { startRedis, type RedisServer } from './redis';

let redis: RedisServer;
let sim: OmnideskSimulatorHandle;
beforeAll(async () => {
  redis = await startRedis();
  sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
});
afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/**
 * The lock lives LOCK_MS past its last renewal (15 s in production, against ~42 s operations),
 * renewed every LOCK_MS / 3. Redis expires keys on its own clock: nothing here waits a fixed
 * time; the tests wait for what Redis saw (renewals, another instance's attempts).
 */
const LOCK_MS = 600;

/** A vendor call held until the test lets it go: `entered` once it is in flight. */
interface Gate {
  entered: Promise<void>;
  release(): void;
  /** Resolves when the held call has gone to the vendor. */
  done: Promise<void>;
}

function gate(): Gate & { hold(): Promise<void> } {
  let entered!: () => void;
  let release!: () => void;
  let done!: () => void;
  const g = {
    entered: new Promise<void>((r) => (entered = r)),
    released: new Promise<void>((r) => (release = r)),
    done: new Promise<void>((r) => (done = r)),
  };
  return {
    entered: g.entered,
    done: g.done,
    release,
    async hold() {
      entered();
      await g.released;
      done();
    },
  };
}

/** Instances A and B sharing one Redis prefix; A's vendor call for a line containing "slow line" waits for `slow.release()`. */
async function twoInstances(): Promise<{ a: RelayHandle; b: RelayHandle; prefix: string; slow: Gate }> {
  const prefix = `lk${newId(6)}:`;
  const slow = gate();
  const held: typeof fetch = async (input, init) => {
    if (init?.body instanceof FormData && String(init.body.get('message')).includes('slow line')) await slow.hold();
    return fetch(input, init);
  };
  // The held call must not time out while the test watches it (the adapter's timeout is real time).
  const make = async (fetchImpl?: typeof fetch) => {
    const store = new RedisStore({ url: redis.url, prefix, lockMs: LOCK_MS });
    const relay = await startRelay({
      hookSecret: SECRET,
      signingKey: 'lock-test-signing-key',
      allowedOrigins: [ORIGIN],
      adapters: [omnideskAdapterFor(sim, { retry: { attempts: 1, baseDelayMs: 20, timeoutMs: 60_000 }, fetch: fetchImpl })],
      store,
      drainMs: 200,
      log: () => undefined,
    });
    cleanup.push(() => store.close(), () => relay.close());
    return relay;
  };
  return { a: await make(held), b: await make(), prefix, slow };
}

/**
 * Every command Redis runs on a session's lock, as MONITOR reports it: takes (the LOCK script,
 * whoever tries) and renewals (the PEXPIRE inside the renewal script). A plain socket: MONITOR's lines are
 * simple strings (`+<time> [<db> <client>] "<command>" "<arg>" …`).
 */
async function watchLocks(prefix: string): Promise<{ takes: () => number; renewals: () => number }> {
  const socket = connect(redis.port, '127.0.0.1');
  cleanup.push(async () => socket.destroy());
  let takes = 0;
  let renewals = 0;
  let pending = '';
  let monitoring!: () => void;
  const started = new Promise<void>((r) => (monitoring = r));
  socket.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\r\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === '+OK') monitoring();
      // The LOCK script (./redis-scripts.ts): take, or find the lock already this operation's own.
      if (line.includes('] "eval" "local v = redis.call(\'GET\'') && line.includes(`"${prefix}l:`)) takes++;
      if (line.includes(` lua] "PEXPIRE" "${prefix}l:`)) renewals++;
    }
  });
  socket.write('MONITOR\r\n');
  await started;
  return { takes: () => takes, renewals: () => renewals };
}

function agentSays(relay: RelayHandle, sessionID: string, message: string): Promise<number> {
  return fetch(hookUrlOn(relay, sim, sessionID, 'messageForCustomer'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionID, name: 'Alex Morgan', message }),
  }).then((r) => r.status);
}

async function chatOn(relay: RelayHandle) {
  const v = visitor(relay.url);
  cleanup.push(async () => v.transport.close());
  v.transport.send({ type: 'start', visitor: { name: 'L' }, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting');
  return { v, chatId };
}

const agentIds = (v: ReturnType<typeof visitor>) => v.of('message').filter((e) => e.message.sender === 'agent').map((e) => e.message.id);

describe('one session on relay instances sharing Redis', () => {
  it('keeps the lock while the vendor call runs: the other instance waits, and every message keeps its own id', async () => {
    const { a, b, prefix, slow } = await twoInstances();
    const { v, chatId } = await chatOn(a);
    const locks = await watchLocks(prefix);

    v.transport.send({ type: 'send', clientId: 's1', text: 'slow line' });
    await slow.entered;
    const order: string[] = [];
    void slow.done.then(() => order.push('A called the vendor'));
    const viaB = agentSays(b, chatId, 'via B while A is busy').then((status) => (order.push('B answered'), status));
    // B tries the lock again and again, while A renews it more than three times over (so it
    // outlived LOCK_MS several times without expiring under A).
    const takesBefore = locks.takes();
    await waitFor(() => locks.takes() >= takesBefore + 2 && locks.renewals() >= 9, 'B waiting while A renews', 20_000);
    slow.release();
    expect(await viaB).toBe(200);
    // B's hookpoint waited for A's operation to finish.
    expect(order).toEqual(['A called the vendor', 'B answered']);
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 's1'), 'echo of the slow line');

    expect(await agentSays(a, chatId, 'via A afterwards')).toBe(200);
    await waitFor(() => v.of('message').some((e) => e.message.text === 'via A afterwards'), 'A line');
    await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('slow line')), 'reply');
    const ids = agentIds(v);
    expect(new Set(ids).size).toBe(ids.length);
    expect(v.of('error')).toEqual([]);
  }, 30_000);

  it('refuses the commit of an instance whose lock was lost: it never overwrites the newer state', async () => {
    const { a, b, prefix, slow } = await twoInstances();
    const { v, chatId } = await chatOn(a);
    const probe = new Redis(redis.url);
    cleanup.push(() => probe.quit());

    v.transport.send({ type: 'send', clientId: 's1', text: 'slow line' });
    // A's operation is in its vendor call, holding the session's lock.
    await slow.entered;
    // A stalls past its lock (a long GC pause, a Redis failover): the lock is gone.
    const locks = await probe.keys(`${prefix}l:*`);
    expect(locks).toHaveLength(1);
    await probe.del(...locks);
    expect(await agentSays(b, chatId, 'via B meanwhile')).toBe(200);
    slow.release();

    // A's operation ends: its state (computed before B's line) is refused, and the visitor told.
    await waitFor(() => v.of('error').find((e) => e.code === 'conflict'), 'conflict error', 5000);
    expect(v.of('message').filter((e) => e.message.clientId === 's1')).toEqual([]);

    // The stored state is B's: A rebuilds from it, so its next agent line gets a new id.
    expect(await agentSays(a, chatId, 'via A afterwards')).toBe(200);
    await waitFor(() => v.of('message').some((e) => e.message.text === 'via A afterwards'), 'A line');
    const ids = agentIds(v);
    expect(new Set(ids).size).toBe(ids.length);

    // The visitor retries the line (same client id): the same messageNumber, so Omnidesk has it once.
    // (The gate was released: this call goes straight through.)
    v.transport.send({ type: 'send', clientId: 's1', text: 'slow line' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 's1'), 'echo on retry', 5000);
    const sent = calls(sim, '/chat/notifyUserNewChatMessage').filter((m) => m.chatSessionID === chatId && m.message === 'slow line');
    expect(new Set(sent.map((m) => m.messageNumber)).size).toBe(1);
  });

  it('handles a hookpoint again when its commit meets state another instance committed meanwhile', async () => {
    const prefix = `hv${newId(6)}:`;
    let interleave = false;
    /** The commit of another instance lands between this instance's read and its commit, once. */
    class Interleaved extends RedisStore {
      override async commit(...args: Parameters<RedisStore['commit']>): ReturnType<RedisStore['commit']> {
        const [id, commit] = args;
        if (interleave && commit.baseVersion !== undefined) {
          interleave = false;
          const current = await this.get(id);
          await super.commit(id, { events: [], state: current!.state! }, 500, Date.now());
        }
        return super.commit(...args);
      }
    }
    const store = new Interleaved({ url: redis.url, prefix, lockMs: LOCK_MS });
    const relay = await startRelay({
      hookSecret: SECRET,
      signingKey: 'lock-test-signing-key',
      allowedOrigins: [ORIGIN],
      adapters: [omnideskAdapterFor(sim, { retry: { attempts: 1, baseDelayMs: 20, timeoutMs: 5000 } })],
      store,
      drainMs: 200,
      log: () => undefined,
    });
    cleanup.push(() => store.close(), () => relay.close());
    const { v, chatId } = await chatOn(relay);

    interleave = true;
    expect(await agentSays(relay, chatId, 'handled twice, shown once')).toBe(200);
    expect(interleave).toBe(false);
    await waitFor(() => v.of('message').some((e) => e.message.text === 'handled twice, shown once'), 'agent line');
    // A later agent line: events reach the widget in seq order, so a second copy would be here before it.
    expect(await agentSays(relay, chatId, 'a later line')).toBe(200);
    await waitFor(() => v.of('message').some((e) => e.message.text === 'a later line'), 'the later line');
    expect(v.of('message').filter((e) => e.message.text === 'handled twice, shown once')).toHaveLength(1);
    const ids = agentIds(v);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
