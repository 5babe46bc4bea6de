/**
 * The document's example events, sent verbatim by a hand-driven server over a real socket,
 * and what the transport makes of them; plus garbage, and connection drops.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/core/contract';
import { fixture, fixtureText, harness, SCRIPT_OPTIONS, startScriptServer, waitFor, type Harness, type ScriptServer } from './helpers';

let server: ScriptServer;
let open: Harness[] = [];
const start = (...args: Parameters<typeof harness>) => {
  const h = harness(...args);
  open.push(h);
  return h;
};
/** Connect, answer with the document's connected example, and wait for config. */
async function connected(extra?: Parameters<typeof harness>[1], deps?: Parameters<typeof harness>[2]): Promise<Harness> {
  const h = start({ server: server.url, ...SCRIPT_OPTIONS }, extra, deps);
  await waitFor(() => server.received.filter((c) => c.Command === 'Connect').length === h.sockets.length + countBefore, 'Connect');
  server.sendRaw(fixtureText('event-connected'));
  await h.next('config');
  return h;
}
let countBefore = 0;
const say = (name: string) => server.sendRaw(fixtureText(name));
const line = (Classname: string, Content: string) =>
  server.send({ EventName: 'newline', ChatUid: 'gq0i7smlen', Data: { Classname, Content } });

beforeAll(async () => {
  server = await startScriptServer();
});
afterEach(() => {
  for (const h of open) h.transport.close();
  open = [];
  countBefore = server.received.filter((c) => c.Command === 'Connect').length;
});
afterAll(() => server.close());

