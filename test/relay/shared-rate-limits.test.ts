/**
 * Rate limits shared through Redis: two relay instances on one redis-server allow a limit once
 * between them, not once each, whichever instance a visitor or a scanner reaches. Each instance
 * has its own RedisStore (its own connections, its own limiter objects): only Redis is shared.
 * A visitor's lines keep their order and each refused one gets the usual refusal; every refusal
 * is counted in the metrics.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/core/i18n';
import { createLogger } from '../../src/server/relay/logger';
import { createObservability, type Observability } from '../../src/server/relay/observability';
import { startRelay, type RelayConfig, type RelayHandle } from '../../src/server/relay/server';
import type { SessionStore } from '../../src/server/relay/store';
import { installTelemetry } from '../../src/server/relay/telemetry';
import { newId } from '../../src/server/relay/tokens';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { calls, ORIGIN, SECRET, visitor, waitFor } from './harness';
import { startRedis, type RedisServer } from './redis';

let redis: RedisServer;
let sim: OmnideskSimulatorHandle;
let obs: Observability;
let uninstall: () => void;

beforeAll(async () => {
  obs = createObservability(createLogger('silent'), { defaultMetrics: false });
  uninstall = installTelemetry(obs);
  redis = await startRedis();
  sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 }, apiKey: 'test-omnidesk-api-key' });
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
  uninstall?.();
});

/** One relay instance serving Omnidesk chats, its sessions (and so its limits) in `store`. */
function relayOn(store: SessionStore, limits: Partial<RelayConfig> = {}): Promise<RelayHandle> {
  return startRelay({
    hookSecret: SECRET,
    signingKey: 'shared-limits-signing-key',
    allowedOrigins: [ORIGIN],
    adapters: [omnideskAdapterFor(sim, { retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 }, configCacheMs: 0 })],
    store,
    drainMs: 300,
    log: () => undefined,
    ...limits,
  });
}

/** Two instances on one Redis prefix (a fresh one per test: its limits start full). */
async function twoInstances(limits: Partial<RelayConfig>): Promise<{ a: RelayHandle; b: RelayHandle; close(): Promise<void> }> {
  const prefix = `limits-${newId(6)}:`;
  const a = await relayOn(redis.store(prefix), limits);
  const b = await relayOn(redis.store(prefix), limits);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
    },
  };
}

/** `probe` sent `n` times to instances a, b, a, b, …: the statuses, and how many refusals of `limit` were counted. */
async function alternately(limits: Partial<RelayConfig>, limit: string, n: number, probe: (r: RelayHandle) => Promise<number>) {
  const { a, b, close } = await twoInstances(limits);
  try {
    const before = await refusals(limit);
    const statuses = [];
    for (let i = 0; i < n; i++) statuses.push(await probe(i % 2 ? b : a));
    return { statuses, refused: (await refusals(limit)) - before };
  } finally {
    await close();
  }
}

