/**
 * The relay as an operator starts and stops it (the compiled `confab-relay`, its own process, configured by
 * environment variables): settings checked up front with one line per problem and no stack
 * trace, an unreachable Redis refused within its deadline, a trailing slash in an origin read the
 * way browsers send it, JSON log lines for sessions and Redis with no visitor text at info, and
 * SIGTERM that ends the process whatever Redis does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { ORIGIN, visitor, waitFor } from '../relay/harness';
import { startRedis } from '../relay/redis';
import { freePort, jsonLines, relayEnv, runBuiltRelay, untilOutput, untilReady, type RelayProcess, untilAgentSpeaks } from './spawn';

const stackTrace = /^\s+at .+[:(]/m;

describe('the relay command, as an operator runs it', () => {
  let sim: OmnideskSimulatorHandle;
  const started: RelayProcess[] = [];
  const run = (env: Record<string, string>) => {
    const p = runBuiltRelay(env);
    started.push(p);
    return p;
  };

  beforeAll(async () => {
    sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 }, apiKey: 'test-omnidesk-api-key' });
  });
  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await sim?.close();
  });

  it('refuses bad settings all at once, one line per problem, without a stack trace', async () => {
    const p = run(
      relayEnv(sim, 8787, {
        RELAY_PORT: '99999',
        RELAY_ALLOWED_ORIGINS: 'https://shop.example.com/checkout,*',
        LOG_LEVEL: 'loud',
        METRICS_PORT: '9464',
      }),
    );
    expect(await p.exited).toBe(1);
    const out = p.output();
    expect(out).toContain('RELAY_PORT must be a port number from 1 to 65535 (got "99999")');
    expect(out).toContain('RELAY_ALLOWED_ORIGINS: "https://shop.example.com/checkout" has a path');
    expect(out).toContain('RELAY_ALLOWED_ORIGINS: "*": wildcards are not accepted');
    expect(out).toContain('LOG_LEVEL must be one of');
    expect(out).toContain('METRICS_TOKEN must be set');
    expect(out.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(5);
    expect(out).not.toMatch(stackTrace);
  });

  it('gives up on a Redis that does not answer within its deadline, saying why', async () => {
    const nobody = await freePort();
    const p = run(relayEnv(sim, await freePort(), { REDIS_URL: `redis://127.0.0.1:${nobody}`, REDIS_CONNECT_TIMEOUT_SECONDS: '1' }));
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain(`Confab relay: cannot start: Redis (redis://127.0.0.1:${nobody}) did not answer within 1 s: connect ECONNREFUSED`);
    expect(p.output()).not.toMatch(stackTrace);
  });

  it('names a port already in use instead of throwing', async () => {
    const port = await freePort();
    const first = run(relayEnv(sim, port));
    await untilReady(first, `http://127.0.0.1:${port}/healthz`);
    const second = run(relayEnv(sim, port));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`RELAY_PORT: port ${port} on 127.0.0.1 is already in use`);
    expect(second.output()).not.toMatch(stackTrace);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('reads an origin with a trailing slash as browsers send it, and logs sessions in JSON without visitor text', async () => {
    const port = await freePort();
    const p = run(relayEnv(sim, port, { RELAY_ALLOWED_ORIGINS: `${ORIGIN}/` }));
    await untilReady(p, `http://127.0.0.1:${port}/readyz`);
    const v = visitor(`ws://127.0.0.1:${port}`);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await untilAgentSpeaks(v);
    v.transport.send({ type: 'send', clientId: 's1', text: 'my secret parcel number 4711' });
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('4711')), 'the reply', 20_000);
    v.transport.send({ type: 'end' });
    await waitFor(() => v.of('ended')[0], 'ended', 20_000);
    await untilOutput(p, (o) => o.includes('"event":"session-end"'), 'session-end line');
    v.transport.close();

    const lines = jsonLines(p.output());
    expect(lines.find((l) => l.event === 'config-note')).toMatchObject({ given: `${ORIGIN}/`, read: ORIGIN });
    const start = lines.find((l) => l.event === 'session-start')!;
    expect(start).toMatchObject({ level: 'info', vendor: 'omnidesk' });
    expect(start.session).toMatch(/^[\w-]{16,}$/);
    expect(lines.find((l) => l.event === 'session-end')).toMatchObject({ level: 'info', vendor: 'omnidesk', session: start.session, by: 'visitor' });
    expect(p.output()).not.toContain('4711');

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('logs Redis going away, and ends on SIGTERM while Redis hangs', async () => {
    const redis = await startRedis();
    try {
      const port = await freePort();
      const p = run(relayEnv(sim, port, { REDIS_URL: redis.url, RELAY_DRAIN_SECONDS: '2', LOG_LEVEL: 'info' }));
      await untilReady(p, `http://127.0.0.1:${port}/readyz`);
      await untilOutput(p, (o) => jsonLines(o).some((l) => l.event === 'redis-state' && l.state === 'up'), 'redis up line');
      const v = visitor(`ws://127.0.0.1:${port}`);
      await waitFor(() => v.of('config')[0], 'config', 20_000);

      // Redis stops answering (paused, its sockets open): every command hangs until its timeout.
      redis.child.kill('SIGSTOP');
      p.child.kill('SIGTERM');
      const code = await p.exited;
      expect([0, 1]).toContain(code);
      expect(jsonLines(p.output()).some((l) => l.event === 'draining')).toBe(true);
      v.transport.close();

      // A Redis that goes away is logged, never swallowed.
      redis.child.kill('SIGCONT');
      const q = run(relayEnv(sim, port, { REDIS_URL: redis.url }));
      await untilReady(q, `http://127.0.0.1:${port}/readyz`);
      redis.child.kill('SIGKILL');
      await untilOutput(q, (o) => jsonLines(o).some((l) => l.event === 'redis-state' && l.state === 'down' && l.level === 'warn'), 'redis down line');
      q.child.kill('SIGTERM');
      expect([0, 1]).toContain(await q.exited);
      expect(q.output()).not.toMatch(stackTrace);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});
