/**
 * A bot before the agent, on both socket.io generations: the bot greets and answers, then hands
 * off (the document's `handOff`) and an agent joins; or, with nobody there, `noAgentAvailable`
 * follows the bot's lines. Bot and agent are told apart by the document's own shapes (`{ id,
 * name }` participants, `handOff` before a person), with no `type` on the wire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { BOT_LINES, startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { createExpertFlowTransport } from '../../src/transports/expertflow/transport';
import { connectTransport, fastIo2, fastIo4, GENERATIONS, MemoryStorage, messageTexts, START, until, type Harness } from './harness';

let sim: ExpertFlowSimulatorHandle | undefined;
let harnesses: Harness[] = [];
let sessions: Session[] = [];
afterEach(async () => {
  harnesses.forEach((h) => h.transport.close());
  sessions.forEach((s) => s.destroy());
  harnesses = [];
  sessions = [];
  await sim?.close();
  sim = undefined;
});

const frames = (name: string) => (sim?.received ?? []).filter((f) => f.name === name).map((f) => f.payload as Record<string, unknown>);

describe.each(GENERATIONS)('ExpertFlow: a bot before the agent (socket.io %i)', (socketio) => {
  it('shows the bot\'s lines as the bot\'s, then the agent who joins after the hand-off as a person', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio, bot: true });
    const h = connectTransport(sim.url);
    harnesses.push(h);
    h.send(START);
    const greeting = await until('bot greeting', () => h.of('message').find((e) => e.message.text === BOT_LINES.greeting('Alice')));
    expect(greeting.message).toMatchObject({ sender: 'bot', authorName: BOT_LINES.name });

    h.send({ type: 'send', clientId: 'c-1', text: 'Where is my invoice?' });
    const answer = await until('bot answer', () => h.of('message').find((e) => e.message.text === BOT_LINES.answer));
    expect(answer.message.sender).toBe('bot');

    h.send({ type: 'send', clientId: 'c-2', text: 'I want an agent please' });
    const joined = await until('agent joined', () => h.of('agent')[0]);
    expect(joined).toMatchObject({ action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    const hello = await until('agent greeting', () => h.of('message').find((e) => e.message.text?.startsWith('Hello Alice')));
    expect(hello.message).toMatchObject({ sender: 'agent', authorName: 'Alex Morgan' });
    expect(messageTexts(h)).toContain(BOT_LINES.handOff);
    // The hand-off is remembered for a page change: the next page tells them apart the same way.
    expect(h.of('resume').at(-1)?.token).toMatchObject({ handedOff: true, bots: [expect.stringMatching(/^bot-/)] });

    // No undocumented participant fields were needed: none were sent.
    const info = sim.state.conversations.get(h.of('accepted')[0]?.chatId ?? '');
    expect(info?.history.some((m) => JSON.stringify(m).includes('"type":"bot"'))).toBe(false);
    expect(h.of('rejected')).toHaveLength(0);
    expect(sim.violations).toEqual([]);
  });

  it('after a page change, tells the bot from the agent from the history and the resume token', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio, bot: true });
    const before = connectTransport(sim.url);
    harnesses.push(before);
    before.send(START);
    await until('bot greeting', () => messageTexts(before).includes(BOT_LINES.greeting('Alice')));
    before.send({ type: 'send', clientId: 'c-1', text: 'human please' });
    await until('agent greeting', () => messageTexts(before).find((t) => t.startsWith('Hello Alice')));
    const token = before.of('resume').at(-1)?.token;
    before.transport.close();

    const after = connectTransport(sim.url, { resume: token });
    harnesses.push(after);
    await until('history', () => messageTexts(after).find((t) => t.startsWith('Hello Alice')));
    const senders = new Map(after.of('message').map((e) => [e.message.text, e.message.sender]));
    expect(senders.get(BOT_LINES.greeting('Alice'))).toBe('bot');
    expect(senders.get(BOT_LINES.handOff)).toBe('bot');
    expect([...senders.entries()].find(([t]) => t?.startsWith('Hello Alice'))?.[1]).toBe('agent');
    expect(after.of('agent').find((e) => e.agent.name === 'Alex Morgan')?.agent.isBot).toBe(false);
  });

  it('honours an undocumented participant type when a server sends one (an optional extra)', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio, bot: true, extras: ['type'] });
    const h = connectTransport(sim.url);
    harnesses.push(h);
    h.send(START);
    await until('bot greeting', () => messageTexts(h).includes(BOT_LINES.greeting('Alice')));
    h.send({ type: 'send', clientId: 'c-1', text: 'agent' });
    const joined = await until('agent joined', () => h.of('agent')[0]);
    expect(joined.agent.isBot).toBe(false);
  });
});

describe.each(GENERATIONS)('ExpertFlow: a bot, then noAgentAvailable (socket.io %i)', (socketio) => {
  it('moves a chatting visitor to the offline view, ends the conversation on the server, and fails no line silently', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02, available: () => false }, socketio, bot: true });
    const url = sim.url;
    const session = createSession({
      loadTransport: async () => (o) =>
        createExpertFlowTransport(o, { io: fastIo4, loadIo2: async () => fastIo2, storage: new MemoryStorage() }),
      transportOptions: { options: { server: url }, locale: 'en-GB', pageUrl: 'http://127.0.0.1/shop', referrer: '', userAgent: 'vitest' },
      storage: new MemoryStorage(),
      storageKey: 'confab:ef-bot',
    });
    sessions.push(session);
    session.open();
    await until('pre-chat', () => session.phase.value === 'prechat');
    session.start({ name: 'Alice', email: 'alice@example.com' });
    // The bot speaks: the session is chatting before anyone has been asked for.
    await until('chatting with the bot', () => session.phase.value === 'chatting');
    await until('bot greeting', () =>
      session.transcript.value.some((i) => i.kind === 'message' && i.sender === 'bot' && i.text === BOT_LINES.greeting('Alice')),
    );
    session.send('I need a person');
    await until('offline', () => session.phase.value === 'offline');
    expect(session.offline.value?.reason).toBe('Nobody is available to chat right now');
    // Documented: no leave-a-message endpoint, so none is offered.
    expect(session.offline.value?.leaveMessage).toBe(false);

    const id = frames('joinConversation')[0]?.conversationId;
    await until('endConversation', () => frames('endConversation').length === 1);
    expect(frames('endConversation')[0]).toMatchObject({ conversationId: id });
    await until('ended on the server', () => sim?.state.conversations.get(String(id))?.state === 'ended');
    // Every visitor line reached the server once; none is left "sending".
    expect(frames('sendMessage').filter((f) => f.type === 'ChatMessage').map((f) => f.text)).toEqual(['I need a person']);
    const lines = session.transcript.value.filter((i) => i.kind === 'message' && i.sender === 'visitor');
    expect(lines.map((i) => i.kind === 'message' && i.status)).toEqual(['sent']);
    // The primary subtag of en-GB, as the document's example ("en").
    expect(frames('POST /api/customer/init')[0]?.language).toBe('en');
    expect(frames('sendMessage')[0]?.language).toBe('en');
    expect(sim.violations).toEqual([]);
  });

  it('refuses a line written after the rejection out loud (an error), and sends nothing more', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02, available: () => false }, socketio, bot: true });
    const h = connectTransport(sim.url);
    harnesses.push(h);
    h.send(START);
    await until('bot greeting', () => messageTexts(h).includes(BOT_LINES.greeting('Alice')));
    h.send({ type: 'send', clientId: 'c-1', text: 'agent' });
    await until('rejected', () => h.of('rejected')[0]);
    await until('endConversation', () => frames('endConversation').length === 1);
    h.send({ type: 'send', clientId: 'c-2', text: 'hello?' });
    expect(h.of('error').map((e) => e.code)).toEqual(['send-failed']);
    expect(frames('sendMessage').map((f) => f.text)).toEqual(['agent']);
    expect(sim.violations).toEqual([]);
  });
});
