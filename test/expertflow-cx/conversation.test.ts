/**
 * The CX transport against the CX simulator over real sockets: configuration and form, the chat
 * request, the bot's buttons, the agent, lines both ways with their acks and echoes, typing,
 * files both ways, the end from either side. Every test ends with the simulator reporting no
 * protocol violation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CxSimulatorHandle } from '../../src/server/sandbox/expertflow-cx';
import { connect, simulator, START, texts, toAgent, until, type Harness } from './harness';

let sim: CxSimulatorHandle;
let h: Harness | undefined;
afterEach(async () => {
  h?.transport.close();
  h = undefined;
  expect(sim.violations).toEqual([]);
  await sim.close();
});

const frames = (name: string) => sim.received.filter((f) => f.name === name).map((f) => f.payload as Record<string, any>);

describe('ExpertFlow CX transport', () => {
  it('reads the widget configuration and its pre-chat form, and opens no socket before the start', async () => {
    sim = await simulator();
    h = connect(sim);
    const config = await until('config', () => h!.of('config')[0]?.config);
    expect(h.requests).toEqual([`GET ${sim.url}/widget-configs/web`, `GET ${sim.url}/forms/67e639de74315a03beb7b06f`]);
    expect(config.prechat.map((f) => [f.name, f.type, f.label, f.required])).toEqual([
      ['name', 'name', 'Your name', true],
      ['phone', 'phone', 'Phone number', true],
      ['topic', 'select', 'Topic', false],
    ]);
    expect(config.prechat[2]!.options).toEqual(['Billing', 'Internet']);
    expect(config.allowedFileTypes).toContain('pdf');
    expect([...h.transport.capabilities]).toEqual(expect.arrayContaining(['prechat', 'file', 'typing', 'end', 'resume']));
    expect(h.of('connection').map((e) => e.state)).toEqual(['connecting', 'open']);
    expect(sim.received.some((f) => f.channel === 'socket.io')).toBe(false);
  });

  it('requests the chat with the auth and WebChannelData of the SDK, and is accepted', async () => {
    sim = await simulator();
    h = connect(sim);
    await until('config', () => h!.of('config').length);
    h.send(START);
    const accepted = await until('accepted', () => h!.of('accepted')[0]);
    const [handshake] = frames('handshake');
    expect(handshake).toEqual({ serviceIdentifier: '5155', channelCustomerIdentifier: '+15550100' });
    const [request] = frames('CHAT_REQUESTED');
    expect(request!.channelCustomerIdentifier).toBe('+15550100');
    expect(request!.serviceIdentifier).toBe('5155');
    const wcd = request!.additionalAttributes[0];
    expect(wcd.key).toBe('WebChannelData');
    expect(wcd.value.formData).toMatchObject({ formId: '67e639de74315a03beb7b06f', filledBy: 'web-widget' });
    expect(wcd.value.formData.attributes).toEqual([
      { key: 'name', value: 'Alice', type: 'string' },
      { key: 'phone', value: '+15550100', type: 'string' },
      { key: 'topic', value: 'Billing', type: 'string' },
    ]);
    expect(accepted.chatId).toBe([...sim.conversations.keys()][0]);
    expect(h.token()).toMatchObject({ cid: '+15550100', conv: accepted.chatId });
  });

  it('without a phone answer the customer is known by the email, else by the visitor id', async () => {
    sim = await simulator();
    h = connect(sim, { visitorId: 'v-42' });
    await until('config', () => h!.of('config').length);
    h.send({ type: 'start', visitor: {}, answers: { name: 'Bo' } });
    await until('accepted', () => h!.of('accepted').length);
    expect(frames('handshake')[0]!.channelCustomerIdentifier).toBe('v-42');
  });

  it('a second start for a customer whose chat is still open (another browser) is put back into that chat', async () => {
    sim = await simulator();
    const first = connect(sim);
    await toAgent(first);
    first.transport.close();
    h = connect(sim, { visitorId: 'other-browser' });
    await until('config', () => h!.of('config').length);
    h.send(START);
    const accepted = await until('accepted', () => h!.of('accepted')[0]);
    expect(accepted.chatId).toBe([...sim.conversations.keys()][0]);
    expect(sim.conversations.size).toBe(1);
  });

  it('answers the bot buttons as the SDK does, shows the carousel as cards, then meets the agent', async () => {
    sim = await simulator();
    h = connect(sim);
    await until('config', () => h!.of('config').length);
    h.send(START);
    const prompt = await until('bot buttons', () => h!.of('branch')[0]?.branch);
    expect(prompt.header).toBe('Hi! I am the Expertflow assistant. How can I help you?');
    expect(prompt.options.map((o) => o.label)).toEqual(['Talk to an agent', 'Opening hours']);
    h.send({ type: 'choose', promptId: prompt.id, optionId: '1', label: 'Opening hours' });
    const card = await until('a card', () => h!.of('card')[0]);
    expect(card.card).toMatchObject({ title: 'Main branch', description: 'Our shop in the city centre.' });
    expect(card.card.image).toMatch(/^data:image\/png;base64,/);
    const answer = frames('MESSAGE_RECEIVED')[0]!;
    expect(answer.header).toMatchObject({ originalMessageId: prompt.id, intent: 'opening_hours', entities: { branch: 'main' } });
    expect(answer.body).toEqual({ type: 'PLAIN', markdownText: 'Opening hours' });
    // The card's own button hands over to the agent.
    const cardButtons = await until('card buttons', () => h!.of('branch')[1]?.branch);
    h.send({ type: 'choose', promptId: cardButtons.id, optionId: '0', label: 'Talk to an agent' });
    await until('agent joined', () => h!.of('agent').find((a) => a.action === 'joined' && a.agent.name === 'Alex Morgan'));
    await until('greeting', () => texts(h!).includes('Hello Alice, my name is Alex. How can I help you today?'));
    expect(frames('MESSAGE_RECEIVED')[1]!.header.additionalData).toEqual({ carousalCardId: 'card-1' });
    expect(h.of('message').find((m) => m.message.text?.startsWith('Hello Alice'))?.message.sender).toBe('agent');
  });

  it('sends lines with an ack, matches the echo to the line, and shows the agent typing', async () => {
    sim = await simulator();
    h = connect(sim);
    await toAgent(h);
    h.send({ type: 'typing', on: true });
    h.send({ type: 'typing', on: true }); // at most one notice every 3 s
    h.send({ type: 'send', clientId: 'c1', text: 'Where is my order?' });
    const echo = await until('echo', () => h!.of('message').find((m) => m.message.clientId === 'c1'));
    expect(echo.message).toMatchObject({ sender: 'visitor', text: 'Where is my order?' });
    await until('agent typing', () => h!.of('typing').some((e) => e.on));
    await until('reply', () => texts(h!).some((t) => t.includes('"Where is my order?". Let me check')));
    expect(h.of('typing').at(-1)?.on).toBe(false);
    const sent = frames('MESSAGE_RECEIVED');
    expect(sent.filter((p) => p.body.notificationType === 'TYPING_STARTED')).toHaveLength(1);
    const line = sent.find((p) => p.body.markdownText === 'Where is my order?')!;
    expect(line).toMatchObject({ type: 'PLAIN', timestamp: '', header: { sender: { type: 'CUSTOMER', id: '+15550100', senderName: 'Alice' } } });
    // A resend of a line the server acked is not sent again; one of an echoed line re-emits the echo.
    h.send({ type: 'send', clientId: 'c1', text: 'Where is my order?' });
    expect(frames('MESSAGE_RECEIVED').filter((p) => p.body.markdownText === 'Where is my order?')).toHaveLength(1);
    expect(h.of('message').filter((m) => m.message.clientId === 'c1')).toHaveLength(2);
  });

  it('uploads a file to the file server with the JWT, sends it as a FILE line, and receives the agent’s image', async () => {
    sim = await simulator();
    h = connect(sim);
    await toAgent(h);
    const pdf = new Blob([new Uint8Array([37, 80, 68, 70])], { type: 'application/pdf' });
    h.send({ type: 'send-file', clientId: 'f1', file: pdf, name: 'report_2024.pdf' });
    const echo = await until('file echo', () => h!.of('message').find((m) => m.message.clientId === 'f1'));
    expect(echo.message.attachments).toEqual([
      { name: 'report_2024.pdf', url: `${sim.url}/api/downloadFileStream?filename=report_2024.pdf`, kind: 'file', mime: 'application/pdf', size: 4 },
    ]);
    const upload = sim.received.find((f) => f.name === 'POST /api/uploadFileStream')!.payload as { authorization: string };
    expect(upload.authorization).toMatch(/^Bearer ey/);
    const line = frames('MESSAGE_RECEIVED').find((p) => p.body.type === 'FILE')!;
    expect(line.body).toMatchObject({ additionalDetails: { fileName: 'report_2024.pdf' }, attachment: { mimeType: 'application/pdf', size: 4, extType: 'pdf' } });
    const bytes = await (await fetch(echo.message.attachments![0]!.url)).arrayBuffer();
    expect(new Uint8Array(bytes)).toEqual(new Uint8Array([37, 80, 68, 70]));

    h.send({ type: 'send', clientId: 'c2', text: 'please attach the invoice' });
    const image = await until('agent image', () => h!.of('message').find((m) => m.message.attachments?.[0]?.kind === 'image'));
    expect(image.message.sender).toBe('agent');
    expect(image.message.attachments![0]!).toMatchObject({ name: 'invoice.png', mime: 'image/png' });
    expect((await fetch(image.message.attachments![0]!.url)).headers.get('content-type')).toBe('image/png');
  });

  it('a file the server refuses is an upload error, and nothing goes out on the socket', async () => {
    sim = await simulator();
    h = connect(sim);
    await toAgent(h);
    h.send({ type: 'send-file', clientId: 'f1', file: new Blob(['x']), name: 'bad<name>.txt' });
    await until('upload error', () => h!.of('error').find((e) => e.code === 'upload-failed'));
    expect(frames('MESSAGE_RECEIVED').some((p) => p.body.type === 'FILE')).toBe(false);
  });

  it('the visitor ends the chat: CHAT_ENDED with the customer data, and the socket closes', async () => {
    sim = await simulator();
    h = connect(sim);
    await toAgent(h);
    h.send({ type: 'end' });
    expect(h.of('ended')).toEqual([expect.objectContaining({ by: 'visitor' })]);
    const ended = await until('CHAT_ENDED', () => frames('CHAT_ENDED')[0]);
    expect(ended).toMatchObject({ serviceIdentifier: '5155', channelCustomerIdentifier: '+15550100' });
    expect(h.token()).toEqual({ conv: [...sim.conversations.keys()][0], ended: true });
    expect([...sim.conversations.values()][0]!.state).toBe('ended');
  });

  it('the agent ends it (CHANNEL_SESSION_ENDED) after leaving; an expiry ends it by timeout', async () => {
    sim = await simulator();
    h = connect(sim);
    await toAgent(h);
    h.send({ type: 'send', clientId: 'c1', text: 'ok bye' });
    const ended = await until('ended', () => h!.of('ended')[0]);
    expect(ended.by).toBe('agent');
    // The bot speaks first, so it joins first.
    expect(h.of('agent').map((a) => `${a.action} ${a.agent.name} ${a.agent.isBot}`)).toEqual([
      'joined Expertflow Bot true',
      'joined Alex Morgan false',
      'left Alex Morgan false',
    ]);
    h.transport.close();

    h = connect(sim, { visitorId: 'v-2' });
    await until('config', () => h!.of('config').length);
    h.send({ type: 'start', visitor: {}, answers: { name: 'Bea', phone: '+15550199' } });
    await until('accepted', () => h!.of('accepted').length);
    expect(sim.expireAll()).toBe(1);
    expect((await until('expired', () => h!.of('ended')[0])).by).toBe('timeout');
  });
});
