/**
 * Prometheus metrics of a running relay (its own process, METRICS_PORT + METRICS_TOKEN): closed
 * without the token, and counters that move while a visitor chats with the Omnidesk simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { visitor, waitFor } from '../relay/harness';
import { freePort, relayEnv, runBuiltRelay, untilReady, type RelayProcess, untilAgentSpeaks } from './spawn';

const TOKEN = 'metrics-test-token-0123456789';

/** The value of one series (`name{labels}`) in Prometheus' text format; 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('the relay metrics endpoint', () => {
  let sim: OmnideskSimulatorHandle;
  let relay: RelayProcess;
  let port = 0;
  let metricsUrl = '';

  beforeAll(async () => {
    sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 }, apiKey: 'test-omnidesk-api-key' });
    port = await freePort();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    relay = runBuiltRelay(relayEnv(sim, port, { METRICS_PORT: String(metricsPort), METRICS_TOKEN: TOKEN, METRICS_HOST: '127.0.0.1' }));
    await untilReady(relay, `http://127.0.0.1:${port}/readyz`);
  }, 60_000);

  afterAll(async () => {
    if (relay && relay.child.exitCode === null) {
      relay.child.kill('SIGTERM');
      await relay.exited;
    }
    await sim?.close();
  });

  const scrape = async () => {
    const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('is closed without its token and absent from the public port', async () => {
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
  });

  it('shows the counters moving during a chat', async () => {
    const before = await scrape();
    expect(before).toContain('nodejs_eventloop_lag_seconds');
    expect(value(before, 'confab_relay_visitor_sockets')).toBe(0);

    const v = visitor(`ws://127.0.0.1:${port}`);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await untilAgentSpeaks(v);
    v.transport.send({ type: 'send', clientId: 'm1', text: 'counting' });
    await waitFor(() => v.of('message').find((e) => e.message.sender === 'agent' && e.message.text?.includes('counting')), 'reply', 20_000);

    const during = await scrape();
    expect(value(during, 'confab_relay_visitor_sockets')).toBe(1);
    expect(value(during, 'confab_relay_sessions{vendor="omnidesk",state="attached"}')).toBe(1);
    expect(value(during, 'confab_relay_sessions_started_total{vendor="omnidesk"}')).toBe(value(before, 'confab_relay_sessions_started_total{vendor="omnidesk"}') + 1);
    expect(value(during, 'confab_relay_chats_accepted_total{vendor="omnidesk"}')).toBeGreaterThan(0);
    expect(value(during, 'confab_relay_frames_total{direction="in"}')).toBeGreaterThan(value(before, 'confab_relay_frames_total{direction="in"}'));
    expect(value(during, 'confab_relay_frames_total{direction="out"}')).toBeGreaterThan(value(before, 'confab_relay_frames_total{direction="out"}'));
    expect(value(during, 'confab_relay_upstream_calls_total{endpoint="chat/notifyUserNewChatMessage",status="200"}')).toBeGreaterThan(0);
    expect(value(during, 'confab_relay_upstream_seconds_count{endpoint="chat/notifyUserNewChatMessage"}')).toBeGreaterThan(0);
    expect(during).toMatch(/^confab_relay_hookpoints_total\{vendor="omnidesk",route="[\w-]+",result="ok"\} [1-9]/m);

    // A refused hookpoint (wrong secret) is counted by its result; the path's words never become a label.
    await fetch(`http://127.0.0.1:${port}/hook/not-the-secret-000000000000/omnidesk/x/y`, { method: 'POST' });
    v.transport.send({ type: 'end' });
    await waitFor(() => v.of('ended')[0], 'ended', 20_000);
    v.transport.close();
    const after = await scrape();
    expect(after).toMatch(/^confab_relay_hookpoints_total\{vendor="omnidesk",route="none",result="unauthorized"\} 1$/m);
    expect(after).not.toContain('not-the-secret');
    expect(value(after, 'confab_relay_sessions_ended_total{vendor="omnidesk",by="visitor"}')).toBe(1);
  }, 60_000);
});
