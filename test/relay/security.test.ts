import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookUrl, ORIGIN, SECRET, startStack, visitor, waitFor, type Stack } from './harness';
import { describeEachStore } from './stores';
import { en } from '../../src/core/i18n';

function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

async function chatId(v: ReturnType<typeof visitor>): Promise<string> {
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  return String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
}

describeEachStore((newStore) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ maxBodyBytes: 1024, maxUploadBytes: 2048, sessionRate: { capacity: 5, perMinute: 1 }, store: newStore() });
  });
  afterAll(async () => {
    await stack.close();
  });

  const http = () => stack.relay.url.replace(/^ws/, 'http');

  describe('relay security', () => {
    it('answers 401 to hookpoints without the secret path segment, and to anything else', async () => {
      const v = visitor(stack.relay.url);
      const id = await chatId(v);
      const body = JSON.stringify({ sessionID: id, name: 'Mallory', message: 'click evil.example' });
      const wrong = [
        `${http()}/hook/not-the-secret/omnidesk/messageForCustomer`,
        `${http()}/omnidesk/messageForCustomer`,
        `${http()}/messageForCustomer`,
        `${http()}/hook/${SECRET.slice(0, -1)}/omnidesk/messageForCustomer`,
      ];
      for (const url of wrong) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status, url).toBe(401);
      }
      expect((await fetch(`${stack.relay.hookpointBase}/omnidesk/messageForCustomer`)).status).toBe(401); // GET
      const good = await fetch(hookUrl(stack.sim, id, 'messageForCustomer'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ SessionID: id, name: 'Sam', message: 'genuine' }),
      });
      expect(good.status).toBe(200);
      await waitFor(() => v.of('message').find((e) => e.message.text === 'genuine'), 'genuine message');
      expect(v.of('message').some((e) => e.message.text?.includes('evil'))).toBe(false);
      v.transport.close();
    });

    it("never lets a second visitor's token read or write the first visitor's session", async () => {
      const a = visitor(stack.relay.url);
      const idA = await chatId(a);
      const b = visitor(stack.relay.url);
      await chatId(b);
      const tokenA = (a.resume() as { token: string }).token;
      const tokenB = (b.resume() as { token: string }).token;
      expect(tokenA).not.toBe(tokenB);

      // B's signature on A's session id is not a token for A.
      const forged = `${tokenA.split('.')[0]}.${tokenB.split('.')[1]}`;
      const thief = visitor(stack.relay.url, { resume: { token: forged, seq: 0 } });
      // Refused: the widget ends the chat it claimed and opens no session in its place.
      await waitFor(() => thief.of('ended')[0], 'forged token refused');

      await stack.sim.agentSay(idA, 'secret for A');
      const file = new Blob(['%PDF-1.4 A only'], { type: 'application/pdf' });
      a.transport.send({ type: 'send-file', clientId: 'fa', file, name: 'a.pdf' });
      const echo = await waitFor(() => a.of('message').find((e) => e.message.clientId === 'fa'), 'A file echo');
      await waitFor(() => a.of('message').find((e) => e.message.text === 'secret for A'), 'A got its line');
      for (const other of [b, thief]) expect(other.of('message').some((e) => e.message.text === 'secret for A' || e.message.clientId === 'fa')).toBe(false);

      const url = new URL(echo.message.attachments![0]!.url);
      expect((await fetch(url)).status).toBe(200);
      const tampered = new URL(url);
      tampered.searchParams.set('sig', (b.resume() as { token: string }).token.split('.')[1]!);
      expect((await fetch(tampered)).status).toBe(403);
      for (const v of [a, b, thief]) v.transport.close();
    });

    it('rejects WebSockets from origins not on the allowlist', async () => {
      expect(await upgradeStatus(`${stack.relay.url}/ws`, 'https://evil.example')).toBe(403);
      expect(await upgradeStatus(`${stack.relay.url}/ws`)).toBe(403);
      expect(await upgradeStatus(`${stack.relay.url}/ws`, ORIGIN)).toBe(101);
    });

    it('caps hookpoint bodies and uploads (413)', async () => {
      const v = visitor(stack.relay.url);
      const id = await chatId(v);
      const big = await fetch(`${stack.relay.hookpointBase}/omnidesk/messageForCustomer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionID: id, name: 'A', message: 'x'.repeat(5000) }),
      });
      expect(big.status).toBe(413);
      const form = new FormData();
      form.set('sessionID', id);
      form.set('file', new Blob([new Uint8Array(4096)], { type: 'image/png' }), 'big.png');
      const upload = await fetch(`${stack.relay.hookpointBase}/omnidesk/uploadForCustomer`, { method: 'POST', body: form });
      expect(upload.status).toBe(413);
      expect(v.of('message').filter((e) => e.message.sender === 'agent' && (e.message.text?.startsWith('xxx') || e.message.attachments))).toEqual([]);
      v.transport.close();
    });

    it('rate-limits a session that floods commands', async () => {
      const v = visitor(stack.relay.url);
      await waitFor(() => v.of('config')[0], 'config');
      for (let i = 0; i < 8; i++) v.transport.send({ type: 'window', open: i % 2 === 0 });
      const limited = () => v.of('error').filter((e) => e.code === 'rate-limited').length;
      // 8 commands against a bucket of 5 that refills once a minute: 3 refused, each answered.
      await waitFor(() => limited() >= 3 || undefined, 'three rate-limited errors');
      expect(limited()).toBe(3);
      // Said in the visitor's language (the widget's table), not in the relay's English.
      expect(v.of('error').find((e) => e.code === 'rate-limited')?.message).toBe(en['error.rateLimited']);
      v.transport.close();
    });
  });

  describe('relay per-IP limits and IP allowlist', () => {
    it('refuses WebSocket upgrades over the per-IP rate with 429', async () => {
      const s = await startStack({ ipRate: { capacity: 3, perMinute: 1 }, store: newStore() });
      try {
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push(await upgradeStatus(`${s.relay.url}/ws`, ORIGIN));
        expect(statuses).toEqual([101, 101, 101, 429, 429]);
      } finally {
        await s.close();
      }
    });

    it('accepts hookpoints only from allowlisted addresses when an allowlist is set', async () => {
      const s = await startStack({ hookIpAllowlist: ['10.9.8.7'], store: newStore() });
      try {
        const res = await fetch(`${s.relay.hookpointBase}/omnidesk/endSession`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionID: 'x' }),
        });
        expect(res.status).toBe(403);
      } finally {
        await s.close();
      }
    });
  });
});
