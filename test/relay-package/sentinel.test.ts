/**
 * The relay on Redis Sentinel (REDIS_SENTINELS), against real processes on loopback: a master, a
 * replica and a Sentinel (`redis-server --sentinel`). A chat runs, the Sentinel is told to fail
 * over, and the same chat goes on through the new master: the relay followed it, and what it had
 * stored (its session, its numbering) was there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/server/relay/redis-store';
import { calls, startStack, visitor, waitFor, type Stack } from '../relay/harness';
import { startRedis, type RedisServer } from '../relay/redis';
import { freePort, untilAgentSpeaks } from './spawn';

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The fault this test once showed under load (the chat ended just after the failover: a command
// that failed while ioredis followed the new master was taken for a lost store) is reproduced
// deterministically in ./failover-grace.test.ts; the relay now waits out a failing store within
// its grace (src/server/relay/store-grace.ts). Still opt-in (RELAY_SENTINEL_TEST=1): on a machine
// at load 18 it failed 1 run in 12 (the reply after the failover did not come): writes the old
// master took between the promotion and ioredis's +switch-master are lost (Redis replication is
// asynchronous), see src/server/relay/README.md.
describe.skipIf(process.env.RELAY_SENTINEL_TEST !== '1')('the relay on Redis Sentinel', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let sentinel: ChildProcess;
  let sentinelPort = 0;
  let dir = '';
  let admin: Redis;
  let store: RedisStore;
  let stack: Stack;
  const logs: string[] = [];

  beforeAll(async () => {
    master = await startRedis();
    replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
    dir = mkdtempSync(join(tmpdir(), 'confab-sentinel-'));
    sentinelPort = await freePort();
    // Sentinel rewrites its file, so it gets its own.
    writeFileSync(
      join(dir, 'sentinel.conf'),
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
        'sentinel down-after-milliseconds mymaster 2000',
        'sentinel failover-timeout mymaster 10000',
        '',
      ].join('\n'),
    );
    sentinel = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: 'ignore' });
    admin = new Redis({ port: sentinelPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    await until(async () => ((await admin.call('SENTINEL', 'replicas', 'mymaster')) as unknown[]).length > 0, 'the Sentinel to know the replica');
    store = new RedisStore({ target: { kind: 'sentinel', sentinels: [{ host: '127.0.0.1', port: sentinelPort }], name: 'mymaster' }, prefix: 'sentinel-test:' });
    await store.ready();
    stack = await startStack({ store, log: (m) => logs.push(`${Date.now() % 100000} ${m}`) });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await store?.close();
    admin?.disconnect();
    sentinel?.kill('SIGKILL');
    await replica?.stop();
    await master?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a chat going through a forced failover', async ({ onTestFailed }) => {
    // What the relay said, to tell a slow machine from a fault.
    onTestFailed(() => console.error(`relay log:\n${logs.join('\n')}`));
    const v = visitor(stack.relay.url);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await untilAgentSpeaks(v);
    v.transport.send({ type: 'send', clientId: 'before', text: 'before the failover' });
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('before the failover')), 'reply before', 20_000);

    // Everything written so far is on the replica before it is promoted (replication is asynchronous).
    const direct = new Redis({ port: master.port, host: '127.0.0.1' });
    expect(await direct.call('WAIT', '1', '5000')).toBe(1);
    direct.disconnect();
    await admin.call('SENTINEL', 'failover', 'mymaster');
    await until(async () => ((await admin.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[])[1] === String(replica.port), 'the replica to be master');
    // The relay's commands now go to the promoted replica.
    const promoted = new Redis({ port: replica.port, host: '127.0.0.1' });
    await until(async () => (await promoted.role())[0] === 'master', 'the new master');
    promoted.disconnect();

    v.transport.send({ type: 'send', clientId: 'after', text: 'after the failover' });
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('after the failover')), 'reply after', 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${JSON.stringify(v.events.slice(-8))}\n${JSON.stringify(stack.sim.received.slice(-4).map((r) => r.name))}`);
    });
    const numbers = calls(stack.sim, '/chat/notifyUserNewChatMessage').map((m) => m.messageNumber);
    // Omnidesk's numbering went on where it was: nothing numbered twice, nothing skipped.
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(calls(stack.sim, '/chat/notifyUserNewChatMessage').filter((m) => String(m.message).includes('failover'))).toHaveLength(2);
    expect(v.of('error')).toEqual([]);
    expect(v.of('ended')).toEqual([]);
    expect(stack.sim.violations).toEqual([]);
    v.transport.close();
  }, 90_000);
});
