import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { fixture } from './fixtures';
import { connectTransport, GENERATIONS, messageTexts, START, until, type Harness } from './harness';

const sorted = (o: unknown) => Object.keys(o as object).sort();

describe.each(GENERATIONS)('ExpertFlow: a whole conversation against a socket.io %i server over real sockets', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  let h: Harness;

  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
    h = connectTransport(sim.url);
  });
  afterAll(async () => {
    h.transport.close();
    await sim.close();
  });

  const frames = (name: string) => sim.received.filter((f) => f.name === name).map((f) => f.payload as Record<string, unknown>);

  it('announces its capabilities and the pre-chat form it asks for (no survey, no uploads, no preview)', async () => {
    expect([...h.transport.capabilities].sort()).toEqual(
      ['cancel', 'end', 'prechat', 'resume', 'transcript-email', 'transcript-pdf', 'typing'].sort(),
    );
    const config = h.of('config')[0]?.config;
    expect(config?.prechat.map((f) => [f.name, f.type, f.required])).toEqual([
      ['name', 'name', true],
      ['email', 'email', false],
    ]);
    expect(config).toMatchObject({ allowedFileTypes: [], leaveMessage: false, previewAllowed: false, postchat: [] });
    expect(config?.agentsAvailable).toBeUndefined();
    await until('socket open', () => h.of('connection').some((e) => e.state === 'open'));
  });

  it('initiates with every field of the documented init request, then joins with the returned ids', async () => {
    h.send(START);
    const accepted = await until('accepted', () => h.of('accepted')[0]);
    const [init] = frames('POST /api/customer/init');
    expect(sorted(init)).toEqual(sorted(fixture('init.request')));
    expect(init).toMatchObject({
      firstName: 'Alice',
      email: 'alice@example.com',
      channel: 'web',
      language: 'en',
      url: 'http://127.0.0.1:5173/shop',
      refId: 'alice@example.com',
    });
    expect(init?.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(String(init?.timestamp)).toISOString()).toBe(init?.timestamp);

    const join = await until('join', () => frames('joinConversation')[0]);
    expect(sorted(join)).toEqual(sorted(fixture('join-conversation.request')));
    expect(join.conversationId).toBe(accepted.chatId);
    expect(join.requestId).toBe(init?.requestId);
    // Exactly the document's Participant: nothing of the widget's own model leaks onto the wire.
    expect(join.participant).toEqual({ id: expect.any(String), name: 'Alice' });
    expect(h.of('resume')[0]?.token).toMatchObject({ id: accepted.chatId });
  });

  it('shows the hand-off wait (the widget\'s own line: the document gives none), then the agent joining, typing and greeting', async () => {
    await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello Alice')));
    expect(h.of('waiting').map((e) => e.text)).toEqual(['Waiting for an agent…']);
    expect(h.of('queue')).toEqual([]);
    expect(h.of('agent')).toMatchObject([{ action: 'joined', agent: { name: 'Alex Morgan', isBot: false } }]);
    expect(h.of('typing').map((e) => e.on)).toEqual([true, false]);
    const greeting = h.of('message').find((e) => e.message.text?.startsWith('Hello Alice'));
    expect(greeting?.message).toMatchObject({ sender: 'agent', authorName: 'Alex Morgan' });
  });

  it('sends a visitor line as the documented ChatMessage and confirms it by its echo, carrying the client id', async () => {
    h.send({ type: 'send', clientId: 'c-1', text: 'Where is my parcel?' });
    const echo = await until('echo', () => h.of('message').find((e) => e.message.clientId === 'c-1'));
    expect(echo.message).toMatchObject({ sender: 'visitor', text: 'Where is my parcel?' });
    const [sent] = frames('sendMessage');
    expect(sorted(sent)).toEqual(sorted(fixture('send-message.chat-message')));
    expect(sent).toMatchObject({ type: 'ChatMessage', tag: '', text: 'Where is my parcel?', attachments: [] });
    expect(sent?.from).toEqual({ id: expect.any(String), name: 'Alice' });
    await until('reply', () => messageTexts(h).find((t) => t.includes('Where is my parcel?') && t.startsWith('Thanks')));
  });

  it('sends visitor typing as a typing ActivityMessage, and nothing for "stopped"', async () => {
    h.send({ type: 'typing', on: true });
    h.send({ type: 'typing', on: false });
    const typing = await until('typing frame', () => frames('sendMessage').find((f) => f.type === 'ActivityMessage'));
    expect(typing).toMatchObject({ activityType: 'typing' });
    expect(typing.from).toEqual({ id: expect.any(String), name: 'Alice' });
    expect(frames('sendMessage').filter((f) => f.type === 'ActivityMessage')).toHaveLength(1);
  });

  it('says the transcript is not available yet while the chat is going on (404), non-fatal', async () => {
    h.send({ type: 'transcript', format: 'pdf' });
    const err = await until('404 error', () => h.of('error').find((e) => e.code === 'transcript-unavailable'));
    expect(err).toMatchObject({ fatal: false, message: 'The transcript is not available yet. Please try again in a moment.' });
  });

  it('receives an attachment from the agent as an image', async () => {
    h.send({ type: 'send', clientId: 'c-2', text: 'Can you attach the invoice?' });
    const line = await until('attachment', () => h.of('message').find((e) => e.message.attachments?.length));
    expect(line.message.attachments).toEqual([
      expect.objectContaining({ kind: 'image', name: 'invoice.png', url: expect.stringMatching(/^data:image\/png;base64,/) }),
    ]);
  });

  it('ends when the agent ends: agent left, ended by agent, resume token marked ended', async () => {
    h.send({ type: 'send', clientId: 'c-3', text: 'Thanks, bye' });
    const ended = await until('ended', () => h.of('ended')[0]);
    expect(ended.by).toBe('agent');
    expect(h.of('agent').map((e) => e.action)).toEqual(['joined', 'left']);
    // Kept for the transcript after a page change; marked so that it is never rejoined.
    expect(h.of('resume').at(-1)?.token).toMatchObject({ id: h.of('accepted')[0]?.chatId, ended: true });
    expect(messageTexts(h)).toContain('Thank you for chatting with us. Goodbye!');
  });

  it('then downloads the transcript as a real PDF and asks for the email copy to the address given at start', async () => {
    expect(h.of('config').at(-1)?.config.transcriptEmailTo).toBe('alice@example.com');
    h.send({ type: 'transcript', format: 'pdf' });
    await until('pdf ack', () => h.of('ack').find((e) => e.detail === 'pdf'));
    const saved = h.saved[0];
    expect(saved?.name).toMatch(/^transcript-.+\.pdf$/);
    const pdf = Buffer.from(await saved!.pdf.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain('Where is my parcel?');

    h.send({ type: 'transcript', format: 'email' });
    await until('email ack', () => h.of('ack').find((e) => e.detail === 'email'));
    expect(sim.state.emails).toEqual([{ conversationId: h.of('accepted')[0]?.chatId, to: 'alice@example.com' }]);
    // The documented URL, no parameters.
    const asked = sim.received.filter((f) => f.name.startsWith('GET /api/customer/transcript/'));
    expect(asked.map((f) => f.payload)).toEqual([{}, {}, {}]);
  });

  it('delivered every visitor line exactly once and showed no line twice', () => {
    expect(frames('sendMessage').filter((f) => f.type === 'ChatMessage').map((f) => f.text)).toEqual([
      'Where is my parcel?',
      'Can you attach the invoice?',
      'Thanks, bye',
    ]);
    const ids = h.of('message').map((e) => e.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(h.of('error').map((e) => e.code)).toEqual(['transcript-unavailable']);
    expect(sim.violations).toEqual([]);
  });
});

