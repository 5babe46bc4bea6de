import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { connectTransport, manualClock, START, until, GENERATIONS } from './harness';

describe.each(GENERATIONS)('ExpertFlow (socket.io %i): agent typing and cancelling the wait', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    // A slow agent: nothing it says interferes with what these tests inject.
    sim = await startExpertFlowSimulator({ agent: { delayScale: 50 }, socketio });
  });
  afterAll(() => sim.close());

  it('turns the indicator off when the agent stops typing without writing (the protocol has no "stopped")', async () => {
    const clock = manualClock();
    const h = connectTransport(sim.url, { clock });
    h.send(START);
    const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
    await until('joined', () => sim.state.conversations.get(id)?.state === 'active');
    const typing = { conversationId: id, type: 'ActivityMessage', activityType: 'typing', from: { id: 'agent-z', name: 'Zoe' }, info: {} };
    sim.state.deliver?.(id, 'messageArrived', typing);
    sim.state.deliver?.(id, 'messageArrived', typing);
    // The visitor's echo comes back after both typing frames (socket.io keeps order).
    h.send({ type: 'send', clientId: 'c-1', text: 'hello?' });
    await until('echo', () => h.of('message').find((e) => e.message.clientId === 'c-1'));
    expect(h.of('typing').map((e) => e.on)).toEqual([true]);
    clock.fire();
    expect(h.of('typing').map((e) => e.on)).toEqual([true, false]);
    h.send({ type: 'end' });
    h.transport.close();
  });

  it('ends a chat cancelled while the init request is on its way, once it has an id', async () => {
    const h = connectTransport(sim.url);
    await until('open', () => h.of('connection').find((e) => e.state === 'open'));
    h.send(START);
    h.send({ type: 'cancel' });
    expect(h.of('ended')).toMatchObject([{ by: 'visitor' }]);
    const end = await until('endConversation', () => sim.received.find((f) => f.name === 'endConversation'));
    const id = (end.payload as { conversationId: string }).conversationId;
    expect(sim.state.conversations.get(id)?.state).toBe('ended');
    expect(h.of('accepted')).toHaveLength(0);
    expect(sim.received.filter((f) => f.name === 'joinConversation' && (f.payload as { conversationId: string }).conversationId === id)).toHaveLength(0);
    h.transport.close();
  });
});
