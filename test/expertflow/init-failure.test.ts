import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { connectTransport, START, until, GENERATIONS } from './harness';

describe.each(GENERATIONS)('ExpertFlow (socket.io %i): a chat request the server refuses or cannot answer', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
  });
  afterAll(() => sim.close());
  let warn: MockInstance<typeof console.warn>;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  const inits = () => sim.received.filter((f) => f.name === 'POST /api/customer/init');

  it('turns a 503 into one retryable (non-fatal) error, and a retry of start succeeds', async () => {
    const h = connectTransport(sim.url);
    sim.failNextInit(503);
    h.send(START);
    const err = await until('error', () => h.of('error')[0]);
    expect(err).toMatchObject({ code: 'start-failed', fatal: false, message: 'The chat could not be started. Please try again.' });
    expect(h.of('accepted')).toHaveLength(0);
    expect(sim.received.some((f) => f.name === 'joinConversation')).toBe(false);

    h.send(START);
    await until('accepted after retry', () => h.of('accepted')[0]);
    await until('joined', () => h.of('agent')[0]);
    expect(inits()).toHaveLength(2);
    expect(h.of('error')).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    h.transport.close();
  });

  it('turns a 500 into the same retryable error', async () => {
    const h = connectTransport(sim.url);
    sim.failNextInit(500);
    h.send(START);
    expect(await until('error', () => h.of('error')[0])).toMatchObject({ code: 'start-failed', fatal: false });
    h.transport.close();
  });

  it('turns a network failure (nothing listening) into the same retryable error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const h = connectTransport(`http://127.0.0.1:${port}`);
    h.send(START);
    expect(await until('error', () => h.of('error')[0])).toMatchObject({ code: 'start-failed', fatal: false });
    h.transport.close();
  });

  it('reports a missing or non-http server address once, as a fatal configuration error', () => {
    const h = connectTransport('javascript:alert(1)');
    expect(h.of('error')).toMatchObject([{ code: 'bad-config', fatal: true }]);
    h.transport.close();
  });
});
