import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { connectTransport, messageTexts, START, until, GENERATIONS } from './harness';

describe.each(GENERATIONS)('ExpertFlow (socket.io %i): malformed events from the server', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
  });
  afterAll(() => sim.close());

  it('yields one non-fatal error and one console warning per bad frame, and the chat goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const h = connectTransport(sim.url);
      h.send(START);
      const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
      await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello')));
      const deliver = sim.state.deliver!;
      deliver(id, 'messageArrived', { type: 'Mystery' });
      deliver(id, 'messageArrived', { type: 'ChatMessage', text: 'no sender' });
      deliver(id, 'messageArrived', { type: 'ActivityMessage', from: { id: 'x' } });
      deliver(id, 'conversationInfo', { messages: 7, participant: [] });
      await until('four errors', () => h.of('error').length >= 4);
      expect(h.of('error').every((e) => e.code === 'bad-frame' && !e.fatal)).toBe(true);
      expect(warn).toHaveBeenCalledTimes(4);

      h.send({ type: 'send', clientId: 'after', text: 'still here?' });
      await until('echo after bad frames', () => h.of('message').find((e) => e.message.clientId === 'after'));
      expect(h.of('error')).toHaveLength(4);
      expect(h.of('connection').filter((e) => e.state === 'closed')).toHaveLength(0);
      h.transport.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('ignores activity types the document does not list, and whisper lines', async () => {
    const h = connectTransport(sim.url);
    h.send(START);
    const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
    await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello')));
    const line = (text: string, tag = '') => ({
      conversationId: id,
      type: 'ChatMessage',
      timestamp: new Date().toISOString(),
      from: { id: 'agent-y', name: 'Agent' },
      text,
      tag,
      attachments: [],
    });
    sim.state.deliver!(id, 'messageArrived', { conversationId: id, type: 'ActivityMessage', activityType: 'somethingNew', info: {} });
    sim.state.deliver!(id, 'messageArrived', line('internal note', 'whisper'));
    sim.state.deliver!(id, 'messageArrived', line('visible'));
    await until('visible line', () => messageTexts(h).includes('visible'));
    expect(messageTexts(h)).not.toContain('internal note');
    expect(h.of('error')).toHaveLength(0);
    h.transport.close();
  });
});
