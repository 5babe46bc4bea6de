/**
 * Issue 15 rows 5–8 and the bucket part of 16: every resource a visitor can make the relay
 * hold or spend has a bound. Real relay + Omnidesk simulator, real sockets (raw TCP where a
 * WebSocket library would behave).
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../src/server/relay/server';
import { calls, hookUrl, ORIGIN, type Stack, startStack, visitor, waitFor } from '../relay/harness';
import { clientFrame, HELLO, rawRequest, rawSocket, text, upgradeRequest } from './wire';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});
async function stack(overrides: Partial<RelayConfig> = {}): Promise<Stack & { port: number; http: string }> {
  const s = await startStack(overrides);
  stacks.push(s);
  const port = Number(new URL(s.relay.url).port);
  return { ...s, port, http: `http://127.0.0.1:${port}` };
}

const frameText = (f: { payload: Buffer }) => f.payload.toString();
const isType = (type: string) => (f: { opcode: number; payload: Buffer }) => f.opcode === 1 && frameText(f).includes(`"type":"${type}"`);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function startedChat(s: Stack) {
  const v = visitor(s.relay.url);
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, chatId };
}

function agentUpload(s: Stack, chatId: string, name: string, bytes: Buffer): Promise<Response> {
  const form = new FormData();
  form.set('sessionID', chatId);
  form.set('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  return fetch(hookUrl(s.sim, chatId, 'uploadForCustomer'), { method: 'POST', body: form });
}

describe('issue 15: bounds', () => {
  it('row 5: a frame before hello is cut at a few KB; after hello the upload-sized cap applies', async () => {
    const s = await stack({ maxUploadBytes: 64 * 1024 });
    const early = await rawSocket(s.port, ORIGIN);
    // Announces 14 MB and starts sending it: the relay cuts the connection after 16 KiB.
    early.socket.write(clientFrame(0x1, Buffer.alloc(0), { declared: 14 * 1024 * 1024 }));
    for (let i = 0; i < 64 && !early.socket.destroyed; i++) early.socket.write(Buffer.alloc(16 * 1024, 0x20));
    await early.closed;
    expect(early.frames.some(isType('welcome'))).toBe(false);

    const greeted = await rawSocket(s.port, ORIGIN);
    greeted.socket.write(text(HELLO));
    await greeted.frame(isType('welcome'));
    // 40 KB, over the pre-hello budget, under the post-hello cap: answered.
    greeted.socket.write(text(JSON.stringify({ type: 'ping', pad: 'x'.repeat(40_000) })));
    expect(await greeted.frame(isType('pong'))).toBeDefined();
    greeted.socket.destroy();
  });

  it('row 5: stored files are capped per session (oldest evicted)', async () => {
    const s = await stack({ maxUploadBytes: 1024, maxSessionFileBytes: 2048 });
    const { v, chatId } = await startedChat(s);
    for (const n of [1, 2, 3]) expect((await agentUpload(s, chatId, `f${n}.png`, Buffer.concat([PNG, Buffer.alloc(900, n)]))).status).toBe(200);
    const files = await waitFor(() => {
      const f = v.of('message').flatMap((e) => e.message.attachments ?? []);
      return f.length === 3 && f;
    }, 'three files');
    const statuses = await Promise.all(files.map(async (f) => (await fetch(f.url)).status));
    expect(statuses).toEqual([403, 200, 200]);
    v.transport.close();
  });

  it('row 5: stored files are capped in total across sessions (oldest evicted)', async () => {
    const s = await stack({ maxUploadBytes: 1024, maxSessionFileBytes: 4096, maxStoredFileBytes: 2048 });
    const a = await startedChat(s);
    const b = await startedChat(s);
    expect((await agentUpload(s, a.chatId, 'a.png', Buffer.concat([PNG, Buffer.alloc(900)]))).status).toBe(200);
    expect((await agentUpload(s, b.chatId, 'b1.png', Buffer.concat([PNG, Buffer.alloc(900)]))).status).toBe(200);
    expect((await agentUpload(s, b.chatId, 'b2.png', Buffer.concat([PNG, Buffer.alloc(900)]))).status).toBe(200);
    const url = (v: typeof a.v, name: string) =>
      waitFor(() => v.of('message').flatMap((e) => e.message.attachments ?? []).find((f) => f.name === name)?.url, name);
    expect((await fetch(await url(a.v, 'a.png'))).status).toBe(403);
    expect((await fetch(await url(b.v, 'b1.png'))).status).toBe(200);
    expect((await fetch(await url(b.v, 'b2.png'))).status).toBe(200);
    a.v.transport.close();
    b.v.transport.close();
  });

  it('row 6: open sockets are capped per IP; a closed one frees its place', async () => {
    const s = await stack({ sockets: { perIp: 3 } });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await rawSocket(s.port, ORIGIN));
    expect((await rawRequest(s.port, upgradeRequest({ origin: ORIGIN }))).status).toBe(429);
    open[0]!.socket.destroy();
    await open[0]!.closed;
    let again = 0;
    for (let i = 0; i < 50 && again !== 101; i++) {
      const c = await rawRequest(s.port, upgradeRequest({ origin: ORIGIN }));
      again = c.status;
      c.socket.destroy();
    }
    expect(again).toBe(101);
    for (const c of open) c.socket.destroy();
  });

  it('row 6: a socket that stops answering pings is reaped', async () => {
    const s = await stack({ sockets: { heartbeatMs: 100, idleMs: 60_000 } });
    // Raw TCP never answers a ping frame: dead as far as the relay can tell.
    const dead = await rawSocket(s.port, ORIGIN);
    dead.socket.write(text(HELLO));
    await dead.frame(isType('welcome'));
    await dead.closed;
    expect(dead.frames.some((f) => f.opcode === 0x9)).toBe(true); // it was pinged first
    expect(dead.closeCode()).toBeUndefined(); // cut, not closed politely
  });

  it('row 6: a socket that answers pings but sends no frame is closed as idle', async () => {
    // The first heartbeat comes after the idle time: the close does not depend on a pong's timing.
    const s = await stack({ sockets: { heartbeatMs: 500, idleMs: 200 } });
    const quiet = new WebSocket(`${s.relay.url}/ws`, { origin: ORIGIN });
    const code = await new Promise<number>((resolve) => {
      quiet.on('open', () => quiet.send(HELLO));
      quiet.on('close', (c) => resolve(c));
      quiet.on('error', () => undefined);
    });
    expect(code).toBe(1000);
  });

  it('row 7: leave-message is limited per session and per IP (each one is a ticket at Omnidesk)', async () => {
    const s = await stack({
      visitorRates: { leaveMessagesPerSession: { capacity: 2, perMinute: 1 }, leaveMessagesPerIp: { capacity: 3, perMinute: 1 } },
    });
    const leave = (v: ReturnType<typeof visitor>, i: number) =>
      v.transport.send({ type: 'leave-message', name: 'M', email: `m${i}@evil.example`, message: `spam ${i}` });
    const a = visitor(s.relay.url);
    await waitFor(() => a.of('config')[0], 'config a');
    for (let i = 0; i < 4; i++) leave(a, i);
    await waitFor(() => a.of('error').filter((e) => e.code === 'rate-limited').length === 2, 'a refused twice');
    const b = visitor(s.relay.url);
    await waitFor(() => b.of('config')[0], 'config b');
    for (let i = 4; i < 8; i++) leave(b, i);
    await waitFor(() => b.of('error').filter((e) => e.code === 'rate-limited').length === 3, 'b refused three times');
    await waitFor(() => a.of('ack').length + b.of('ack').length === 3, 'three tickets acknowledged');
    expect(calls(s.sim, '/message/chatbot')).toHaveLength(3);
    a.transport.close();
    b.transport.close();
  });

  it('row 7: chat starts are limited per session (each one opens a chat at Omnidesk)', async () => {
    const s = await stack({ visitorRates: { startsPerSession: { capacity: 1, perMinute: 1 } } });
    const v = visitor(s.relay.url);
    await waitFor(() => v.of('config')[0], 'config');
    for (let i = 0; i < 4; i++) v.transport.send({ type: 'start', visitor: { name: `n${i}` }, answers: {} });
    await waitFor(() => v.of('error').filter((e) => e.code === 'rate-limited').length === 3, 'three starts refused');
    await waitFor(() => v.of('accepted')[0], 'the one start accepted');
    v.transport.close();
  });

  it('row 7: new sessions are limited per IP (each costs Omnidesk a requestChatConfig)', async () => {
    const s = await stack({ visitorRates: { sessionsPerIp: { capacity: 3, perMinute: 1 } } });
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await rawSocket(s.port, ORIGIN);
      c.socket.write(text(HELLO));
      const f = await c.frame((x) => isType('welcome')(x) || isType('fatal')(x));
      outcomes.push(f && isType('welcome')(f) ? 'welcome' : 'fatal');
      c.socket.destroy();
    }
    expect(outcomes).toEqual(['welcome', 'welcome', 'welcome', 'fatal', 'fatal']);
    await waitFor(() => calls(s.sim, '/requestChatConfig').length >= 3, 'three config calls');
    expect(calls(s.sim, '/requestChatConfig')).toHaveLength(3);
  });

  it('row 8: invalid, ack and ping frames count against the frame rate; invalid frames are not stored; a flood is cut', async () => {
    const s = await stack({ visitorRates: { frames: { capacity: 20, perMinute: 1 } } });
    const c = await rawSocket(s.port, ORIGIN);
    c.socket.write(text(HELLO));
    const welcome = JSON.parse(frameText((await c.frame(isType('welcome')))!)) as { token: string };
    const flood: Buffer[] = [];
    for (let i = 0; i < 1000; i++) flood.push(text('{"type":"nonsense"'), text(`{"type":"ack","seq":${i}}`), text('{"type":"ping"}'));
    c.socket.write(Buffer.concat(flood));
    await c.closed;
    expect(c.closeCode()).toBe(1008);
    expect(c.frames.filter(isType('pong')).length).toBeLessThanOrEqual(20);

    // What the store kept for the session: no error event per unreadable frame.
    const r = await rawSocket(s.port, ORIGIN);
    r.socket.write(text(JSON.stringify({ type: 'resume', token: welcome.token, lastSeq: 0 })));
    await r.frame(isType('welcome'));
    await r.frame((f) => isType('event')(f) && frameText(f).includes('"config"'));
    expect(r.frames.filter((f) => isType('event')(f) && frameText(f).includes('bad-frame'))).toEqual([]);
    r.socket.destroy();
  });

  it('row 16: junk requests, visitor sockets and hookpoints have separate buckets; JSON is nosniff with a CSP', async () => {
    const s = await stack({ httpRate: { capacity: 5, perMinute: 1 }, ipRate: { capacity: 5, perMinute: 1 } });
    const junk = [];
    for (let i = 0; i < 12; i++) junk.push((await fetch(`${s.http}/hook/guess-${i}/omnidesk/x`, { method: 'POST' })).status);
    expect(junk.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(junk.slice(5).every((x) => x === 429)).toBe(true);
    // The visitor from that IP still gets a chat, and the vendor's hookpoints still work.
    const { v, chatId } = await startedChat(s);
    const hook = await fetch(hookUrl(s.sim, chatId, 'messageForCustomer'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionID: chatId, name: 'Sam', message: 'still here' }),
    });
    expect(hook.status).toBe(200);
    for (const res of [hook, await fetch(`${s.http}/healthz`), await fetch(`${s.http}/nope`)]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    v.transport.close();
  });
});
