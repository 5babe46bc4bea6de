import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, ConfigError, helpText } from '../../src/server/relay/config';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';
import { ORIGIN, SECRET } from './harness';

let sim: DiyalogSimulatorHandle;
let relay: RelayHandle;
const http = () => relay.url.replace(/^ws/, 'http');

const baseEnv = {
  RELAY_HOOK_SECRET: SECRET,
  RELAY_SIGNING_KEY: 'k'.repeat(32),
  RELAY_ALLOWED_ORIGINS: ORIGIN,
  RELAY_PUBLIC_URL: 'https://relay.example.com',
  OMNIDESK_CHAT_ACCOUNT_TOKEN: 'token',
};

beforeAll(async () => {
  sim = await startDiyalogSimulator({ keys: { accessKeyId: 'relay-test', accessKeySecret: 's3cret-value' } });
  const config = configFromEnv({
    ...baseEnv,
    DIYALOG_API_BASE: sim.apiBase,
    DIYALOG_ACCESS_KEY_ID: 'relay-test',
    DIYALOG_ACCESS_KEY_SECRET: 's3cret-value',
    DIYALOG_REQUESTER_USER_ID: '45186',
    DIYALOG_QUEUE_URL: sim.queueUrl,
  });
  relay = await startRelay({ ...config, host: '127.0.0.1', port: 0, publicUrl: undefined, log: () => undefined });
});
afterAll(async () => {
  await relay?.close();
  await sim?.close();
});

const postHash = (path: string, body: unknown) =>
  fetch(`${http()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify(body) });

describe('extra relay routes', () => {
  it('serves the Diyalog transaction-hash endpoint when the credentials are configured, with a hash Diyalog issued', async () => {
    const res = await postHash('/diyalog/transaction-hash', { customerId: '123458', deviceHash: 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const body = (await res.json()) as { transactionHash: string; customerId: string };
    expect(body.customerId).toBe('123458');
    const issued = sim.received.filter((r) => r.name === 'gettransactionhashforonlinehelp');
    expect(issued.at(-1)?.payload).toEqual({ customerId: '123458', deviceHash: 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=' });
    expect(body.transactionHash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('still answers 401 to every other unknown path', async () => {
    expect((await postHash('/diyalog/transaction-hash/x', { customerId: '1', deviceHash: 'device-hash-0001' })).status).toBe(401);
    expect((await postHash('/diyalog', {})).status).toBe(401);
  });

  it('runs a route given in code before the 401 fallback, for any method', async () => {
    const custom = await startRelay({
      hookSecret: SECRET,
      signingKey: 'k'.repeat(32),
      allowedOrigins: [ORIGIN],
      adapters: [],
      routes: [
        {
          path: '/ping',
          handle: async (req, res) => {
            req.resume();
            res.writeHead(200, { 'content-type': 'text/plain' }).end(`pong ${req.method}`);
          },
        },
      ],
      log: () => undefined,
    });
    try {
      const base = custom.url.replace(/^ws/, 'http');
      expect(await (await fetch(`${base}/ping`)).text()).toBe('pong GET');
      expect(await (await fetch(`${base}/ping`, { method: 'DELETE' })).text()).toBe('pong DELETE');
      expect((await fetch(`${base}/pong`)).status).toBe(401);
    } finally {
      await custom.close();
    }
  });

  it('names missing Diyalog settings at start-up, and lists them in --help', () => {
    expect(() => configFromEnv({ ...baseEnv, DIYALOG_ACCESS_KEY_ID: 'x' })).toThrow(ConfigError);
    expect(() => configFromEnv({ ...baseEnv, DIYALOG_ACCESS_KEY_ID: 'x', DIYALOG_ACCESS_KEY_SECRET: 'y' })).toThrow(/DIYALOG_API_BASE/);
    expect(configFromEnv(baseEnv).routes).toEqual([]);
    expect(helpText()).toMatch(/DIYALOG_API_BASE[\s\S]*DIYALOG_QUEUE_URL/);
  });
});
