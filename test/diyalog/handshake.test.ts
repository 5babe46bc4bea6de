/**
 * The browser handshake in front of `start` (document steps 1–4): the device hash, and the
 * call to the site's transaction endpoint (a real HTTP server on 127.0.0.1).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchTransaction } from '../../src/transports/diyalog/transaction';
import { memoryStorage } from './harness';

const KEY = 'confab.diyalog.deviceHash';

/** A fresh module per test: the in-memory fallback hash is module state. */
async function freshDeviceHash() {
  vi.resetModules();
  return (await import('../../src/transports/diyalog/device-hash')).deviceHash;
}

describe('device hash', () => {
  it("is created on first use (32 bytes in standard base64, like D1's sample) and kept in localStorage", async () => {
    const deviceHash = await freshDeviceHash();
    const storage = memoryStorage();
    const first = deviceHash(() => storage);
    expect(first).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(storage.getItem(KEY)).toBe(first);
    expect(deviceHash(() => storage)).toBe(first);
  });

  it('survives a reload: a new page reads the same hash back', async () => {
    const storage = memoryStorage();
    const before = (await freshDeviceHash())(() => storage);
    const after = (await freshDeviceHash())(() => storage);
    expect(after).toBe(before);
  });

  it('differs between browsers', async () => {
    const deviceHash = await freshDeviceHash();
    const a = deviceHash(() => memoryStorage());
    const b = (await freshDeviceHash())(() => memoryStorage());
    expect(a).not.toBe(b);
  });

  it('stays stable for the page when storage throws (private mode, sandboxed iframe)', async () => {
    const deviceHash = await freshDeviceHash();
    const denied = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    const throwingStore = { ...memoryStorage(), getItem: denied, setItem: denied } as unknown as Storage;
    const a = deviceHash(denied);
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(deviceHash(() => throwingStore)).toBe(a);
    expect(deviceHash(() => null)).toBe(a);
  });

  it('replaces a tampered stored value', async () => {
    const deviceHash = await freshDeviceHash();
    const storage = memoryStorage();
    storage.setItem(KEY, '<script>');
    const hash = deviceHash(() => storage);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(storage.getItem(KEY)).toBe(hash);
  });

  it("keeps a stored hash in D1's form, and one made by an earlier version (40 hex digits)", async () => {
    for (const kept of ['fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=', '88828d22c3acbec026973b8f9ea1de785bc7cf6e']) {
      const storage = memoryStorage();
      storage.setItem(KEY, kept);
      expect((await freshDeviceHash())(() => storage)).toBe(kept);
    }
  });
});

describe('transaction hash from the site server', () => {
  let server: Server;
  let base = '';
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  const seen: Array<{ method?: string; type?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        seen.push({ method: req.method, type: req.headers['content-type'], body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tx`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
  });

  it('POSTs the customer and device hash as JSON, same-origin credentials, and reads the hash', async () => {
    answer = { status: 200, body: JSON.stringify({ transactionHash: '4222f1c04f35dc6b419f4ef5a0c9f2aadc26fc34' }) };
    const inits: RequestInit[] = [];
    const spy: typeof fetch = (input, init) => {
      inits.push(init ?? {});
      return fetch(input, init);
    };
    const tx = await fetchTransaction(base, { customerId: '123458', deviceHash: 'dev-12345678' }, spy);
    expect(tx).toEqual({ transactionHash: '4222f1c04f35dc6b419f4ef5a0c9f2aadc26fc34', customerId: '123458' });
    expect(inits[0]).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    expect(seen).toEqual([{ method: 'POST', type: 'application/json', body: '{"customerId":"123458","deviceHash":"dev-12345678"}' }]);
  });

  it("takes the customer id from the server's answer when it gives one", async () => {
    answer = { status: 200, body: JSON.stringify({ transactionHash: 'abc', customerId: 'signed-in-42' }) };
    await expect(fetchTransaction(base, { customerId: 'claimed', deviceHash: 'dev-12345678' })).resolves.toEqual({
      transactionHash: 'abc',
      customerId: 'signed-in-42',
    });
  });

  it.each([
    ['a server error', 500, '{"error":"boom"}'],
    ['a refusal', 403, '{"error":"not allowed"}'],
    ['an answer that is not JSON', 200, '<html>login</html>'],
    ['an answer without a hash', 200, '{"hash":"abc"}'],
    ['a hash that is not text', 200, '{"transactionHash":42}'],
    ['a hash with control characters', 200, '{"transactionHash":"ab\\ncd"}'],
  ])('rejects %s', async (_what, status, body) => {
    answer = { status, body };
    await expect(fetchTransaction(base, { customerId: '1', deviceHash: 'dev-12345678' })).rejects.toThrow();
  });

  it('rejects when the server cannot be reached', async () => {
    await expect(fetchTransaction('http://127.0.0.1:1/tx', { customerId: '1', deviceHash: 'dev-12345678' })).rejects.toThrow();
  });
});