describe('WhosOn transport: the document\'s events, verbatim', () => {
  it('turns a full chat of example events into normalized events', async () => {
    const h = await connected();
    // After connected: GetOperators, then GetImage for the site logo, with the new session.
    await waitFor(() => server.received.at(-1)?.Command === 'GetImage', 'GetImage');
    expect(server.received.slice(-2)).toEqual([
      { Command: 'GetOperators', Parameters: ['2c61f576-330e-4127-af83-90809776fa9c', 'www.mycompany.com'] },
      { Command: 'GetImage', Parameters: ['2c61f576-330e-4127-af83-90809776fa9c', 'www.mycompany.com', '5'] },
    ]);
    say('event-operators');
    await waitFor(() => h.transport.operators.length === 2, 'operators');
    say('event-image'); // placeholder base64: no logo
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    expect(await h.next('accepted')).toMatchObject({ chatId: 'gq0i7smlen' });
    say('event-newline-pagingmessage');
    say('event-newline-linewaiting1');
    say('event-newline-linewaiting2');
    say('event-newline-queuemessage');
    say('event-queue');
    // (The final waiting line ends the chat: it has a test of its own below.)
    await h.next('queue', (e) => e.total === undefined, 'the queue event');
    expect(h.of('waiting').map((e) => [e.kind, e.text])).toEqual([
      ['paging', 'Please wait. An operator will be with you shortly.'],
      ['waiting', 'One moment please...'],
      ['waiting', 'We apologize for the delay. An operator will be with you shortly.'],
      ['queue', 'Thank you for waiting. You are in position 3 of 10.'],
    ]);
    expect(h.of('queue').map(({ position, total }) => ({ position, total }))).toEqual([
      { position: 3, total: 10 },
      { position: 2, total: undefined },
    ]);

    say('event-operatorjoined');
    expect((await h.next('agent')).agent).toEqual({ name: 'Howard Williams', isBot: false });
    say('event-typing');
    say('event-typingstop');
    say('event-newline-linesays-operator');
    say('event-newline-lineo');
    line('linet', 'Bonjour Thomas. Je m&#39;appelle Howard Williams.');
    const lineo = await h.next('message', (e) => e.message.sender === 'agent');
    expect(lineo.message).toEqual({
      id: 'gq0i7smlen-6', // ChatUid + the line's number in the chat (linesays counts)
      sender: 'agent',
      authorName: 'Howard Williams',
      html: 'Good Morning Thomas. My name is Howard Williams how can I help you?',
    });
    const linet = await h.next('message', (e) => !!e.message.translationOf);
    expect(linet.message).toMatchObject({ translationOf: lineo.message.id, sender: 'agent' });
    expect(linet.message).not.toHaveProperty('authorName');
    expect(h.of('typing').map((e) => e.on)).toEqual([true, false]);

    h.transport.send({ type: 'send', clientId: 'c-9', text: 'Could you please help me with product installation' });
    say('event-newline-linesays-visitor');
    say('event-newline-linev');
    const echo = await h.next('message', (e) => e.message.sender === 'visitor');
    expect(echo.message).toMatchObject({ clientId: 'c-9', authorName: 'Thomas', text: 'Could you please help me with product installation' });
    // An echo we did not send (another tab) is still shown, just without a client id.
    say('event-newline-linev');
    await waitFor(() => h.of('message').filter((e) => e.message.sender === 'visitor').length === 2, 'second echo');
    expect(h.of('message').filter((e) => e.message.sender === 'visitor')[1]?.message.clientId).toBeUndefined();

    say('event-requestfile');
    expect(await h.next('file-request')).toMatchObject({ allowedTypes: ['pdf', 'doc'] });
    say('event-requestfield');
    expect((await h.next('form')).form).toMatchObject({ id: 'gq0i7smlen-field-1', header: 'Please enter the order number:', field: { name: 'OrderNumber' } });
    say('event-error-filetype');
    expect(await h.next('error')).toMatchObject({ message: 'You cannot upload files of this type.', fatal: false });
    // A class this version does not know is still shown, as a system line.
    line('  LineX   Special ', 'Chat transferred to <b>Billing</b>');
    expect((await h.next('message', (e) => e.message.sender === 'system')).message.html).toBe('Chat transferred to <b>Billing</b>');

    say('event-quit');
    expect(await h.next('ended')).toMatchObject({ by: 'agent' });
    say('event-acknowledged');
    await h.next('ack', (e) => e.what === 'postchat');
    expect(h.of('image')).toEqual([]);
    expect(h.of('error')).toHaveLength(1);
  });

  it('notaccepted: a message becomes the reason, a URL becomes the forwarding URL', async () => {
    const since = server.received.length;
    const h = await connected();
    h.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-notaccepted');
    expect(await h.next('rejected')).toEqual(expect.objectContaining({
      reason: 'No operators are available at this time. Operators may only be available during office hours. The time is currently 12:26.',
    }));
    server.send({ EventName: 'notaccepted', ChatUid: 'gq0i7smlen', Data: ' https://www.mycompany.com/contact ' });
    server.send({ EventName: 'notaccepted', ChatUid: 'gq0i7smlen', Data: 'javascript:alert(1)' });
    await waitFor(() => h.of('rejected').length === 3, 'three rejections');
    expect(h.of('rejected')[1]?.forwardingUrl).toBe('https://www.mycompany.com/contact');
    expect(h.of('rejected')[2]).not.toHaveProperty('forwardingUrl');
    // Refused at the Hello: there is no chat to end, so no Quit.
    expect(server.received.slice(since).map((c) => c.Command)).not.toContain('Quit');
  });

  it('the final waiting line ends the chat: Quit goes out once, and the chat says nothing more', async () => {
    const since = server.received.length;
    const quits = () => server.received.slice(since).filter((c) => c.Command === 'Quit');
    const h = await connected();
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    say('event-newline-pagingmessage');
    say('event-newline-linewaiting1');
    say('event-newline-linewaiting2');
    say('event-newline-final');
    expect((await h.next('waiting', (e) => e.kind === 'final')).text).toMatch(/^No operators are available/);
    // The document: "If you receive the final waiting message … send the Quit command".
    expect(await waitFor(() => quits()[0], 'Quit')).toEqual({
      Command: 'Quit',
      Parameters: ['2c61f576-330e-4127-af83-90809776fa9c', 'www.mycompany.com'],
    });
    // An operator who picks the chat up before the Quit lands, a repeated final line, the
    // server's own quit: none of it reaches a visitor who was told nobody is there.
    say('event-operatorjoined');
    say('event-typing');
    say('event-newline-linesays-operator');
    say('event-newline-lineo');
    say('event-requestfile');
    say('event-newline-final');
    say('event-quit');
    say('event-acknowledged'); // not about the chat: still handled, and tells us the rest was read
    await h.next('ack');
    for (const type of ['agent', 'message', 'typing', 'file-request', 'ended'] as const) expect(h.of(type)).toEqual([]);
    expect(h.of('waiting').filter((e) => e.kind === 'final')).toHaveLength(1);
    // Leaving a message is still offered after the final line, and names the chat.
    h.transport.send({ type: 'leave-message', name: 'Thomas', message: 'Please call back' });
    const left = await waitFor(() => server.received.slice(since).find((c) => c.Command === 'LeaveMessage'), 'LeaveMessage');
    expect(left.Parameters?.slice(0, 2)).toEqual(['gq0i7smlen', '2c61f576-330e-4127-af83-90809776fa9c']);
    // Frames arrive in order on the one socket: every Quit written before LeaveMessage is in.
    expect(quits()).toHaveLength(1);
    expect(h.of('error')).toEqual([]);
  });

  it('no post-chat survey for a chat that was never accepted (it would carry no ChatUid)', async () => {
    const since = server.received.length;
    const h = await connected();
    h.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    h.transport.send({ type: 'cancel' }); // before any accepted
    expect(await h.next('ended')).toMatchObject({ by: 'visitor' });
    h.transport.send({ type: 'postchat', answers: { Rating: '5' } });
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'no-chat', fatal: false })]);
    await waitFor(() => server.received.slice(since).some((c) => c.Command === 'Quit'), 'Quit');
    expect(server.received.slice(since).map((c) => c.Command)).not.toContain('PostChatSurvey');
  });

  it('a notaccepted after accepted (the queue timed out) ends the chat with Quit', async () => {
    const since = server.received.length;
    const h = await connected();
    h.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    say('event-newline-queuemessage');
    say('event-notaccepted');
    await h.next('rejected');
    const quit = await waitFor(() => server.received.slice(since).find((c) => c.Command === 'Quit'), 'Quit');
    expect(quit.Parameters).toEqual(['2c61f576-330e-4127-af83-90809776fa9c', 'www.mycompany.com']);
    say('event-operatorjoined');
    say('event-acknowledged');
    await h.next('ack');
    expect(h.of('agent')).toEqual([]);
  });

  it('a quit while still waiting for an operator is ended by the system', async () => {
    const h = await connected();
    h.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    say('event-quit');
    expect(await h.next('ended')).toMatchObject({ by: 'system' });
  });

  it('the connected example\'s Connect error is fatal', async () => {
    const h = start({ server: server.url, ...SCRIPT_OPTIONS });
    await waitFor(() => server.received.filter((c) => c.Command === 'Connect').length > countBefore, 'Connect');
    say('event-error-connect');
    expect(await h.next('error')).toMatchObject({ fatal: true, message: expect.stringContaining('is not being monitored by WhosOn') });
    await h.next('connection', (e) => e.state === 'closed');
  });
});