describe.each(GENERATIONS)('ExpertFlow: the visitor ends the chat (socket.io %i)', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
  });
  afterAll(() => sim.close());

  it('sends the documented endConversation and reports the end as the visitor\'s', async () => {
    const h = connectTransport(sim.url);
    h.send(START);
    await until('agent', () => h.of('agent')[0]);
    h.send({ type: 'end' });
    expect(h.of('ended')).toMatchObject([{ by: 'visitor' }]);
    const end = await until('end frame', () => sim.received.find((f) => f.name === 'endConversation'));
    expect(sorted(end.payload)).toEqual(sorted(fixture('end-conversation.request')));
    const id = h.of('accepted')[0]?.chatId ?? '';
    await until('ended on the server', () => sim.state.conversations.get(id)?.state === 'ended');
    // The server's own endOfConversation echo (in the room before this marker line, and
    // socket.io keeps order) does not end the chat a second time.
    sim.state.deliver?.(id, 'messageArrived', {
      conversationId: id,
      type: 'ChatMessage',
      timestamp: new Date().toISOString(),
      from: { id: 'agent-x', name: 'Agent' },
      text: 'marker',
      attachments: [],
    });
    await until('marker', () => messageTexts(h).includes('marker'));
    expect(sim.received.filter((f) => f.name === 'endConversation')).toHaveLength(1);
    expect(h.of('ended')).toHaveLength(1);
    h.transport.close();
  });
});

describe.each(GENERATIONS)('ExpertFlow: nobody available (socket.io %i)', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  afterEach(() => sim.close());

  it('turns a bare noAgentAvailable into a rejection with the widget\'s line, and ends the conversation', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02, available: () => false }, socketio });
    const h = connectTransport(sim.url);
    h.send(START);
    const rejected = await until('rejected', () => h.of('rejected')[0]);
    expect(rejected.reason).toBe('Nobody is available to chat right now');
    expect(h.of('agent')).toHaveLength(0);
    const end = await until('endConversation', () => sim.received.find((f) => f.name === 'endConversation'));
    expect(end.payload).toMatchObject({ conversationId: h.of('accepted')[0]?.chatId });
    expect(sim.violations).toEqual([]);
    h.transport.close();
  });

  it('shows the server\'s line and queue figures when it sends them (undocumented extras)', async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02, queueFrom: 2, pageTimeoutMs: 1500 }, socketio, extras: ['queue', 'text'] });
    const h = connectTransport(sim.url);
    h.send(START);
    await until('queue', () => h.of('queue').length === 2);
    expect(h.of('queue').map((e) => [e.position, e.total])).toEqual([[2, 5], [1, 5]]);
    expect(h.of('waiting').map((e) => e.text)).toContain('Please wait. An operator will be with you shortly.');
    const rejected = await until('rejected', () => h.of('rejected')[0]);
    expect(rejected.reason).toMatch(/No operators are available/);
    h.transport.close();
  });
});
