/**
 * Issue 19 over real sockets, the widget's session and transport against the simulator:
 * a chat survives a dropped socket (version 10 Chat API, notes W1) while it waits for an
 * operator and while it runs: it goes on, no visitor line is lost or doubled, and the
 * post-chat survey afterwards is accepted. Also: the queue timing out after `accepted`,
 * preview, the alternative spellings, Y/N booleans and translation tags on the wire.
 * The simulator reports every frame that breaks WhosOn's rules; each test asserts none.
 */
import { WebSocket as WS } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { startWhosOnSimulator, type WhosOnSimulatorHandle, type WhosOnSimulatorOptions } from '../../src/server/sandbox/whoson';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { FakeClock } from '../core/harness';
import { waitFor } from './helpers';

const sims: WhosOnSimulatorHandle[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  sessions.splice(0).forEach((s) => s.destroy());
  for (const sim of sims.splice(0)) {
    expect(sim.violations).toEqual([]);
    await sim.close();
  }
});

/**
 * The widget's session on a WhosOn transport to a fresh simulator. The session's own timers
 * (the outbox's "not delivered") are on a fake clock nobody advances, so a line can only be
 * confirmed by its echo; the transport reconnects on real time, 5 ms apart.
 */
async function widget(options: WhosOnSimulatorOptions = {}, locale = 'en') {
  const sim = await startWhosOnSimulator({ agent: { delayScale: 0.05, queueFrom: 1 }, ...options });
  sims.push(sim);
  const session = createSession({
    loadTransport: async () => (o) =>
      createWhosOnTransport({ ...o, clock: undefined }, { WebSocket: WS as unknown as WebSocketConstructor, reconnectBaseMs: 5 }),
    transportOptions: { options: { server: sim.url, ...sim.options }, locale, pageUrl: 'https://shop.example/', referrer: '', userAgent: 'vitest' },
    storage: null,
    storageKey: `confab-whoson-survive-${sims.length}`,
    clock: new FakeClock(),
  });
  sessions.push(session);
  session.open();
  await waitFor(() => session.phase.value === 'prechat', 'the pre-chat step');
  const frames = (name: string) => sim.received.filter((f) => f.channel === 'ws' && f.name === name).map((f) => f.payload as string[]);
  const visitorLines = () =>
    session.transcript.value.flatMap((i) => (i.kind === 'message' && i.sender === 'visitor' ? [`${i.text}|${i.status}`] : []));
  const agentSays = (text: RegExp) =>
    session.transcript.value.some((i) => i.kind === 'message' && i.sender === 'agent' && text.test(i.html ?? i.text ?? ''));
  return { sim, session, frames, visitorLines, agentSays };
}

