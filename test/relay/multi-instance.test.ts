import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { calls, hookUrlOn, ORIGIN, SECRET, visitor, waitFor } from './harness';
import { startRedis, type RedisServer } from './redis';

const SIGNING_KEY = 'multi-instance-signing-key';
const PREFIX = 'multi:';

let redis: RedisServer;
let sim: OmnideskSimulatorHandle;
let relayA: RelayHandle;
let childB: ChildProcess | null = null;
let urlB = '';

/** Instance B in its own process, sharing A's Redis, secret and signing key. */
async function startInstanceB(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/relay/relay-process.ts'], {
    env: {
      ...process.env,
      RELAY_TEST_CONFIG: JSON.stringify({
        redisUrl: redis.url,
        prefix: PREFIX,
        secret: SECRET,
        signingKey: SIGNING_KEY,
        origin: ORIGIN,
        chatAccountToken: sim.options.chatAccountToken,
        apiBase: sim.options.apiBase,
        configUrl: sim.options.configUrl,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  childB = child;
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  urlB = await waitFor(() => /READY (\S+)/.exec(out)?.[1], 'instance B to listen', 15_000);
}

beforeAll(async () => {
  redis = await startRedis();
  sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  relayA = await startRelay({
    hookSecret: SECRET,
    signingKey: SIGNING_KEY,
    allowedOrigins: [ORIGIN],
    adapters: [
      omnideskAdapterFor(sim, { retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 } }),
    ],
    // A shares B's keys: same Redis, same prefix.
    store: redis.store(PREFIX),
    drainMs: 300,
    log: () => undefined,
  });
  await startInstanceB();
}, 30_000);

afterAll(async () => {
  if (childB && childB.exitCode === null) childB.kill('SIGKILL');
  await relayA?.close();
  await sim?.close();
  await redis?.stop();
});

const hookA = (route: string, body: Record<string, string>) =>
  fetch(hookUrlOn(relayA, sim, body.sessionID!, route), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('several relay instances sharing Redis', () => {
  it('delivers a hookpoint posted to instance A to the visitor connected to instance B, and B survives being killed', async () => {
    const v = visitor(urlB);
    v.transport.send({ type: 'start', visitor: { name: 'Kim' }, answers: {} });
    const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted on B', 8000)).chatId);
    await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting on B');
    v.transport.send({ type: 'send', clientId: 'b1', text: 'hello from B' });
    await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('hello from B')), 'reply on B');

    // A hookpoint for B's visitor lands on A.
    const res = await hookA('messageForCustomer', { sessionID: chatId, name: 'Alex Morgan', message: 'via instance A' });
    expect(res.status).toBe(200);
    await waitFor(() => v.of('message').find((e) => e.message.text === 'via instance A'), 'A-posted message at the visitor on B');

    // The widget has seen (and acknowledged) everything so far; then B dies without a word.
    await waitFor(
      () => (v.resume() as { seq: number } | undefined)?.seq === v.events.filter((e) => e.type !== 'connection' && e.type !== 'resume').length,
      'ack',
    );
    const token = v.resume();
    childB!.kill('SIGKILL');
    await new Promise((r) => childB!.once('exit', r));
    v.transport.close();

    // Meanwhile the agent goes on writing; the load balancer sends those hookpoints to A.
    for (let i = 1; i <= 5; i++) expect((await hookA('messageForCustomer', { sessionID: chatId, name: 'Alex Morgan', message: `meanwhile ${i}` })).status).toBe(200);

    // The visitor reconnects, to A, and gets exactly what it missed, in order.
    const back = visitor(relayA.url, { resume: token });
    await waitFor(() => back.of('message').some((e) => e.message.text === 'meanwhile 5'), 'missed messages on A');
    expect(back.of('message').map((e) => e.message.text)).toEqual([1, 2, 3, 4, 5].map((i) => `meanwhile ${i}`));
    expect(back.of('error')).toEqual([]);

    // A carries the conversation on where B left it: the next line is number 3, not 1.
    back.transport.send({ type: 'send', clientId: 'a1', text: 'hello from A' });
    await waitFor(() => back.of('message').find((e) => e.message.clientId === 'a1'), 'echo on A');
    const numbers = calls(sim, '/chat/notifyUserNewChatMessage')
      .filter((m) => m.chatSessionID === chatId)
      .map((m) => m.messageNumber);
    expect(numbers).toEqual([1, 2, 3]);
    back.transport.close();
  }, 30_000);
});
