/**
 * The reference transaction-hash endpoint a site's server runs (steps 2–4), against the
 * Diyalog simulator over real sockets: credentials stay on the server, CORS only for the
 * site's origin, bad input refused, and the site may pin the customer to its own session.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTransactionHashHandler,
  diyalogCredentialsFromEnv,
  type TransactionEndpointOptions,
} from '../../src/server/relay/adapters/diyalog-transaction';
import { connectSandboxDiyalog, startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';

const ORIGIN = 'https://shop.example.com';
let sim: DiyalogSimulatorHandle;
const servers: Server[] = [];

async function endpoint(over: Partial<TransactionEndpointOptions> = {}): Promise<string> {
  const handle = createTransactionHashHandler({ issuer: sim.channel, allowedOrigins: [ORIGIN], ...over });
  const server = createServer((req, res) => void handle(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tx`;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  sim = await startDiyalogSimulator({ credentials: { id: 'site', secret: 'top-secret-value' } });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await sim.close();
});

describe('reference transaction-hash endpoint', () => {
  it('returns a hash Diyalog issued for this customer and device, and never the credentials', async () => {
    const url = await endpoint();
    const res = await post(url, { customerId: '123458', deviceHash: 'dev-12345678' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const text = await res.text();
    expect(text).not.toContain('top-secret-value');
    expect(JSON.parse(text)).toEqual({ transactionHash: expect.stringMatching(/^[0-9a-f]{40}$/), customerId: '123458' });
    expect(sim.received.at(-1)).toMatchObject({ name: 'gettransactionhashforonlinehelp', payload: { customerId: '123458', deviceHash: 'dev-12345678' } });
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
    const res = await post(await endpoint(), { customerId: '1', deviceHash: 'dev-12345678' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(sim.received.length).toBe(before);
  });

  it.each([
    ['no customer', { deviceHash: 'dev-12345678' }],
    ['no device', { customerId: '1' }],
    ['a customer id with markup', { customerId: '<b>', deviceHash: 'dev-12345678' }],
    ['a device hash too short', { customerId: '1', deviceHash: 'x' }],
  ])('refuses a request with %s', async (_what, body) => {
    expect((await post(await endpoint(), body)).status).toBe(400);
  });

  it('refuses bodies that are too large or not JSON', async () => {
    const url = await endpoint();
    expect((await post(url, { customerId: '1', deviceHash: 'dev-12345678', pad: 'x'.repeat(10_000) })).status).toBe(413);
    const form = await fetch(url, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'text/plain' }, body: 'customerId=1' });
    expect(form.status).toBe(415);
  });

  it("uses the site's own idea of the customer when given one", async () => {
    const url = await endpoint({
      resolveCustomer: (req: IncomingMessage) => (req.headers.cookie === 'session=ann' ? 'ann-42' : null),
    });
    const signedIn = await post(url, { customerId: 'claimed-1', deviceHash: 'dev-12345678' }, { cookie: 'session=ann' });
    expect(await signedIn.json()).toMatchObject({ customerId: 'ann-42' });
    expect((await post(url, { customerId: 'claimed-1', deviceHash: 'dev-12345678' })).status).toBe(403);
  });

  it('reports a Diyalog refusal (wrong server credentials) as 502', async () => {
    const base = sim.url.replace(/^ws/, 'http').replace(/\/__sandbox.*$/, '');
    const url = await endpoint({ issuer: connectSandboxDiyalog(base, { id: 'site', secret: 'wrong' }) });
    expect((await post(url, { customerId: '1', deviceHash: 'dev-12345678' })).status).toBe(502);
  });

  it('is rate limited per client', async () => {
    const url = await endpoint({ rate: { capacity: 2, perMinute: 1 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(url, { customerId: '1', deviceHash: 'dev-12345678' })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('reads the server credentials from the environment', () => {
    expect(diyalogCredentialsFromEnv({ DIYALOG_CREDENTIAL_ID: 'site', DIYALOG_CREDENTIAL_SECRET: 'x' })).toEqual({ id: 'site', secret: 'x' });
    expect(diyalogCredentialsFromEnv({ DIYALOG_CREDENTIAL_ID: 'site' })).toBeNull();
  });
});
