/**
 * The document's transcript URL has no address parameter: the server mails the address it
 * was given at init. With none given, the widget offers no email copy and asks for none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { connectTransport, until } from './harness';

describe('ExpertFlow: the email transcript without an address given at start', () => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio: 2 });
  });
  afterAll(() => sim.close());

  it('names no address (so the widget offers no email copy), sends no request, and keeps the PDF', async () => {
    const h = connectTransport(sim.url);
    h.send({ type: 'start', visitor: {}, answers: { name: 'Bob' } });
    await until('agent', () => h.of('agent')[0]);
    expect(h.of('config').map((e) => e.config.transcriptEmailTo)).toEqual(['', '']);
    h.send({ type: 'end' });
    const id = h.of('accepted')[0]?.chatId ?? '';
    await until('ended on the server', () => sim.state.conversations.get(id)?.state === 'ended');

    h.send({ type: 'transcript', format: 'email' });
    expect(h.of('error').map((e) => e.code)).toEqual(['unsupported']);
    h.send({ type: 'transcript', format: 'pdf' });
    await until('pdf', () => h.of('ack').find((e) => e.detail === 'pdf'));
    expect(sim.received.filter((f) => f.name.startsWith('GET /api/customer/transcript/')).map((f) => f.name)).toEqual([
      `GET /api/customer/transcript/${id}/pdf`,
    ]);
    expect(sim.state.emails).toEqual([]);
    expect(sim.violations).toEqual([]);
    h.transport.close();
  });
});