describe('WhosOn transport: the tolerant reader over a socket (issue 19)', () => {
  it('an unknown event is ignored with one log line per name; ClassName and ChatUID spellings are read', async () => {
    const h = await connected();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (let i = 0; i < 3; i++) server.send({ EventName: 'Hologram', ChatUid: null, Data: { x: i } });
    server.send({ EventName: 'accepted', ChatUID: 'uid-alt', Data: 'wait' });
    server.send({ EventName: 'newline', ChatUID: 'uid-alt', Data: JSON.stringify({ ClassName: 'lineo', Content: 'Spelled another way' }) });
    await h.next('message', (e) => e.message.html === 'Spelled another way');
    expect((await h.next('accepted')).chatId).toBe('uid-alt');
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('unknown event "hologram"'))).toHaveLength(1);
    expect(h.of('error')).toEqual([]);
    warn.mockRestore();
  });
});

describe('WhosOn transport: booleans (issue 19)', () => {
  it('a requested boolean field is answered Y/N in DynamicField', async () => {
    const h = await connected();
    server.send({ EventName: 'requestfield', ChatUid: 'gq0i7smlen', Data: { ...fixture<{ Data: object }>('event-requestfield').Data, FieldName: 'Consent', FieldType: 'boolean' } });
    const form = await h.next('form');
    h.transport.send({ type: 'submit-form', promptId: form.form.id, fieldName: 'Consent', value: 'true' });
    await waitFor(() => server.received.at(-1)?.Command === 'DynamicField', 'DynamicField');
    expect(server.received.at(-1)?.Parameters?.slice(2)).toEqual(['Consent', 'Y']);
  });
});

