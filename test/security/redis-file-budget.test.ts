/**
 * Issue 15 row 5 with sessions in Redis: stored files are capped across sessions (and
 * instances) too, oldest first; the budget counts exactly the files still kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/server/relay/redis-store';
import { hookUrl, startStack, visitor, waitFor, type Stack } from '../relay/harness';
import { startRedis, type RedisServer } from '../relay/redis';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(892)]);

let redis: RedisServer;
let store: RedisStore;
let stack: Stack;
beforeAll(async () => {
  redis = await startRedis();
  store = new RedisStore({ url: redis.url, prefix: 'budget:', maxFileBytes: 2048 });
  await store.ready();
  stack = await startStack({ store, maxUploadBytes: 1024, maxSessionFileBytes: 4096 });
});
afterAll(async () => {
  await stack?.close();
  await store?.close();
  await redis?.stop();
});

async function chat() {
  const v = visitor(stack.relay.url);
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, chatId };
}
function upload(chatId: string, name: string): Promise<number> {
  const form = new FormData();
  form.set('sessionID', chatId);
  form.set('file', new Blob([PNG], { type: 'image/png' }), name);
  return fetch(hookUrl(stack.sim, chatId, 'uploadForCustomer'), { method: 'POST', body: form }).then((r) => r.status);
}

describe('issue 15 row 5: the file budget in Redis', () => {
  it('row 5: stored files are capped in total across sessions in Redis (oldest evicted)', async () => {
    const a = await chat();
    const b = await chat();
    expect(await upload(a.chatId, 'a.png')).toBe(200);
    expect(await upload(b.chatId, 'b1.png')).toBe(200);
    expect(await upload(b.chatId, 'b2.png')).toBe(200);
    const url = (v: typeof a.v, name: string) =>
      waitFor(() => v.of('message').flatMap((e) => e.message.attachments ?? []).find((f) => f.name === name)?.url, name);
    expect((await fetch(await url(a.v, 'a.png'))).status).toBe(403);
    expect((await fetch(await url(b.v, 'b1.png'))).status).toBe(200);
    expect((await fetch(await url(b.v, 'b2.png'))).status).toBe(200);
    expect(Number(await redisBytes())).toBe(1800);
    a.v.transport.close();
    b.v.transport.close();
  });
});

async function redisBytes(): Promise<string | null> {
  const { Redis } = await import('ioredis');
  const c = new Redis(redis.url);
  try {
    // The budget's total (./src/server/relay/redis-keys.ts: its keys share the `{files}` slot).
    return await c.get('budget:{files}:bytes');
  } finally {
    c.disconnect();
  }
}