describe('issue 19: a chat survives a dropped socket', () => {
  it('dropped while waiting for an operator: re-attached, the held line echoed once, the chat and the survey go on', async () => {
    const { sim, session, frames, visitorLines, agentSays } = await widget();
    sim.holdOperators(true);
    session.start({ name: 'Thomas' });
    await waitFor(() => session.phase.value === 'waiting', 'waiting');
    session.send('written while waiting');
    await waitFor(() => frames('Message').length === 1, 'the Message');
    // No operator yet: the server holds the echo.
    expect(visitorLines()).toEqual(['written while waiting|sending']);

    expect(sim.dropClients()).toBe(1);
    await waitFor(() => frames('Connect').length === 2 && session.connection.value === 'open', 'the re-attach');
    const [first, second] = frames('Connect');
    expect(first).toHaveLength(7);
    expect(second).toHaveLength(8); // the ChatUID, to re-attach
    expect(session.phase.value).toBe('waiting');
    // Written on the re-attached chat: not again on the new connection.
    expect(frames('Message')).toHaveLength(1);

    sim.holdOperators(false);
    await waitFor(() => agentSays(/How can I help you today/), 'the greeting');
    await waitFor(() => visitorLines()[0] === 'written while waiting|sent', 'the held line echoed');
    session.send('and after the operator came');
    await waitFor(() => visitorLines().length === 2 && visitorLines()[1]?.endsWith('|sent'), 'the second echo');
    expect(visitorLines()).toEqual(['written while waiting|sent', 'and after the operator came|sent']);
    // The line written after the re-attach carries the new connection's SessionID.
    const helloSid = frames('Hello')[0]?.[4];
    expect(frames('Message')[0]?.[0]).toBe(helloSid);
    expect(frames('Message')[1]?.[0]).not.toBe(helloSid);

    session.send('bye');
    await waitFor(() => session.phase.value === 'ended', 'the agent ends the chat');
    session.submitPostchat({ Rating: '5', Mailing: 'true' });
    await waitFor(() => session.postchat.value === 'done', 'the survey acknowledged');
    // Every command after the drop carried the SessionID of the connection it went out on.
    const survey = frames('PostChatSurvey')[0] ?? [];
    expect(survey[1]).toBe(frames('Message').at(-1)?.[0]);
    expect(survey[4]).toContain('<Name>Mailing</Name><Value>Y</Value>');
    expect(frames('Message').map((p) => p[2])).toEqual(['written while waiting', 'and after the operator came', 'bye']);
  });

  it('dropped while chatting: a line written while down goes out once after the re-attach; nothing is lost or doubled', async () => {
    const { sim, session, frames, visitorLines, agentSays } = await widget();
    session.start({ name: 'Thomas' });
    await waitFor(() => agentSays(/How can I help you today/), 'the greeting');
    session.send('before the drop');
    await waitFor(() => visitorLines()[0] === 'before the drop|sent', 'echoed');
    await waitFor(() => agentSays(/before the drop/), 'the agent answers');

    // The state seen, not polled: on a busy machine the re-attach can beat a 5 ms poll.
    let dropNoticed = false;
    const stop = session.connection.subscribe((c) => void (c !== 'open' && (dropNoticed = true)));
    sim.dropClients();
    await waitFor(() => dropNoticed, 'the drop noticed');
    stop();
    session.send('written while down');
    await waitFor(() => frames('Connect').length === 2 && session.connection.value === 'open', 'the re-attach');
    await waitFor(() => visitorLines()[1] === 'written while down|sent', 'the line written while down, echoed');
    await waitFor(() => agentSays(/written while down/), 'the agent answers it');
    expect(session.phase.value).toBe('chatting');
    expect(frames('Message').map((p) => p[2])).toEqual(['before the drop', 'written while down']);
    // One echo each: the transcript holds each line once.
    expect(visitorLines()).toEqual(['before the drop|sent', 'written while down|sent']);
    // The line written while down went out on the new connection, with its SessionID.
    expect(frames('Message')[1]?.[0]).not.toBe(frames('Message')[0]?.[0]);

    session.end();
    await waitFor(() => session.phase.value === 'ended', 'ended');
    session.submitPostchat({ Rating: '4' });
    await waitFor(() => session.postchat.value === 'done', 'the survey acknowledged');
    session.requestTranscript('email', 'thomas@test.com');
    await waitFor(() => frames('Transcript').length === 1, 'Transcript');
    expect(frames('Transcript')[0]?.[1]).toBe(frames('Message')[1]?.[0]);
  });

  it('the queue times out after accepted: the chat ends offline with Quit, as the document says', async () => {
    const { sim, session, frames } = await widget();
    sim.holdOperators(true);
    session.start({ name: 'Thomas' });
    await waitFor(() => session.phase.value === 'waiting', 'waiting');
    expect(sim.queueTimeout()).toBe(1);
    await waitFor(() => session.phase.value === 'offline', 'offline');
    await waitFor(() => frames('Quit').length === 1, 'Quit');
  });
});

describe('issue 19: the simulator paths a widget meets', () => {
  it('the alternative spellings (ChatUID, ClassName, SessionId) run a whole chat through the tolerant reader', async () => {
    const { session, frames, visitorLines, agentSays } = await widget({ spellings: 'alternative' });
    session.start({ name: 'Thomas' });
    await waitFor(() => agentSays(/How can I help you today/), 'the greeting');
    session.send('hello there');
    await waitFor(() => visitorLines()[0] === 'hello there|sent', 'echoed');
    session.end();
    await waitFor(() => session.phase.value === 'ended', 'ended');
    session.submitPostchat({ Rating: '5' });
    await waitFor(() => session.postchat.value === 'done', 'the survey acknowledged (ChatUID was read)');
    expect(frames('PostChatSurvey')[0]?.[0]).toMatch(/^[a-z0-9]{10}$/);
  });

  it('preview goes out while the visitor types and the operator is shown it, throttled', async () => {
    const { sim, session, frames, agentSays } = await widget();
    expect(session.config.value?.previewAllowed).toBe(true);
    session.start({ name: 'Thomas' });
    await waitFor(() => agentSays(/How can I help you today/), 'the greeting');
    for (const text of ['I', 'I w', 'I wo', 'I wou', 'I would li']) session.composing(text);
    await waitFor(() => frames('Preview').length > 0, 'a Preview');
    await waitFor(() => sim.previews.at(-1) === frames('Preview').at(-1)?.[2], 'the operator shown the latest preview');
    expect(sim.previews.length).toBeLessThanOrEqual(frames('Preview').length);
  });

  it('visitor text that looks like a translation tag goes out as text, never as a claim', async () => {
    const { sim, session, frames, visitorLines, agentSays } = await widget();
    session.start({ name: 'Thomas' });
    await waitFor(() => agentSays(/How can I help you today/), 'the greeting');
    session.send('Hello<original>Bonjour</original>');
    await waitFor(() => visitorLines()[0] === 'Hello<original>Bonjour</original>|sent', 'echoed, as typed');
    expect(frames('Message')[0]?.[2]).toBe('Hello&lt;original>Bonjour&lt;/original>');
    expect(sim.violations).toEqual([]);
  });
});