describe('WhosOn transport: garbage from the server', () => {
  it('each malformed frame is one non-fatal error and one warning; the chat goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const h = await connected();
      server.sendRaw('this is not json');
      server.sendRaw('{"ChatUid":"x","Data":""}');
      server.sendRaw('{"EventName":"newline","ChatUid":"x","Data":"a string"}');
      server.sendRaw('{"EventName":"queue","ChatUid":"x","Data":{"n":1}}');
      server.sendRaw(Buffer.from([0xde, 0xad]), true);
      server.send({ EventName: 'typing', ChatUid: '', Data: '' });
      await h.next('typing');
      expect(h.of('error')).toHaveLength(5);
      expect(h.of('error').every((e) => !e.fatal && e.code === 'bad-frame')).toBe(true);
      expect(warn).toHaveBeenCalledTimes(5);
      expect(h.of('connection').map((e) => e.state)).toEqual(['connecting', 'open']);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('WhosOn transport: connection drops (version 10: the chat survives a closed socket, notes W1)', () => {
  /** A chat accepted and joined, then its socket cut: resolves with the re-attaching Connect. */
  async function dropMidChat(): Promise<{ h: Harness; reconnect: string[] }> {
    const h = await connected(undefined, { random: () => 0 });
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    say('event-operatorjoined');
    await h.next('agent');
    server.clients.at(-1)?.terminate();
    expect(await h.next('connection', (e) => e.state === 'reconnecting')).toMatchObject({ attempt: 1 });
    await waitFor(() => h.sockets.length === 2 && server.received.filter((c) => c.Command === 'Connect').length === countBefore + 2, 'second Connect');
    const reconnect = server.received.filter((c) => c.Command === 'Connect').at(-1)?.Parameters ?? [];
    return { h, reconnect };
  }
  const connectedFor = (ChatUid: string | null, SessionID: string) =>
    server.send({ ...fixture<object>('event-connected'), ChatUid, Data: { ...fixture<{ Data: object }>('event-connected').Data, SessionID } });

  it('re-attaches the running chat by its ChatUID (an eighth Connect parameter); the chat goes on, on the new SessionID', async () => {
    const { h, reconnect } = await dropMidChat();
    expect(reconnect).toEqual([...(server.received.find((c) => c.Command === 'Connect')?.Parameters ?? []).slice(0, 7), 'gq0i7smlen']);
    connectedFor('gq0i7smlen', 'new-session');
    await waitFor(() => h.of('connection').filter((e) => e.state === 'open').length === 2, 'open again');
    expect(h.of('ended')).toEqual([]);
    expect(h.of('config')).toHaveLength(1);
    // Lines keep coming on the re-attached chat.
    line('lineo', 'Still here.');
    await h.next('message', (e) => e.message.html === 'Still here.');
    // Every command now carries the SessionID this connection was given.
    h.transport.send({ type: 'send', clientId: 'c9', text: 'me too' });
    await waitFor(() => server.received.at(-1)?.Command === 'Message', 'Message');
    expect(server.received.at(-1)?.Parameters?.[0]).toBe('new-session');
    say('event-quit');
    await h.next('ended');
    h.transport.send({ type: 'postchat', answers: { Rating: '4' } });
    await waitFor(() => server.received.at(-1)?.Command === 'PostChatSurvey', 'PostChatSurvey');
    expect(server.received.at(-1)?.Parameters?.slice(0, 2)).toEqual(['gq0i7smlen', 'new-session']);
    h.transport.send({ type: 'transcript', format: 'email', email: 't@example.com' });
    await waitFor(() => server.received.at(-1)?.Command === 'Transcript', 'Transcript');
    expect(server.received.at(-1)?.Parameters?.slice(0, 2)).toEqual(['gq0i7smlen', 'new-session']);
  });

  it('a refused re-attach (an error answering it) ends the chat with the clear line, and a fresh Connect follows', async () => {
    const { h } = await dropMidChat();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    server.send({ EventName: 'error', ChatUid: null, Data: 'The chat session could not be found.' });
    const ended = await h.next('ended');
    warn.mockRestore();
    expect(ended).toMatchObject({ by: 'system', text: expect.stringContaining('could not be resumed') });
    expect(h.of('error').filter((e) => e.fatal)).toEqual([]);
    await waitFor(() => server.received.filter((c) => c.Command === 'Connect').length === countBefore + 3, 'a fresh Connect');
    expect(server.received.filter((c) => c.Command === 'Connect').at(-1)?.Parameters).toHaveLength(7);
    connectedFor(null, 'fresh-session');
    await waitFor(() => h.of('connection').filter((e) => e.state === 'open').length === 2, 'open again');
  });

  it('a connected for no chat (a server that does not keep chats) is a refused re-attach: the chat ends before open', async () => {
    const { h } = await dropMidChat();
    connectedFor(null, 'new-session');
    const ended = await h.next('ended');
    expect(ended).toMatchObject({ by: 'system', text: expect.stringContaining('could not be resumed') });
    const states = h.events.filter((e) => e.type === 'connection' || e.type === 'ended').map((e) => (e.type === 'connection' ? e.state : 'ended'));
    // Ended before open: lines still waiting in the session's outbox fail instead of going
    // into the new WhosOn session, which has no chat.
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'ended', 'open']);
  });

  it('a line written before the drop is not written again when the session re-sends it on the re-attached chat; a Retry is', async () => {
    const { h } = await dropMidChat();
    // The session's outbox re-sends unconfirmed lines as the connection opens.
    const resend = (e: { type: string; state?: string }) => {
      if (e.type === 'connection' && e.state === 'open') h.transport.send({ type: 'send', clientId: 'c-early', text: 'sent before the drop' });
    };
    h.transport.send({ type: 'send', clientId: 'c-early', text: 'sent before the drop' }); // on no connection: refused
    expect(h.of('error').at(-1)).toMatchObject({ code: 'not-connected' });
    // Write it on the first socket, the way it went out before the cut (a new harness would
    // be a new transport): reconnect and drop again with the line in flight.
    connectedFor('gq0i7smlen', 'session-2');
    await waitFor(() => h.of('connection').filter((e) => e.state === 'open').length === 2, 'open again');
    h.transport.send({ type: 'send', clientId: 'c-early', text: 'sent before the drop' });
    await waitFor(() => server.received.at(-1)?.Command === 'Message', 'Message');
    const messages = () => server.received.filter((c) => c.Command === 'Message').length;
    const before = messages();
    const events = h.events.length;
    server.clients.at(-1)?.terminate();
    await waitFor(() => server.received.filter((c) => c.Command === 'Connect').length === countBefore + 3, 'third Connect');
    // The outbox's re-send arrives while the connection reports open.
    const original = h.events.push.bind(h.events);
    h.events.push = (...items) => {
      const n = original(...items);
      for (const e of items) resend(e);
      return n;
    };
    connectedFor('gq0i7smlen', 'session-3');
    await waitFor(() => h.events.slice(events).some((e) => e.type === 'connection' && e.state === 'open'), 'open a third time');
    h.events.push = original;
    expect(messages()).toBe(before);
    // The visitor's Retry (later, not as the connection opens) is written again.
    h.transport.send({ type: 'send', clientId: 'c-early', text: 'sent before the drop' });
    await waitFor(() => messages() === before + 1, 'the retried Message');
    expect(server.received.at(-1)?.Parameters?.[0]).toBe('session-3');
    // One echo confirms it, with its client id.
    line('linev', 'sent before the drop');
    expect((await h.next('message', (e) => e.message.sender === 'visitor')).message.clientId).toBe('c-early');
  });

  it('a drop outside a chat just reconnects, nothing ends', async () => {
    const h = await connected(undefined, { random: () => 0 });
    server.clients.at(-1)?.terminate();
    await waitFor(() => server.received.filter((c) => c.Command === 'Connect').length === countBefore + 2, 'second Connect');
    say('event-connected');
    await waitFor(() => h.of('connection').filter((e) => e.state === 'open').length === 2, 'open again');
    expect(h.of('ended')).toEqual([]);
  });

  it('backs off exponentially with jitter up to 30 s and never gives up', async () => {
    // A port with nobody listening: every attempt fails at once, over a real socket.
    const gone = await startScriptServer();
    const url = gone.url;
    await gone.close();
    const delays: number[] = [];
    const due: (() => void)[] = [];
    const clock: Clock = {
      now: () => Date.now(),
      setTimeout: (fn, ms) => {
        delays.push(ms);
        due.push(fn);
        return due.length;
      },
      clearTimeout: () => {},
    };
    const h = start({ server: url, ...SCRIPT_OPTIONS }, { clock }, { reconnectBaseMs: 1000, random: () => 1 });
    for (let attempt = 1; attempt <= 8; attempt++) {
      await waitFor(() => delays.length === attempt, `attempt ${attempt} scheduled`);
      due[attempt - 1]?.();
    }
    await waitFor(() => delays.length === 9, 'ninth attempt');
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(h.of('connection').filter((e) => e.state === 'reconnecting').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Full jitter (core/backoff.ts): with the lowest draw there is no wait at all.
    const low: number[] = [];
    const h2 = start({ server: url, ...SCRIPT_OPTIONS }, { clock: { ...clock, setTimeout: (_f, ms) => low.push(ms) } }, { reconnectBaseMs: 1000, random: () => 0 });
    await waitFor(() => low.length === 1, 'first low delay');
    expect(low).toEqual([0]);
    h2.transport.close();
  });
});

describe('WhosOn transport: no echo watchdog (issue 19)', () => {
  it('while the chat waits for an operator a Retry is not written twice (the server holds the echo); after the join it is', async () => {
    const h = await connected();
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    await h.next('accepted');
    const before = server.received.filter((c) => c.Command === 'Message').length;
    const messages = () => server.received.filter((c) => c.Command === 'Message').length - before;
    h.transport.send({ type: 'send', clientId: 'c1', text: 'held line' });
    await waitFor(() => messages() === 1, 'the Message');
    h.transport.send({ type: 'send', clientId: 'c1', text: 'held line' }); // Retry while waiting
    say('event-operatorjoined');
    await h.next('agent');
    expect(messages()).toBe(1);
    h.transport.send({ type: 'send', clientId: 'c1', text: 'held line' }); // Retry in the chat
    await waitFor(() => messages() === 2, 'the retried Message');
    line('linev', 'held line');
    expect((await h.next('message', (e) => e.message.sender === 'visitor')).message.clientId).toBe('c1');
  });

  it('a line with no echo never drops the socket or ends the chat; the transport sets no timer for it', async () => {
    const timers: number[] = [];
    const clock: Clock = {
      now: () => Date.now(),
      setTimeout: (fn, ms) => {
        timers.push(ms);
        return setTimeout(fn, Math.min(ms, 5));
      },
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    };
    const h = await connected({ clock }, { random: () => 0 });
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    say('event-accepted');
    await h.next('accepted');
    const before = timers.length;
    h.transport.send({ type: 'send', clientId: 'c1', text: 'anyone there?' });
    await waitFor(() => server.received.at(-1)?.Command === 'Message', 'Message');
    // The server holds the echo (no operator yet): nothing is scheduled, nothing drops.
    say('event-newline-linewaiting1');
    await h.next('waiting', (e) => e.kind === 'waiting');
    expect(timers.slice(before)).toEqual([]);
    expect(h.of('connection').map((e) => e.state)).toEqual(['connecting', 'open']);
    expect(h.of('ended')).toEqual([]);
    expect(h.sockets.at(-1)?.readyState).toBe(1);
  });
});