function upgradeStatus(relay: RelayHandle): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${relay.url}/ws`, { origin: ORIGIN });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

async function refusals(limit: string): Promise<number> {
  const metric = await obs.registry.getSingleMetric('confab_relay_rate_limited_total')!.get();
  return metric.values.find((v) => v.labels.limit === limit)?.value ?? 0;
}

describe('rate limits shared by two relay instances through Redis', () => {
  it('allows the per-IP connect rate once across both instances, and counts the refusals', async () => {
    // Three between them (each instance on its own would have allowed three).
    expect(await alternately({ ipRate: { capacity: 3, perMinute: 1 } }, 'connect', 5, upgradeStatus)).toEqual({
      statuses: [101, 101, 101, 429, 429],
      refused: 2,
    });
  });

  it('allows junk requests once across both instances', async () => {
    const junk = (r: RelayHandle) => fetch(`${r.hookpointBase.replace(SECRET, 'not-the-secret')}/omnidesk/x/messageForCustomer`, { method: 'POST' }).then((res) => res.status);
    expect(await alternately({ httpRate: { capacity: 4, perMinute: 1 } }, 'http', 6, junk)).toEqual({
      statuses: [401, 401, 401, 401, 429, 429],
      refused: 2,
    });
  });

  it("counts a visitor's commands across instances: lines keep their order, and those over the limit are refused as before", async () => {
    const { a, b, close } = await twoInstances({ sessionRate: { capacity: 6, perMinute: 1 } });
    try {
      const before = await refusals('command');
      const onA = visitor(a.url);
      onA.transport.send({ type: 'start', visitor: { name: 'Kim' }, answers: {} });
      const chatId = String((await waitFor(() => onA.of('accepted')[0], 'accepted on A', 8000)).chatId);
      for (const text of ['a1', 'a2']) onA.transport.send({ type: 'send', clientId: text, text });
      await waitFor(() => onA.of('message').some((e) => e.message.clientId === 'a2'), 'a2 echoed on A');
      const token = onA.resume();
      onA.transport.close();

      // The same session on B: three commands used on A (start, a1, a2), three left of six.
      const onB = visitor(b.url, { resume: token });
      for (const text of ['b1', 'b2', 'b3', 'b4', 'b5']) onB.transport.send({ type: 'send', clientId: text, text });
      const limited = () => onB.of('error').filter((e) => e.code === 'rate-limited');
      await waitFor(() => limited().length === 2 && onB.of('message').some((e) => e.message.clientId === 'b3'), 'b4 and b5 refused, b3 echoed');
      expect(limited().map((e) => e.message)).toEqual([en['error.rateLimited'], en['error.rateLimited']]);
      const lines = calls(sim, '/chat/notifyUserNewChatMessage')
        .filter((m) => m.chatSessionID === chatId)
        .map((m) => m.message);
      // The first line is the chat's opening note (the visitor's name), then the visitor's own.
      expect(lines[0]).toMatch(/^Visitor started a chat/);
      expect(lines.slice(1)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
      expect((await refusals('command')) - before).toBe(2);
      onB.transport.close();
    } finally {
      await close();
    }
  }, 30_000);

  it('falls back to each instance\'s memory while Redis is away: limits stay on, and the fallback is counted', async () => {
    const own = await startRedis();
    const relay = await relayOn(own.store(), { ipRate: { capacity: 2, perMinute: 1 } });
    try {
      const errorsBefore = await redisErrors('rate-limit');
      own.child.kill('SIGKILL');
      await new Promise((r) => own.child.once('exit', r));
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await upgradeStatus(relay));
      expect(statuses).toEqual([101, 101, 429]);
      expect((await redisErrors('rate-limit')) - errorsBefore).toBe(3);
    } finally {
      await relay.close();
      await own.stop();
    }
  }, 30_000);
});

describe('a socket whose frames pile up behind a Redis that does not answer', () => {
  it('is cut once 200 frames wait (the queue is bounded), not held in memory without end', async () => {
    const own = await startRedis();
    const relay = await relayOn(own.store());
    const v = visitor(relay.url);
    try {
      await waitFor(() => v.of('config')[0], 'config');
      const socket = v.sockets[0]!;
      const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
      // Redis hangs (no answer, no error): every frame's shared limit check waits for it.
      own.child.kill('SIGSTOP');
      for (let i = 0; i < 201; i++) socket.send(JSON.stringify({ type: 'ping' }));
      expect(await closed).toBe(1008);
    } finally {
      v.transport.close();
      own.child.kill('SIGCONT');
      await relay.close();
      await own.stop();
    }
  }, 30_000);
});

async function redisErrors(operation: string): Promise<number> {
  const metric = await obs.registry.getSingleMetric('confab_relay_redis_errors_total')!.get();
  return metric.values.find((v) => v.labels.operation === operation)?.value ?? 0;
}
