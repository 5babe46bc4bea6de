/**
 * The reference transaction-hash endpoint a site's server runs (steps 2–4), against the
 * Diyalog simulator's signed REST API over real sockets: keys stay on the server, CORS only
 * for the site's origin, bad input refused, D1's sample device hash accepted, Diyalog's
 * failures answered by kind, and the site proves the customer with verifyCustomer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionHashHandler, type TransactionEndpointOptions } from '../../src/server/relay/adapters/diyalog-transaction';
import { diyalogApplicationApi } from '../../src/server/relay/adapters/transaction-hash-issuer';
import { startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';

const ORIGIN = 'https://shop.example.com';
/** D1's sample device hash: standard base64 with `+` and `=`. */
const D1_DEVICE = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';
let sim: DiyalogSimulatorHandle;
const servers: Server[] = [];
const apiWith = (secret: string) =>
  diyalogApplicationApi({ apiBase: sim.apiBase, credentials: { accessKeyId: 'site', accessKeySecret: secret, requesterUserId: '45186' }, log: () => undefined });

async function endpoint(over: Partial<TransactionEndpointOptions> = {}): Promise<string> {
  const handle = createTransactionHashHandler({ issuer: apiWith('top-secret-value'), allowedOrigins: [ORIGIN], log: () => undefined, ...over });
  const server = createServer((req, res) => void handle(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tx`;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  sim = await startDiyalogSimulator({ keys: { accessKeyId: 'site', accessKeySecret: 'top-secret-value' } });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await sim.close();
});

describe('reference transaction-hash endpoint', () => {
  it("returns a hash Diyalog issued for this customer and D1's sample device hash, and never the keys", async () => {
    const url = await endpoint();
    const res = await post(url, { customerId: '123458', deviceHash: D1_DEVICE });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const text = await res.text();
    expect(text).not.toContain('top-secret-value');
    expect(JSON.parse(text)).toEqual({ transactionHash: expect.stringMatching(/^[0-9a-f]{40}$/), customerId: '123458' });
    expect(sim.received.at(-1)).toMatchObject({ name: 'gettransactionhashforonlinehelp', payload: { customerId: '123458', deviceHash: D1_DEVICE } });
    // The URL-safe alphabet too.
    expect((await post(url, { customerId: '123458', deviceHash: 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS-k_' })).status).toBe(200);
  });

  it("answers the browser's CORS preflight for the site's origin only", async () => {
    const url = await endpoint();
    const ok = await fetch(url, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type');
    const evil = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to mint hashes for a foreign page', async () => {
    const before = sim.received.length;
    const res = await post(await endpoint(), { customerId: '1', deviceHash: D1_DEVICE }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(sim.received.length).toBe(before);
  });

  it.each([
    ['no customer', { deviceHash: D1_DEVICE }],
    ['no device', { customerId: '1' }],
    ['a customer id with markup', { customerId: '<b>', deviceHash: D1_DEVICE }],
    ['a device hash too short', { customerId: '1', deviceHash: 'x' }],
    ['a device hash too long', { customerId: '1', deviceHash: 'A'.repeat(129) }],
    ['a device hash with markup', { customerId: '1', deviceHash: '<img src=x>=' }],
    ['a device hash with spaces', { customerId: '1', deviceHash: 'fwCZgi6zl2DP uNck6H644e' }],
  ])('refuses a request with %s', async (_what, body) => {
    expect((await post(await endpoint(), body)).status).toBe(400);
  });

  it('refuses bodies that are too large or not JSON', async () => {
    const url = await endpoint();
    expect((await post(url, { customerId: '1', deviceHash: D1_DEVICE, pad: 'x'.repeat(10_000) })).status).toBe(413);
    const form = await fetch(url, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'text/plain' }, body: 'customerId=1' });
    expect(form.status).toBe(415);
  });

  it('verifyCustomer: the site proves who the customer is, whatever the browser claims', async () => {
    const url = await endpoint({
      verifyCustomer: (req: IncomingMessage) => (req.headers.cookie === 'session=ann' ? 'ann-42' : null),
    });
    const signedIn = await post(url, { customerId: 'claimed-1', deviceHash: D1_DEVICE }, { cookie: 'session=ann' });
    expect(await signedIn.json()).toMatchObject({ customerId: 'ann-42' });
    expect((await post(url, { customerId: 'claimed-1', deviceHash: D1_DEVICE })).status).toBe(403);
  });

  it("answers Diyalog's refusals by kind, never with Diyalog's own words", async () => {
    const wrongKey = await endpoint({ issuer: apiWith('wrong') });
    const res = await post(wrongKey, { customerId: '1', deviceHash: D1_DEVICE });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'Diyalog did not issue a transaction hash', reason: 'config' });
    const refusing = await endpoint({ issuer: { getTransactionHashForOnlineHelp: () => Promise.reject(new Error('boom')) } });
    expect(await (await post(refusing, { customerId: '1', deviceHash: D1_DEVICE })).json()).toMatchObject({ reason: 'failed' });
  });

  it('says at creation when no verifyCustomer hook is given, and only then', () => {
    const said: string[] = [];
    createTransactionHashHandler({ issuer: apiWith('x'), allowedOrigins: [ORIGIN], log: (m) => said.push(m) });
    expect(said).toEqual([expect.stringMatching(/no verifyCustomer hook, so any claimed customerId gets a transactionHash/)]);
    createTransactionHashHandler({ issuer: apiWith('x'), allowedOrigins: [ORIGIN], log: (m) => said.push(m), verifyCustomer: () => null });
    expect(said).toHaveLength(1);
  });

  it('is rate limited per client', async () => {
    const url = await endpoint({ rate: { capacity: 2, perMinute: 1 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(url, { customerId: '1', deviceHash: D1_DEVICE })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

});
