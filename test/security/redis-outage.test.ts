/**
 * Issue 15 row 11: with sessions in Redis, /healthz says the process is alive and /readyz says
 * whether it can serve (Redis answers, not draining); a Redis that hangs or comes back empty
 * ends the affected chats with the widget's "could not be resumed" line instead of losing
 * agent messages silently, and no internal error text reaches the browser.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/core/i18n';
import { RedisStore } from '../../src/server/relay/redis-store';
import { hookUrl, type Stack, startStack, visitor, waitFor } from '../relay/harness';
import { startRedis, type RedisServer } from '../relay/redis';

let redis: RedisServer;
let admin: Redis;
let store: RedisStore;
let stack: Stack;
let http: string;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  store = new RedisStore({ url: redis.url, prefix: 'sec:', commandTimeoutMs: 300 });
  await store.ready();
  stack = await startStack({ store, sessionIdleMs: 60_000 });
  http = stack.relay.url.replace(/^ws/, 'http');
});
afterAll(async () => {
  await stack?.close();
  await store?.close();
  admin?.disconnect();
  await redis?.stop();
});

async function chat() {
  const v = visitor(stack.relay.url);
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, chatId };
}

/** Nothing the relay itself wrote (stack traces, Redis errors) is shown to the visitor. */
function noInternalText(v: ReturnType<typeof visitor>): void {
  for (const e of v.of('error')) expect(e.message).not.toMatch(/timed out|ECONN|Redis|Error:|at .*\.ts/);
}

describe('issue 15 row 11: Redis outages and readiness', () => {
  it('row 11: /healthz and /readyz answer 200 while Redis answers', async () => {
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    expect((await fetch(`${http}/readyz`)).status).toBe(200);
  });

  it('row 11: a Redis that comes back empty ends the chat with a clear line when the agent writes (not a silent 404)', async () => {
    const { v, chatId } = await chat();
    await admin.flushall();
    const res = await fetch(hookUrl(stack.sim, chatId, 'messageForCustomer'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionID: chatId, name: 'Sam', message: 'are you there?' }),
    });
    expect(res.status).toBe(404);
    const ended = await waitFor(() => v.of('ended')[0], 'chat ended');
    expect(ended.text).toBe(en['transport.chatLost']);
    noInternalText(v);
    v.transport.close();
  });

  it('row 11: a Redis that stops answering: /readyz 503 (healthz 200), a visitor line ends the chat with a clear line, and readiness returns', async () => {
    const { v } = await chat();
    await admin.call('CLIENT', 'PAUSE', '6000', 'ALL');
    expect((await fetch(`${http}/readyz`)).status).toBe(503);
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    v.transport.send({ type: 'send', clientId: 'c-out', text: 'hello during the outage' });
    const ended = await waitFor(() => v.of('ended')[0], 'chat ended', 10_000);
    expect(ended.text).toBe(en['transport.chatLost']);
    noInternalText(v);
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await fetch(`${http}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    v.transport.close();
  }, 45_000);
});
