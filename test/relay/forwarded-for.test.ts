/**
 * RELAY_TRUSTED_PROXIES=127.0.0.1/32: the relay sits behind one proxy (here: the test, on
 * loopback) that appends the address it saw to X-Forwarded-For. Only that last entry is
 * trusted: anything before it came from the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});

const VENDOR_IP = '10.9.8.7';

function hook(s: Stack, forwardedFor: string): Promise<number> {
  return fetch(`${s.relay.hookpointBase}/omnidesk/endSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ sessionID: 'confab-unknown' }),
  }).then((r) => r.status);
}

describe('client IP behind a trusted proxy', () => {
  it('checks the hookpoint allowlist against the address the proxy appended, not one the client wrote', async () => {
    const s = await startStack({ hookIpAllowlist: [VENDOR_IP], trustedProxies: ['127.0.0.1/32'] });
    stacks.push(s);
    // A client that sends "X-Forwarded-For: 10.9.8.7" itself; the proxy appends its real address.
    expect(await hook(s, `${VENDOR_IP}, 203.0.113.9`)).toBe(403);
    // The vendor's own request through the proxy: past the allowlist (404: no such session).
    expect(await hook(s, VENDOR_IP)).toBe(404);
    expect(await hook(s, `198.51.100.1, ${VENDOR_IP}`)).toBe(404);
  });

  it('rate-limits per real client address however the client varies the header', async () => {
    const s = await startStack({ trustedProxies: ['127.0.0.1/32'], httpRate: { capacity: 3, perMinute: 1 } });
    stacks.push(s);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${s.relay.url.replace(/^ws/, 'http')}/hook/wrong-secret/omnidesk/endSession`, {
        method: 'POST',
        headers: { 'x-forwarded-for': `192.0.2.${i}, 203.0.113.9` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('ignores X-Forwarded-For unless told to trust a proxy', async () => {
    const s = await startStack({ hookIpAllowlist: [VENDOR_IP] });
    stacks.push(s);
    expect(await hook(s, VENDOR_IP)).toBe(403);
  });
});
