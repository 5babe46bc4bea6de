/**
 * Issue 15, row 10 (medium): the Diyalog transaction endpoint gave a hash for any claimed
 * customerId, its rate limit ignored the proxy setting (every visitor behind a proxy shared one
 * bucket), and the issuer URL could be http://. Reproduced over real sockets against the relay
 * started from its environment (`configFromEnv`), with the Diyalog simulator's signed REST API
 * on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { diyalogRoutesFromEnv } from '../../src/server/relay/adapters/diyalog-env';
import { ConfigError, configFromEnv } from '../../src/server/relay/config';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { clientIpResolver } from '../../src/server/relay/proxy-trust';
import { startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';

const ORIGIN = 'https://shop.example.com';
const D1_DEVICE = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';
let sim: DiyalogSimulatorHandle;
const relays: RelayHandle[] = [];

const env = () => ({
  RELAY_HOOK_SECRET: 'hook-secret-0123456789abcdef',
  RELAY_SIGNING_KEY: 'k'.repeat(32),
  RELAY_ALLOWED_ORIGINS: ORIGIN,
  RELAY_PUBLIC_URL: 'https://relay.example.com',
  OMNIDESK_CHAT_ACCOUNT_TOKEN: 'token',
  DIYALOG_API_BASE: sim.apiBase,
  DIYALOG_ACCESS_KEY_ID: sim.keys.accessKeyId,
  DIYALOG_ACCESS_KEY_SECRET: sim.keys.accessKeySecret,
  DIYALOG_REQUESTER_USER_ID: '45186',
  DIYALOG_QUEUE_URL: sim.queueUrl,
});

async function relayFrom(extra: Record<string, string> = {}): Promise<string> {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const config = configFromEnv({ ...env(), ...extra });
  const relay = await startRelay({ ...config, host: '127.0.0.1', port: 0, publicUrl: undefined, log: () => undefined });
  relays.push(relay);
  return `${relay.url.replace(/^ws/, 'http')}/diyalog/transaction-hash`;
}

const ask = (url: string, customerId: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
    body: JSON.stringify({ customerId, deviceHash: D1_DEVICE }),
  });

/** Statuses of `n` requests from one claimed client address. */
async function burst(url: string, n: number, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await ask(url, '123458', headers)).status);
  return out;
}

beforeAll(async () => {
  sim = await startDiyalogSimulator();
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await sim.close();
});

describe('issue 15 row 10: the Diyalog transaction endpoint', () => {
  it('row 10: the issuer must be https: (http: only on loopback, for the sandbox); the queue too', () => {
    const problems = (extra: Record<string, string>) => {
      try {
        configFromEnv({ ...env(), ...extra });
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      return '';
    };
    expect(problems({ DIYALOG_API_BASE: 'http://api.diyalog.example' })).toMatch(/DIYALOG_API_BASE must be an https: URL/);
    expect(problems({ DIYALOG_API_BASE: 'http://10.0.0.5:8080' })).toMatch(/DIYALOG_API_BASE must be an https: URL/);
    expect(problems({ DIYALOG_API_BASE: 'ftp://api.diyalog.example' })).toMatch(/DIYALOG_API_BASE must be an https: URL/);
    expect(problems({ DIYALOG_QUEUE_URL: 'http://queue.example' })).toMatch(/DIYALOG_QUEUE_URL must be an https: URL/);
    expect(problems({ DIYALOG_API_BASE: 'https://api.diyalog.example' })).toBe('');
    expect(problems({})).toBe(''); // loopback http: the sandbox
  });

  /** The transaction route exactly as configFromEnv builds it, with a frozen rate-limit clock. */
  async function routeRelay(trustProxy: boolean): Promise<string> {
    const { routes } = diyalogRoutesFromEnv(env(), {
      allowedOrigins: [ORIGIN],
      clientIp: clientIpResolver(trustProxy ? { hops: 1 } : {}), // as config.ts builds it
      log: () => undefined,
      rate: { capacity: 3, perMinute: 60 },
      now: () => 1_000_000,
    });
    const relay = await startRelay({
      hookSecret: 'hook-secret-0123456789abcdef',
      signingKey: 'k'.repeat(32),
      allowedOrigins: [ORIGIN],
      adapters: [],
      routes,
      ...(trustProxy ? { proxyHops: 1 } : {}),
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    relays.push(relay);
    return `${relay.url.replace(/^ws/, 'http')}/diyalog/transaction-hash`;
  }

  it('row 10: behind a trusted proxy, each visitor has their own bucket (X-Forwarded-For as the relay reads it)', async () => {
    const url = await routeRelay(true);
    expect(await burst(url, 4, { 'x-forwarded-for': '203.0.113.7' })).toEqual([200, 200, 200, 429]);
    // Another visitor behind the same proxy is not locked out by the first.
    expect((await ask(url, '123458', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
    // Only the rightmost (proxy-added) entry counts: a client-written prefix buys nothing.
    expect((await ask(url, '123458', { 'x-forwarded-for': '192.0.2.1, 203.0.113.7' })).status).toBe(429);
  });

  it('row 10: without proxy trust, X-Forwarded-For buys no fresh bucket', async () => {
    const url = await routeRelay(false);
    expect(await burst(url, 3, { 'x-forwarded-for': '203.0.113.8' })).toEqual([200, 200, 200]);
    expect((await ask(url, '123458', { 'x-forwarded-for': '198.51.100.10' })).status).toBe(429);
  });

  it('row 10: the relay started from its environment serves the endpoint (https issuer, signed calls)', async () => {
    const url = await relayFrom({ RELAY_PROXY_HOPS: '1' });
    const res = await ask(url, '123458', { 'x-forwarded-for': '203.0.113.99' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ customerId: '123458', transactionHash: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it('row 10: without verifyCustomer the relay says at start that any claimed customerId gets a hash', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    configFromEnv(env());
    expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/no verifyCustomer hook, so any claimed customerId gets a transactionHash/));
  });

  it('row 10: with verifyCustomer, the claimed customerId is replaced by the proven one, or refused', async () => {
    const said: string[] = [];
    const { routes } = diyalogRoutesFromEnv(env(), {
      allowedOrigins: [ORIGIN],
      clientIp: clientIpResolver(),
      log: (m) => said.push(m),
      verifyCustomer: (req) => (req.headers.authorization === 'Bearer ann-session' ? 'ann-42' : null),
    });
    expect(said.some((m) => /verifyCustomer/.test(m))).toBe(false);
    const relay = await startRelay({
      hookSecret: 'hook-secret-0123456789abcdef',
      signingKey: 'k'.repeat(32),
      allowedOrigins: [ORIGIN],
      adapters: [],
      routes,
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    relays.push(relay);
    const url = `${relay.url.replace(/^ws/, 'http')}/diyalog/transaction-hash`;
    const before = sim.received.length;

    const forged = await ask(url, 'victim-1');
    expect(forged.status).toBe(403);
    const proven = await ask(url, 'victim-1', { authorization: 'Bearer ann-session' });
    expect(proven.status).toBe(200);
    expect(await proven.json()).toMatchObject({ customerId: 'ann-42' });
    // Diyalog was asked once, for the proven customer only.
    expect(sim.received.slice(before).map((r) => r.payload)).toEqual([{ customerId: 'ann-42', deviceHash: D1_DEVICE }]);
  });
});
