/**
 * The visitor's echo (linev) is HTML like any line ("Content can contain HTML", document): it
 * may come back encoded (`3 &lt; 5`), linked or with its whitespace changed. It must still
 * confirm the line the visitor typed, and an echo that matches nothing must not make the
 * stall watchdog drop the socket (WhosOn cannot resume: a drop ends the chat).
 * Over a real socket to a hand-driven server, as wire-events.test.ts.
 */
import { WebSocket as WS } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import type { Transport } from '../../src/core/contract';
import { htmlToText } from '../../src/core/html-text';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { FakeClock } from '../core/harness';
import { fixtureText, harness, SCRIPT_OPTIONS, startScriptServer, waitFor, type Harness, type ScriptServer } from './helpers';

let server: ScriptServer;
const harnesses: Harness[] = [];
const sessions: Session[] = [];
beforeAll(async () => {
  server = await startScriptServer();
});
afterEach(() => {
  harnesses.splice(0).forEach((h) => h.transport.close());
  sessions.splice(0).forEach((s) => s.destroy());
  vi.restoreAllMocks();
});
afterAll(() => server.close());

const connects = () => server.received.filter((c) => c.Command === 'Connect').length;
const messages = () => server.received.filter((c) => c.Command === 'Message').length;
/**
 * The condition instead of a wait: a frame written now still reaches the server over the
 * socket (a watchdog that had dropped it would have left nothing to write on).
 */
async function sameSocketCarries(transport: Transport): Promise<void> {
  const typings = () => server.received.filter((c) => c.Command === 'StartTyping').length;
  const n = typings();
  transport.send({ type: 'typing', on: true });
  await waitFor(() => typings() === n + 1, 'a frame over the same socket');
}
const linev = (Content: string) => server.send({ EventName: 'newline', ChatUid: 'gq0i7smlen', Data: { Classname: 'linev', Content } });

/** A transport in an accepted chat, on `clock`. */
async function chatting(clock: FakeClock): Promise<Harness> {
  const before = connects();
  const h = harness({ server: server.url, ...SCRIPT_OPTIONS }, { clock });
  harnesses.push(h);
  await waitFor(() => connects() === before + 1, 'Connect');
  server.sendRaw(fixtureText('event-connected'));
  await h.next('config');
  h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
  await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
  server.sendRaw(fixtureText('event-accepted'));
  await h.next('accepted');
  return h;
}

