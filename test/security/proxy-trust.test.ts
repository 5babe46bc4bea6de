/**
 * Issue 15 row 9: X-Forwarded-For is believed only from proxies the operator named (CIDRs) or
 * as far as a hop count reaches; sent straight to the relay it changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/server/relay/config';
import type { RelayConfig } from '../../src/server/relay/server';
import { startStack, type Stack } from '../relay/harness';

const VENDOR_IP = '10.9.8.7';
const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});
async function stack(overrides: Partial<RelayConfig>): Promise<Stack> {
  const s = await startStack({ hookIpAllowlist: [VENDOR_IP], ...overrides });
  stacks.push(s);
  return s;
}
const hook = (s: Stack, xff: string) =>
  fetch(`${s.relay.hookpointBase}/omnidesk/endSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    body: JSON.stringify({ sessionID: 'confab-unknown' }),
  }).then((r) => r.status);

describe('issue 15 row 9: proxy trust names who is trusted', () => {
  it('row 9: X-Forwarded-For naming an allowlisted IP, sent straight to the relay, passes nothing (peer not a trusted proxy)', async () => {
    const s = await stack({ trustedProxies: ['10.0.0.0/8', 'fd00::/8'] });
    expect(await hook(s, VENDOR_IP)).toBe(403);
    const none = await stack({});
    expect(await hook(none, VENDOR_IP)).toBe(403);
  });

  it('row 9: from a trusted proxy, the first address from the right that is not a trusted proxy is the client', async () => {
    const s = await stack({ trustedProxies: ['127.0.0.1/32', '192.168.0.0/16'] });
    expect(await hook(s, VENDOR_IP)).toBe(404); // past the allowlist: no such session
    expect(await hook(s, `${VENDOR_IP}, 192.168.4.4`)).toBe(404); // through a second trusted proxy
    expect(await hook(s, `${VENDOR_IP}, 203.0.113.9`)).toBe(403); // the client wrote the vendor's IP itself
    expect(await hook(s, 'not-an-ip')).toBe(403);
  });

  it('row 9: a hop count takes the address the outermost proxy saw', async () => {
    const s = await stack({ proxyHops: 2 });
    expect(await hook(s, `198.51.100.1, ${VENDOR_IP}, 10.0.0.5`)).toBe(404);
    expect(await hook(s, `${VENDOR_IP}, 198.51.100.1, 10.0.0.5`)).toBe(403);
  });

  it('row 9: per-IP limits cannot be dodged by varying the header when the peer is not trusted', async () => {
    const s = await stack({ trustedProxies: ['10.0.0.0/8'], httpRate: { capacity: 3, perMinute: 1 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${s.relay.url.replace(/^ws/, 'http')}/nope`, { headers: { 'x-forwarded-for': `192.0.2.${i}` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('row 9: the old "trust anyone" switch is refused at start, and bad CIDRs are named', () => {
    const base = {
      RELAY_HOOK_SECRET: 'x'.repeat(24),
      RELAY_SIGNING_KEY: 'k'.repeat(32),
      RELAY_ALLOWED_ORIGINS: 'https://a.example',
      RELAY_PUBLIC_URL: 'https://relay.example',
      OMNIDESK_CHAT_ACCOUNT_TOKEN: 't',
    };
    expect(() => configFromEnv({ ...base, RELAY_TRUST_PROXY: '1' })).toThrow(/RELAY_TRUSTED_PROXIES/);
    expect(() => configFromEnv({ ...base, RELAY_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(configFromEnv({ ...base, RELAY_TRUSTED_PROXIES: '10.0.0.0/8, ::1', RELAY_PROXY_HOPS: '1' })).toMatchObject({
      trustedProxies: ['10.0.0.0/8', '::1'],
      proxyHops: 1,
    });
  });
});
