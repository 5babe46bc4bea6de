/**
 * The relay on a real Redis Cluster (REDIS_CLUSTER_NODES): three masters on loopback, two relay
 * instances each told of one node only. A chat started on one instance is served by the other
 * (hookpoints, replay after a reconnection), files and their budget work, rate limits are
 * shared, a session's keys sit together on one node, and sessions spread over the masters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTargetFromEnv } from '../../src/server/relay/redis-target';
import { RedisStore } from '../../src/server/relay/redis-store';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { freePort, relayEnv, runBuiltRelay, untilAgentSpeaks, untilReady } from '../relay-package/spawn';
import { calls, hookUrlOn, ORIGIN, SECRET, visitor, waitFor } from './harness';
import { startRedisCluster, type RedisCluster } from './redis-cluster';

const PREFIX = 'cluster:';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(392)]);

let cluster: RedisCluster;
let sim: OmnideskSimulatorHandle;
const stores: RedisStore[] = [];
let a: RelayHandle;
let b: RelayHandle;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 }, apiKey: 'test-omnidesk-api-key' });
  const instance = async (node: number) => {
    // What the relay's configuration makes of REDIS_CLUSTER_NODES naming one node.
    const problems: string[] = [];
    const target = redisTargetFromEnv({ REDIS_CLUSTER_NODES: `127.0.0.1:${cluster.nodes[node]!.port}` }, problems);
    expect(problems).toEqual([]);
    const store = new RedisStore({ target, prefix: PREFIX, maxFileBytes: 1000 });
    stores.push(store);
    await store.ready();
    return startRelay({
      hookSecret: SECRET,
      signingKey: 'cluster-signing-key',
      allowedOrigins: [ORIGIN],
      adapters: [omnideskAdapterFor(sim, { retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 }, configCacheMs: 0 })],
      store,
      maxUploadBytes: 1024,
      ipRate: { capacity: 40, perMinute: 1 },
      drainMs: 300,
      log: () => undefined,
    });
  };
  a = await instance(0);
  b = await instance(1);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await Promise.allSettled(stores.map((s) => s.close()));
  await sim?.close();
  await cluster?.stop();
});

const hook = (relay: RelayHandle, chatId: string, route: string, body: Record<string, string>) =>
  fetch(hookUrlOn(relay, sim, chatId, route), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function chat(relay: RelayHandle, name: string) {
  const v = visitor(relay.url);
  v.transport.send({ type: 'start', visitor: { name }, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], `${name} accepted`, 10_000)).chatId);
  return { v, chatId };
}

describe('the relay on Redis Cluster', () => {
  it('serves a chat from either instance: hookpoints across instances, replay after a reconnection, lines in order', async () => {
    const { v, chatId } = await chat(a, 'Kim');
    v.transport.send({ type: 'send', clientId: 'c1', text: 'on A' });
    await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('on A')), 'agent reply on A');

    // Posted to B, delivered to the visitor on A (the commit's PUBLISH reaches every node's subscribers).
    expect((await hook(b, chatId, 'messageForCustomer', { sessionID: chatId, name: 'Alex Morgan', message: 'via B' })).status).toBe(200);
    await waitFor(() => v.of('message').find((e) => e.message.text === 'via B'), 'B-posted line on A');
    // The widget has seen (and acknowledged) everything so far; then it goes away.
    await waitFor(
      () => (v.resume() as { seq: number } | undefined)?.seq === v.events.filter((e) => e.type !== 'connection' && e.type !== 'resume').length,
      'ack',
    );
    const token = v.resume();
    v.transport.close();

    for (let i = 1; i <= 3; i++) expect((await hook(a, chatId, 'messageForCustomer', { sessionID: chatId, name: 'Alex Morgan', message: `meanwhile ${i}` })).status).toBe(200);
    const back = visitor(b.url, { resume: token });
    await waitFor(() => back.of('message').some((e) => e.message.text === 'meanwhile 3'), 'missed lines on B');
    expect(back.of('message').map((e) => e.message.text)).toEqual(['meanwhile 1', 'meanwhile 2', 'meanwhile 3']);
    back.transport.send({ type: 'send', clientId: 'c2', text: 'on B' });
    await waitFor(() => back.of('message').find((e) => e.message.clientId === 'c2'), 'echo on B');
    const lines = calls(sim, '/chat/notifyUserNewChatMessage')
      .filter((m) => m.chatSessionID === chatId)
      .map((m) => m.messageNumber);
    expect(lines).toEqual([1, 2, 3]);
    expect(back.of('error')).toEqual([]);
    back.transport.close();
  }, 40_000);

  it("keeps files and the fleet-wide file budget (a global total in one slot), and each session's keys on one node", async () => {
    const chats = [];
    for (let i = 0; i < 6; i++) chats.push(await chat(i % 2 ? b : a, `V${i}`));
    const upload = (relay: RelayHandle, chatId: string, name: string) => {
      const form = new FormData();
      form.set('sessionID', chatId);
      form.set('file', new Blob([PNG], { type: 'image/png' }), name);
      return fetch(hookUrlOn(relay, sim, chatId, 'uploadForCustomer'), { method: 'POST', body: form }).then((r) => r.status);
    };
    // 400 bytes each against a budget of 1000: the third file evicts the first.
    const [first, second, third] = chats as [(typeof chats)[0], (typeof chats)[0], (typeof chats)[0]];
    expect(await upload(a, first.chatId, 'one.png')).toBe(200);
    expect(await upload(b, second.chatId, 'two.png')).toBe(200);
    expect(await upload(a, third.chatId, 'three.png')).toBe(200);
    const url = (c: typeof first, name: string) =>
      waitFor(() => c.v.of('message').flatMap((e) => e.message.attachments ?? []).find((f) => f.name === name)?.url, name);
    expect((await fetch(await url(first, 'one.png'))).status).toBe(403);
    expect((await fetch(await url(second, 'two.png'))).status).toBe(200);
    expect((await fetch(await url(third, 'three.png'))).status).toBe(200);

    // Seven sessions (this test's six, the first test's one): each one's record, events and
    // file list on one node (its id is the hash tag), whichever node that is.
    const perNode = await cluster.keysPerNode(`${PREFIX}*{*}`);
    const tagsOn = (keys: string[], kind: string) => keys.filter((k) => k.startsWith(`${PREFIX}${kind}:{`)).map((k) => k.slice(k.indexOf('{')));
    expect(perNode.flatMap((keys) => tagsOn(keys, 's'))).toHaveLength(7);
    for (const keys of perNode) {
      const records = new Set(tagsOn(keys, 's'));
      for (const kind of ['e', 'fs']) for (const tag of tagsOn(keys, kind)) expect(records.has(tag)).toBe(true);
    }
    for (const c of chats) c.v.transport.close();
  }, 60_000);

  it('puts sessions on every master: the hash tag is the session id', async () => {
    const store = stores[0]!;
    // Ids chosen so that their slots fall into each master's range (CRC16: the same every run).
    const ids = ['spread-0', 'spread-1', 'spread-2', 'spread-3', 'spread-4', 'spread-5', 'spread-6', 'spread-7'];
    for (const id of ids) {
      await store.create({ id, vendor: 'omnidesk', hookKey: `hk-${id}`, page: { url: 'https://shop.example.com/', referrer: '', locale: 'en', userAgent: 'vitest', visitorId: id }, state: null, version: 0, portable: false }, Date.now());
      expect(await store.commit(id, { events: [{ type: 'typing', on: true }] }, 10, Date.now())).toBe(0);
    }
    const perNode = await cluster.keysPerNode(`${PREFIX}s:{spread-*`);
    expect(perNode.map((keys) => keys.length).every((n) => n > 0)).toBe(true);
    expect(perNode.flat()).toHaveLength(ids.length);
    for (const id of ids) await store.remove(id);
    expect(await cluster.keysPerNode(`${PREFIX}*{spread-*`)).toEqual([[], [], []]);
  });

  it('shares a rate limit between instances through the cluster', async () => {
    const [one, two] = stores as [RedisStore, RedisStore];
    const limit = { capacity: 3, perMinute: 1 };
    const onOne = one.limiter(limit, 'probe', Date.now);
    const onTwo = two.limiter(limit, 'probe', Date.now);
    const answers = [];
    for (const l of [onOne, onTwo, onOne, onTwo, onOne]) answers.push(await l.take('10.1.2.3'));
    // Each instance on its own (its memory fallback) would have said yes five times.
    expect(answers).toEqual([true, true, true, false, false]);
  });

  it('is what the relay process makes of REDIS_CLUSTER_NODES: it starts, says where its Redis is, and serves a chat', async () => {
    const port = await freePort();
    const relay = runBuiltRelay(
      relayEnv(sim, port, { REDIS_CLUSTER_NODES: `127.0.0.1:${cluster.nodes[2]!.port}`, REDIS_PREFIX: 'cluster-process:', RELAY_DRAIN_SECONDS: '2' }),
    );
    try {
      await untilReady(relay, `http://127.0.0.1:${port}/readyz`);
      expect(relay.output()).toContain(`Redis Cluster via 127.0.0.1:${cluster.nodes[2]!.port}`);
      const v = visitor(`ws://127.0.0.1:${port}`);
      v.transport.send({ type: 'start', visitor: { name: 'Ops' }, answers: {} });
      await untilAgentSpeaks(v);
      v.transport.send({ type: 'send', clientId: 'p1', text: 'through the cluster' });
      await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('through the cluster')), 'agent reply', 20_000);
      expect(v.of('error')).toEqual([]);
      v.transport.close();
      expect((await cluster.keysPerNode('cluster-process:s:*')).flat()).toHaveLength(1);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.exited;
    }
  }, 60_000);
});
