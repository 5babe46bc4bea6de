/**
 * What the relay puts on Omnidesk's wire, after the API specification (O1–O3 in
 * shared/notes/vendors-in-the-field.md): multipart bodies with the `apiKey` header, the
 * documented `result` answer as the only success, no automatic resend once a request may have
 * reached Omnidesk, and requestChatConfig by the guide's GET or the specification's POST,
 * cached. Also: the simulator really is strict (what it refuses, it lists as a violation).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { omnideskAdapterFor, startOmnideskSimulator } from '../../src/server/sandbox/omnidesk';
import { startRelay } from '../../src/server/relay/server';
import { calls, ORIGIN, SECRET, startStack, visitor, waitFor, type Stack, type Visitor } from '../relay/harness';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function stack(...args: Parameters<typeof startStack>): Promise<Stack & { logs: string[] }> {
  const logs: string[] = [];
  const s = await startStack({ log: (m) => void logs.push(m), ...args[0] }, args[1], args[2], args[3]);
  cleanup.push(() => s.close());
  return Object.assign(s, { logs });
}

function open(s: Stack): Visitor {
  const v = visitor(s.relay.url);
  cleanup.push(async () => v.transport.close());
  return v;
}

async function chatting(s: Stack): Promise<{ v: Visitor; id: string }> {
  const v = open(s);
  v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
  const id = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, id };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('the Omnidesk simulator follows the specification', () => {
  it('refuses a JSON body, a missing key, a chatServer with "_", and lists each as a violation', async () => {
    const sim = await startOmnideskSimulator({ apiKey: 'k3y' });
    cleanup.push(() => sim.close());
    const url = `${sim.options.apiBase}/chat/notifyUserNewChatMessage`;
    const fields = {
      messageNumber: '1',
      url: 'https://shop.example.com/',
      message: 'hi',
      channelID: '8',
      chatAccountToken: sim.options.chatAccountToken!,
      chatSessionID: 'confab-0123',
      chatServer: 'https://relay.example.com/hook/abc/omnidesk/def',
    };
    const form = (over: Record<string, string> = {}) => {
      const f = new FormData();
      for (const [k, v] of Object.entries({ ...fields, ...over })) f.set(k, v);
      return f;
    };
    const json = await fetch(url, { method: 'POST', headers: { apiKey: 'k3y', 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ type: 'error' });
    expect((await fetch(url, { method: 'POST', body: form() })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { apiKey: 'k3y' }, body: form({ chatServer: 'https://relay/hook/a_b/omnidesk' }) })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', headers: { apiKey: 'k3y' }, body: form({ chatSessionID: 'confab_x' }) })).status).toBe(400);
    expect(sim.violations).toEqual([
      expect.stringContaining('not multipart/form-data'),
      expect.stringContaining('apiKey'),
      expect.stringContaining('chatServer must match'),
      expect.stringContaining('chatSessionID must match'),
    ]);

    // The same message twice with one messageNumber: two messages, each confirmed as documented.
    const documented = JSON.parse(readFileSync(new URL('../fixtures/omnidesk/result.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    for (let i = 0; i < 2; i++) {
      const ok = await fetch(url, { method: 'POST', headers: { apiKey: 'k3y' }, body: form() });
      expect(await ok.json()).toEqual({ ...documented, ticketID: expect.any(Number) });
    }
    expect(sim.violations).toHaveLength(4);
  });
});

describe('the relay on Omnidesk’s wire', () => {
  it('sends every call as multipart/form-data with the apiKey header', async () => {
    const seen: { url: string; type: string; key: string | null }[] = [];
    const s = await stack({}, async (input, init) => {
      const req = new Request(input, init);
      seen.push({ url: req.url, type: req.headers.get('content-type') ?? '', key: req.headers.get('apiKey') });
      return fetch(input, init);
    });
    const { v } = await chatting(s);
    v.transport.send({ type: 'typing', on: true });
    v.transport.send({ type: 'send', clientId: 'c1', text: 'hello' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 'c1'), 'echo');
    const posts = seen.filter((c) => c.url.includes('/api/v2/'));
    expect(posts.map((c) => new URL(c.url).pathname)).toEqual(
      expect.arrayContaining(['/api/v2/chat/notifyUserNewChatMessage', '/api/v2/chat/notifyUserNewChatEvent']),
    );
    expect(posts.every((c) => c.type.startsWith('multipart/form-data') && c.key === 'test-omnidesk-api-key')).toBe(true);
    expect(s.sim.violations).toEqual([]);
  });

  it('without the key Omnidesk requires, the start fails (retryable) and the log says why', async () => {
    const s = await stack({}, undefined, { apiKey: undefined });
    const v = open(s);
    v.transport.send({ type: 'start', visitor: {}, answers: {} });
    expect(await waitFor(() => v.of('error')[0], 'error')).toMatchObject({ code: 'upstream', retryable: true });
    expect(s.sim.violations).toEqual([expect.stringContaining('missing or wrong apiKey')]);
    await waitFor(() => s.logs.some((l) => l.includes('HTTP 401') && l.includes('missing or wrong apiKey')), 'log');
  });

  it('a 200 whose body is not a `result` is a failure, logged in Omnidesk’s words', async () => {
    let refuse = false;
    const s = await stack({}, async (input, init) => {
      if (!refuse || !String(input).endsWith('/notifyUserNewChatMessage')) return fetch(input, init);
      return new Response(JSON.stringify({ type: 'error', message: 'Chat token is disabled' }), { status: 200 });
    });
    const { v } = await chatting(s);
    refuse = true;
    v.transport.send({ type: 'send', clientId: 'c1', text: 'anyone?' });
    await waitFor(() => v.of('error').find((e) => e.code === 'send-failed'), 'send-failed');
    expect(v.of('message').filter((e) => e.message.clientId === 'c1')).toEqual([]);
    await waitFor(() => s.logs.some((l) => l.includes('(error: Chat token is disabled)')), 'vendor words in the log');
  });

  it('a line whose answer was lost is not sent again by the relay; the visitor’s Retry sends it with the same number', async () => {
    let lose = false;
    const s = await stack({}, async (input, init) => {
      const res = await fetch(input, init);
      if (lose && String(input).endsWith('/notifyUserNewChatMessage')) {
        lose = false;
        throw new TypeError('socket hang up'); // after Omnidesk got it
      }
      return res;
    });
    const { v } = await chatting(s);
    lose = true;
    v.transport.send({ type: 'send', clientId: 'c1', text: 'my order' });
    await waitFor(() => v.of('error').find((e) => e.code === 'send-failed'), 'send-failed');
    await waitFor(() => calls(s.sim, '/notifyUserNewChatMessage').length === 2, 'the line at Omnidesk');
    // The visitor presses Retry (the same client id): one more call, the same messageNumber.
    v.transport.send({ type: 'send', clientId: 'c1', text: 'my order' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 'c1'), 'echo after Retry');
    const lines = calls(s.sim, '/notifyUserNewChatMessage').filter((m) => m.message === 'my order');
    expect(lines.map((m) => m.messageNumber)).toEqual([2, 2]);
    expect(s.sim.violations).toEqual([]);
  });

  it('a line whose connection was refused (it never left) is tried again at once and arrives once', async () => {
    const refused = `http://127.0.0.1:${await closedPort()}/`;
    let refuseOnce = false;
    const s = await stack({}, (input, init) => {
      const redirect = refuseOnce && String(input).endsWith('/notifyUserNewChatMessage');
      if (redirect) refuseOnce = false;
      return fetch(redirect ? refused : input, init);
    });
    const { v } = await chatting(s);
    refuseOnce = true;
    v.transport.send({ type: 'send', clientId: 'c1', text: 'second try' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 'c1'), 'echo');
    expect(calls(s.sim, '/notifyUserNewChatMessage').filter((m) => m.message === 'second try')).toHaveLength(1);
    expect(v.of('error')).toEqual([]);
  });
});

describe('requestChatConfig (issue 15 row 7: cached, one upstream call per burst of visitors)', () => {
  it('uses the specification’s POST when the guide’s GET is not there, and asks once per cache period', async () => {
    let now = 1_000_000;
    const s = await stack({}, undefined, { configCacheMs: 15_000, now: () => now }, { configGet: false });
    const asked = () => s.sim.received.filter((r) => r.name.endsWith('requestChatConfig')).map((r) => r.name);
    const visitors = [open(s), open(s), open(s)];
    for (const v of visitors) expect((await waitFor(() => v.of('config')[0], 'config')).config.agentsAvailable).toBe(true);
    expect(asked()).toEqual(['GET /requestChatConfig', 'POST /api/v2/chat/requestChatConfig']);
    expect(calls(s.sim, '/chat/requestChatConfig')[0]).toMatchObject({ chatAccountToken: s.sim.options.chatAccountToken, chatServer: expect.stringMatching(/\/omnidesk\/[0-9a-f]{32}$/) });

    now += 15_000;
    s.available.value = false;
    const late = open(s);
    expect((await waitFor(() => late.of('config')[0], 'config')).config.agentsAvailable).toBe(false);
    expect(asked()).toEqual(['GET /requestChatConfig', 'POST /api/v2/chat/requestChatConfig', 'POST /api/v2/chat/requestChatConfig']);
    expect(s.sim.violations).toEqual([]);
  });

  it('remembers a failed answer for a few seconds: an outage costs one call, not one per visitor', async () => {
    let now = 5_000_000;
    let configCalls = 0;
    const s = await stack(
      {},
      (input, init) => {
        if (!String(input).includes('requestChatConfig')) return fetch(input, init);
        configCalls++;
        return Promise.resolve(new Response('{"type":"error","message":"down"}', { status: 400 }));
      },
      { configCacheMs: 15_000, now: () => now },
    );
    for (let i = 0; i < 3; i++) {
      const v = open(s);
      // Unknown is not "nobody": the widget still offers a chat.
      expect((await waitFor(() => v.of('config')[0], 'config')).config.agentsAvailable).toBeUndefined();
    }
    expect(configCalls).toBe(1);
    now += 5_000;
    const later = open(s);
    await waitFor(() => later.of('config')[0], 'config');
    expect(configCalls).toBe(2);
  });

  it('serves concurrent visitors from one GET', async () => {
    const sim = await startOmnideskSimulator({ apiKey: 'k' });
    cleanup.push(() => sim.close());
    const relay = await startRelay({
      hookSecret: SECRET,
      signingKey: 'test-signing-key',
      allowedOrigins: [ORIGIN],
      adapters: [omnideskAdapterFor(sim, { configCacheMs: 60_000 })],
      log: () => undefined,
    });
    cleanup.push(() => relay.close());
    const visitors = Array.from({ length: 5 }, () => visitor(relay.url));
    for (const v of visitors) cleanup.push(async () => v.transport.close());
    for (const v of visitors) await waitFor(() => v.of('config')[0], 'config');
    expect(sim.received.filter((r) => r.name.endsWith('requestChatConfig')).map((r) => r.name)).toEqual(['GET /requestChatConfig']);
  });
});
