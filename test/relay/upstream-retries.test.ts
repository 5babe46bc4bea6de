/**
 * Which failed vendor calls are repeated (../../src/server/relay/upstream.ts), against a real
 * HTTP server on loopback: a call that creates something (an Omnidesk ticket, an attachment)
 * is repeated only when the request provably never reached the server.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callWithRetry, UpstreamError } from '../../src/server/relay/upstream';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server that answers each request with `answer(n)` (n from 1), or never when it returns null. */
async function server(answer: (n: number) => number | null): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const s = createServer((req, res) => {
    req.resume();
    const status = answer(++n);
    if (status !== null) res.writeHead(status, { 'content-type': 'application/json' }).end('{"success":true}');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api`, requests: () => n };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const policy = { attempts: 3, baseDelayMs: 5, timeoutMs: 200 };
/** For calls whose answer (503, refused) is the point: no timeout may beat it on a busy machine. */
const answered = { ...policy, timeoutMs: 30_000 };

/**
 * fetch whose timeout takes effect only once the server has seen that attempt: on a busy
 * machine a 200 ms timeout can fire before the request is even written, and "the server got
 * it 3 times" would then be luck. The abort keeps the timeout's own reason.
 */
function afterArrival(seen: () => number): typeof fetch {
  let calls = 0;
  return (input, init) => {
    const n = ++calls;
    const gate = new AbortController();
    init?.signal?.addEventListener('abort', () => {
      const fire = () => (seen() >= n ? gate.abort(init.signal!.reason) : setTimeout(fire, 5));
      fire();
    });
    return fetch(input, { ...init, signal: gate.signal });
  };
}
const post = () => ({ method: 'POST', body: '{}' });

describe('retries of vendor calls', () => {
  it('repeats an idempotent call that timed out, but sends a call that creates something once', async () => {
    const hanging = await server(() => null);
    await expect(callWithRetry(afterArrival(hanging.requests), hanging.url, post, policy)).rejects.toBeInstanceOf(UpstreamError);
    expect(hanging.requests()).toBe(3);

    const once = await server(() => null);
    const err = await callWithRetry(afterArrival(once.requests), once.url, post, policy, { idempotent: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ mayHaveArrived: true });
    expect(once.requests()).toBe(1);
  });

  it('does not repeat a call that creates something after the server answered 503', async () => {
    const busy = await server(() => 503);
    await expect(callWithRetry(fetch, busy.url, post, answered, { idempotent: false })).rejects.toMatchObject({ status: 503 });
    expect(busy.requests()).toBe(1);
    const idem = await server((n) => (n < 3 ? 503 : 200));
    await expect(callWithRetry(fetch, idem.url, post, answered)).resolves.toEqual({ success: true });
    expect(idem.requests()).toBe(3);
  });

  it('repeats a call that creates something when the connection was refused, and it arrives once', async () => {
    const live = await server(() => 200);
    const refusedUrl = `http://127.0.0.1:${await closedPort()}/api`;
    let attempts = 0;
    // The first attempt finds nothing listening (a restarting vendor), the next gets through.
    const flaky: typeof fetch = (input, init) => fetch(++attempts === 1 ? refusedUrl : input, init);
    await expect(callWithRetry(flaky, live.url, post, answered, { idempotent: false })).resolves.toEqual({ success: true });
    expect(attempts).toBe(2);
    expect(live.requests()).toBe(1);

    const err = await callWithRetry(fetch, refusedUrl, post, answered, { idempotent: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, mayHaveArrived: false });
  });
});