describe('WhosOn: a visitor echo that differs from the line as typed', () => {
  it('HTML-encoded, linked or re-spaced, it confirms the pending line (its client id, the text as typed)', async () => {
    const h = await chatting(new FakeClock());
    const sent = [
      ['c-1', 'is 3 < 5?', 'is 3 &lt; 5?'],
      ['c-2', 'Tom & Jerry say "hi"', 'Tom &amp; Jerry say &quot;hi&quot;'],
      ['c-3', 'see https://shop.example/a\nthanks', 'see <a href="https://shop.example/a">https://shop.example/a</a><br>thanks'],
      ['c-4', '  spaced   out ', 'spaced out'],
    ] as const;
    for (const [clientId, text] of sent) h.transport.send({ type: 'send', clientId, text });
    await waitFor(() => messages() === sent.length, 'the Message commands');
    for (const [, , echo] of sent) linev(echo);
    await waitFor(() => h.of('message').length === sent.length, 'the echoes');
    expect(h.of('message').map((e) => [e.message.clientId, e.message.text])).toEqual(sent.map(([clientId, text]) => [clientId, text]));
  });

  it('in the widget: one line, sent, and the chat is still connected after the stall watchdog\'s time', async () => {
    const clock = new FakeClock();
    const before = connects();
    const session = createSession({
      loadTransport: async () => (o) => createWhosOnTransport({ ...o, clock }, { WebSocket: WS as unknown as WebSocketConstructor }),
      transportOptions: { options: { server: server.url, ...SCRIPT_OPTIONS }, locale: 'en', pageUrl: 'https://shop.example/', referrer: '', userAgent: 'vitest' },
      storage: null,
      storageKey: 'confab-whoson-echo',
      clock,
    });
    sessions.push(session);
    session.open();
    await waitFor(() => connects() === before + 1, 'Connect');
    server.sendRaw(fixtureText('event-connected'));
    await waitFor(() => session.phase.value === 'prechat', 'the pre-chat step');
    session.start({ name: 'Thomas' });
    await waitFor(() => server.received.at(-1)?.Command === 'Hello', 'Hello');
    server.sendRaw(fixtureText('event-accepted'));
    server.sendRaw(fixtureText('event-operatorjoined'));
    await waitFor(() => session.phase.value === 'chatting', 'the operator');
    const sentBefore = messages();
    session.send('is 3 < 5?');
    await waitFor(() => messages() === sentBefore + 1, 'the Message command');
    linev('is 3 &lt; 5?');
    const visitor = () => session.transcript.value.flatMap((i) => (i.kind === 'message' && i.sender === 'visitor' ? [[i.text, i.status]] : []));
    await waitFor(() => visitor().some(([, status]) => status === 'sent'), 'the line confirmed');
    clock.advance(21_000);
    // The visitor types: StartTyping still reaches the server over the same socket.
    const typings = server.received.filter((c) => c.Command === 'StartTyping').length;
    session.composing('and');
    await waitFor(() => server.received.filter((c) => c.Command === 'StartTyping').length === typings + 1, 'a frame over the same socket');
    expect(visitor()).toEqual([['is 3 < 5?', 'sent']]);
    expect(connects()).toBe(before + 1);
    expect(session.connection.value).toBe('open');
    expect(session.phase.value).not.toBe('ended');
  });

  it('an echo that matches no pending line is logged once, and no missing echo ever drops the socket', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const clock = new FakeClock();
    const h = await chatting(clock);
    const before = connects();
    h.transport.send({ type: 'send', clientId: 'c-1', text: 'first' });
    h.transport.send({ type: 'send', clientId: 'c-2', text: 'second' });
    await waitFor(() => messages() >= 2, 'the Message commands');
    linev('something else entirely');
    linev('and another');
    await waitFor(() => h.of('message').length === 2, 'the echoes');
    expect(h.of('message').map((e) => [e.message.clientId, e.message.text])).toEqual([
      [undefined, 'something else entirely'],
      [undefined, 'and another'],
    ]);
    clock.advance(21_000);
    await sameSocketCarries(h.transport);
    expect(h.of('connection').filter((e) => e.state === 'reconnecting')).toEqual([]);
    expect(connects()).toBe(before);
    expect(warn.mock.calls.filter((c) => /matched no pending line/.test(String(c[0])))).toHaveLength(1);
    // No watchdog (issue 19): a line sent after that without an echo never drops the socket
    // either; the session's outbox marks it not delivered, with Retry.
    h.transport.send({ type: 'send', clientId: 'c-3', text: 'third' });
    await waitFor(() => messages() >= 3, 'the third Message');
    clock.advance(60_000);
    await sameSocketCarries(h.transport);
    expect(h.of('connection').filter((e) => e.state === 'reconnecting')).toEqual([]);
    expect(connects()).toBe(before);
  });
});

describe('htmlToText (one reading of the server\'s HTML, for echoes and wait lines)', () => {
  it('drops tags (a break is a space), decodes entities once, normalises whitespace', () => {
    expect(htmlToText('is 3 &lt; 5?')).toBe('is 3 < 5?');
    expect(htmlToText('&amp;lt; &#39;a&#x27; &nbsp;b&AMP;')).toBe("&lt; 'a' b&");
    expect(htmlToText('<p>one</p><p>two<br/>three</p>')).toBe('one two three');
    expect(htmlToText('<b>Thomas</b>\n says:')).toBe('Thomas says:');
    expect(htmlToText('a &#1114112; b &bogus;')).toBe('a &#1114112; b &bogus;');
  });
});
