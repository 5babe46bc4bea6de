import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWhosOnSimulator, type WhosOnSimulatorHandle } from '../../src/server/sandbox/whoson';
import type { SimulatorHandle } from '../../src/server/sandbox/types';
import { harness, waitFor, type Harness } from './helpers';
import { steppedClock } from '../fixtures/manual-clock';

const frames = (sim: SimulatorHandle, name: string) =>
  sim.received.filter((f) => f.channel === 'ws' && f.name === name).map((f) => f.payload as string[]);
const lastFrame = (sim: SimulatorHandle, name: string) => waitFor(() => frames(sim, name).at(-1), `${name} frame`);

let sim: WhosOnSimulatorHandle;
let open: Harness[] = [];
const start = (...args: Parameters<typeof harness>) => {
  const h = harness(...args);
  open.push(h);
  return h;
};

beforeAll(async () => {
  sim = await startWhosOnSimulator({ agent: { delayScale: 0.02, queueFrom: 2 } });
});
afterEach(() => {
  for (const h of open) h.transport.close();
  open = [];
});
afterAll(async () => {
  expect(sim.violations).toEqual([]);
  await sim.close();
});

describe('WhosOn transport against the simulator, over a real socket', () => {
  it('runs a whole chat: connect, survey, queue, agent, echo, file, dynamic field, quit, post-chat, transcript', async () => {
    const h = start({ server: sim.url, ...sim.options }, { locale: 'fr-FR', referrer: 'https://ref.example/', userAgent: 'UA/1', visitorId: 'cookie-1' });

    // Connect → connected: open, config, then the site logo from GetImage.
    const config = (await h.next('config')).config;
    expect(h.events[0]).toMatchObject({ type: 'connection', state: 'connecting' });
    expect(h.of('connection').map((e) => e.state)).toEqual(['connecting', 'open']);
    expect(config.welcomeHtml).toContain('<b>Start Chat</b>');
    expect(config.prechat.map((f) => f.name)).toEqual(['VisitorName', 'Company']);
    expect(config.postchat[0]).toMatchObject({ name: 'Rating', type: 'rating', max: 5 });
    expect(frames(sim, 'Connect').at(-1)).toEqual([sim.options.auth, sim.options.domain, '', 'cookie-1', 'UA/1', 'https://ref.example/', sim.options.apiKey]);
    const logo = await h.next('image');
    expect(logo.url).toMatch(/^data:image\/png;base64,iVBOR/);
    const [sid] = await lastFrame(sim, 'GetOperators');
    expect(frames(sim, 'GetImage').at(-1)).toEqual([sid, sim.options.domain, '5']);
    await waitFor(() => h.transport.operators.length === 2, 'operators list');
    expect(h.transport.operators[0]).toEqual({ name: 'Alex Morgan', isBot: false, status: 'Online' });

    // Hello: name, domain, department, operator, session, IP, cookie, language, translation, XML.
    h.transport.send({ type: 'start', visitor: {}, answers: { VisitorName: 'Thomas', Company: 'Smith & <Sons>' } });
    const hello = await lastFrame(sim, 'Hello');
    expect(hello).toEqual([
      'Thomas', sim.options.domain, '', '', sid, '', 'cookie-1', 'fr', 'true',
      '<Fields><Field><Name>VisitorName</Name><Value>Thomas</Value></Field><Field><Name>Company</Name><Value>Smith &amp; &lt;Sons&gt;</Value></Field></Fields>',
    ]);
    const accepted = await h.next('accepted');
    expect(accepted.chatId).toMatch(/^[a-z0-9]{10}$/);
    await h.next('waiting', (e) => e.kind === 'paging');
    await h.next('queue', (e) => e.position === 1 && e.total === 5, 'queue position 1 of 5');
    expect(h.of('queue').map((e) => e.position)).toContain(2);
    expect(h.of('waiting').some((e) => e.kind === 'queue' && e.text === 'Thank you for waiting. You are in position 2 of 5.')).toBe(true);
    await h.next('waiting', (e) => e.kind === 'waiting' && e.text === 'One moment please...');
    const joined = await h.next('agent');
    expect(joined).toMatchObject({ action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    await h.next('typing', (e) => e.on);
    const greeting = await h.next('message', (e) => e.message.sender === 'agent', 'greeting');
    expect(greeting.message).toMatchObject({ authorName: 'Alex Morgan', html: 'Hello Thomas, my name is Alex. How can I help you today?' });
    expect(h.of('typing').map((e) => e.on)).toEqual([true, false]);
    // Translation was asked for (fr ≠ en): the operator line is followed by its linet.
    const translated = await h.next('message', (e) => e.message.translationOf === greeting.message.id, 'translation');
    expect(translated.message.html).toContain('[fr]');

    // Message → linesays + linev echo carrying our client id → the agent answers.
    const text = 'Could you please help me with product installation';
    h.transport.send({ type: 'send', clientId: 'c-1', text });
    expect(await lastFrame(sim, 'Message')).toEqual([sid, sim.options.domain, text]);
    const echo = await h.next('message', (e) => e.message.sender === 'visitor');
    expect(echo.message).toMatchObject({ clientId: 'c-1', text, authorName: 'Thomas' });
    const reply = await h.next('message', (e) => !!e.message.html?.includes('Let me check'), 'reply');
    expect(reply.message.html).toContain('&#34;Could you please help me');

    // File: refused locally by extension; otherwise uploaded, then File with the returned URL.
    h.transport.send({ type: 'send-file', clientId: 'f-0', file: new Blob(['MZ']), name: 'setup.exe' });
    expect((await h.next('error', (e) => e.code === 'file-type')).fatal).toBe(false);
    const bytes = 'installation log\n';
    h.transport.send({ type: 'send-file', clientId: 'f-1', file: new Blob([bytes], { type: 'text/plain' }), name: 'log.txt' });
    const fileMsg = await h.next('message', (e) => e.message.clientId === 'f-1');
    const att = fileMsg.message.attachments?.[0];
    expect(att).toMatchObject({ name: 'log.txt', kind: 'file', mime: 'text/plain', size: bytes.length });
    expect(await lastFrame(sim, 'File')).toEqual([sid, sim.options.domain, 'log.txt', att?.url]);
    // One SOAP 1.1 DocumentWriteForSite call (Parker's DocumentWrite shape, notes W2).
    const upload = sim.received.filter((f) => f.channel === 'http');
    expect(upload).toHaveLength(1);
    expect(upload[0]?.payload).toMatchObject({
      contentType: 'text/xml; charset=utf-8', soapAction: '"http://www.whoson.com/webservices/kb/DocumentWriteForSite"',
      FileName: 'log.txt', Domain: sim.options.domain, SessionID: sid,
    });
    expect(await (await fetch(att?.url ?? '')).text()).toBe(bytes);

    // The agent asks for an order number → form → DynamicField → a new chat line.
    h.transport.send({ type: 'send', clientId: 'c-2', text: 'Where is my order?' });
    const form = await h.next('form');
    expect(form.form.field).toMatchObject({ name: 'OrderNumber', label: 'Please enter the order number:', maxLength: 10, changeCase: 'upper' });
    h.transport.send({ type: 'submit-form', promptId: form.form.id, fieldName: 'OrderNumber', value: 'A<12>' });
    expect(await lastFrame(sim, 'DynamicField')).toEqual([sid, sim.options.domain, 'OrderNumber', 'A<12>']);
    // The server's "OrderNumber: A<12>" line repeats the answer the form item shows (under the
    // internal field name): it is not emitted (issue 25 item 10). Checked once the chat ends below.

    // Typing and preview go out (the simulator's site allows OperatorPreview); the operator
    // is shown the preview.
    expect(config.previewAllowed).toBe(true);
    h.transport.send({ type: 'typing', on: true });
    h.transport.send({ type: 'preview', text: 'I would li' });
    h.transport.send({ type: 'typing', on: false });
    expect(await lastFrame(sim, 'StopTyping')).toEqual([sid]);
    expect(frames(sim, 'StartTyping')).toEqual([[sid]]);
    expect(frames(sim, 'Preview')).toEqual([[sid, sim.options.domain, 'I would li']]);
    await waitFor(() => sim.previews.includes('I would li'), 'the operator shown the preview');

    // End → Quit → ended by the visitor; then post-chat survey → acknowledged; transcript.
    h.transport.send({ type: 'end' });
    expect(await lastFrame(sim, 'Quit')).toEqual([sid, sim.options.domain]);
    expect(await h.next('ended')).toMatchObject({ by: 'visitor' });
    expect(h.events.some((e) => e.type === 'message' && /OrderNumber/.test(e.message.html ?? ''))).toBe(false);
    h.transport.send({ type: 'postchat', answers: { Rating: '5', FindMethod: 'Google' } });
    expect(await lastFrame(sim, 'PostChatSurvey')).toEqual([
      accepted.chatId, sid, sim.options.domain, '',
      '<Fields><Field><Name>Rating</Name><Value>5</Value></Field><Field><Name>FindMethod</Name><Value>Google</Value></Field></Fields>',
    ]);
    await h.next('ack', (e) => e.what === 'postchat');
    h.transport.send({ type: 'transcript', format: 'email', email: 'thomas@test.com' });
    expect(await lastFrame(sim, 'Transcript')).toEqual([accepted.chatId, sid, sim.options.domain, '', 'thomas@test.com']);
    await h.next('ack', (e) => e.what === 'transcript');
    expect(h.of('error').filter((e) => e.code !== 'file-type')).toEqual([]);
  });

  it('reports the agent ending the chat as ended by the agent', async () => {
    const h = start({ server: sim.url, ...sim.options });
    await h.next('config');
    h.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await h.next('message', (e) => e.message.sender === 'agent');
    // English visitor on an English site: no translation asked for.
    expect(frames(sim, 'Hello').at(-1)?.slice(7, 9)).toEqual(['en', 'false']);
    h.transport.send({ type: 'send', clientId: 'b', text: 'ok bye' });
    expect(await h.next('ended')).toMatchObject({ by: 'agent' });
  });

  it('refuses a start while the socket is not connected, as an error event (no throw)', async () => {
    const h = start({ server: sim.url, ...sim.options });
    h.transport.send({ type: 'send', clientId: 'early', text: 'hi' });
    expect(h.of('error')).toMatchObject([{ code: 'not-connected', fatal: false }]);
    await h.next('config');
  });
});

describe('WhosOn offline and refusal paths', () => {
  it('nobody available: Hello → notaccepted → rejected → a left message is sent and confirmed', async () => {
    const offline = await startWhosOnSimulator({ agent: { delayScale: 0.02, available: () => false } });
    try {
      const h = start({ server: offline.url, ...offline.options, department: 'Sales' });
      await h.next('config');
      await waitFor(() => h.transport.operators.length > 0, 'operators');
      expect(h.transport.operators[0]?.status).toBe('Away');
      h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
      const rejected = await h.next('rejected');
      expect(rejected.reason).toMatch(/^No operators are available at this time\. .*The time is currently \d\d:\d\d\.$/);
      expect(rejected.forwardingUrl).toBeUndefined();
      const [sid] = frames(offline, 'Hello').at(-1)?.slice(4, 5) ?? [];
      expect(frames(offline, 'Hello').at(-1)?.[2]).toBe('Sales');
      h.transport.send({ type: 'leave-message', name: 'Thomas', email: 'thomas@test.com', phone: '07799123456', message: 'Please call back' });
      const left = await waitFor(() => frames(offline, 'LeaveMessage').at(-1), 'LeaveMessage');
      const chatUid = left[0];
      expect(chatUid).toMatch(/^[a-z0-9]{10}$/);
      expect(left).toEqual([chatUid, sid, offline.options.domain, '', 'Thomas', 'Sales', 'thomas@test.com', '07799123456', 'Please call back']);
      await h.next('ack', (e) => e.what === 'leave-message');
    } finally {
      await offline.close();
    }
  });

  it.each([
    ['a wrong auth string', { auth: 'nope' }, 'Access Denied'],
    ['a wrong domain', { domain: 'www.other.com' }, 'Access Denied'],
    ['a wrong API key', { apiKey: 'nope' }, 'Invalid API key.'],
  ])('%s: a fatal error, the connection closed, and no reconnect', async (_what, wrong, message) => {
    const timers: number[] = [];
    const clock = { now: () => Date.now(), setTimeout: (_fn: () => void, ms: number) => timers.push(ms), clearTimeout: () => {} };
    const h = start({ server: sim.url, ...sim.options, ...wrong }, { clock });
    expect(await h.next('error')).toMatchObject({ message, fatal: true });
    await h.next('connection', (e) => e.state === 'closed');
    await waitFor(() => h.sockets[0]?.readyState === 3, 'socket closed');
    expect(h.sockets).toHaveLength(1);
    expect(timers).toEqual([]);
    expect(h.of('config')).toEqual([]);
  });

  it('a missing option is a fatal error naming the attribute, without a socket', () => {
    const h = start({ server: sim.url, ...sim.options, apiKey: '' });
    expect(h.of('error')).toMatchObject([{ fatal: true, message: expect.stringContaining('data-api-key') }]);
    expect(h.sockets).toHaveLength(0);
    const bad = start({ ...sim.options, server: 'http://127.0.0.1:1' });
    expect(bad.of('error')).toMatchObject([{ fatal: true, message: expect.stringContaining('data-server') }]);
  });

  it('no auth string is a setup error before any Connect: the document gives no blank form for it', async () => {
    // A Connect that does not match is refused and counts towards blacklisting the visitor's
    // IP; sending "" on the chance the server has no string is a risk the widget must not take.
    const connects = frames(sim, 'Connect').length;
    const { auth: _auth, ...withoutAuth } = sim.options;
    const h = start({ server: sim.url, ...withoutAuth });
    expect(h.of('error')).toMatchObject([{ code: 'config', fatal: true, message: 'The chat is not set up correctly: check data-auth.' }]);
    expect(h.of('connection')).toMatchObject([{ state: 'closed' }]);
    // No socket was made, so no Connect can be on its way either (one goes only over a socket,
    // and a transport refused by its options never opens one).
    expect(h.sockets).toHaveLength(0);
    expect(frames(sim, 'Connect')).toHaveLength(connects);
  });
});

describe('WhosOn page timeout, against the simulator', () => {
  it('the final waiting line: the widget sends Quit, the operator never joins, a message can be left', async () => {
    // The script's time is the test's: waiting1 at 400 ms, final at 700 ms, the agent would join at 1,000 ms.
    const clock = steppedClock();
    const slow = await startWhosOnSimulator({ agent: { delayScale: 1, queueFrom: 0, pageTimeoutMs: 700, clock } });
    try {
      const h = start({ server: slow.url, ...slow.options });
      await h.next('config');
      h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
      const [, , , , sid] = await lastFrame(slow, 'Hello');
      const accepted = await h.next('accepted');
      clock.advance(700);
      await h.next('waiting', (e) => e.kind === 'final');
      expect(h.of('waiting').map((e) => [e.kind, e.text])).toEqual([
        ['paging', 'Please wait. An operator will be with you shortly.'],
        ['waiting', 'One moment please...'],
        ['waiting', 'We apologize for the delay. An operator will be with you shortly.'],
        ['final', 'No operators are available at this time. Operators may only be available during office hours.'],
      ]);
      expect(await lastFrame(slow, 'Quit')).toEqual([sid, slow.options.domain]);
      // Quit called off the operator's join and greeting: nothing is left on the script's clock.
      expect(clock.pending()).toBe(0);
      clock.advance(60_000);
      expect(h.of('agent')).toEqual([]);
      expect(h.of('message')).toEqual([]);
      expect(frames(slow, 'Quit')).toHaveLength(1);
      h.transport.send({ type: 'leave-message', name: 'Thomas', message: 'Please call back' });
      expect((await lastFrame(slow, 'LeaveMessage')).slice(0, 2)).toEqual([accepted.chatId, sid]);
      expect(h.of('error')).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
