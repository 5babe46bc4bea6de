/**
 * Omnidesk is down when the visitor presses Start: the first message cannot be delivered. The
 * chat must not be half-started: the widget is told it may try again, and once Omnidesk is back
 * a second Start opens the chat with message #1.
 */
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { calls, ORIGIN, SECRET, startStack, visitor, waitFor } from '../relay/harness';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A relay whose Omnidesk is down (nothing listens on its port) until `up()` starts it there. */
async function omnideskDown(): Promise<{ relay: RelayHandle; up(): Promise<OmnideskSimulatorHandle> }> {
  const first = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  const port = Number(new URL(first.url).port);
  const relay = await startRelay({
    hookSecret: SECRET,
    signingKey: 'test-signing-key',
    allowedOrigins: [ORIGIN],
    adapters: [omnideskAdapterFor(first, { retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 } })],
    drainMs: 300,
    log: () => undefined,
  });
  await first.close(); // connections to its port are now refused
  cleanup.push(() => relay.close());
  return {
    relay,
    async up() {
      const sim = await startOmnideskSimulator({ port, agent: { delayScale: 0.02 } });
      cleanup.push(() => sim.close());
      return sim;
    },
  };
}

describe('Omnidesk down when the visitor starts a chat', () => {
  it('answers a retryable error, leaves the chat unstarted, and a second Start opens it with message #1', async () => {
    const { relay, up } = await omnideskDown();
    const v = visitor(relay.url);
    cleanup.push(async () => v.transport.close());
    await waitFor(() => v.of('config')[0], 'config');

    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    const error = await waitFor(() => v.of('error')[0], 'error', 8000);
    expect(error).toMatchObject({ code: 'upstream', fatal: false, retryable: true });
    expect(v.of('accepted')).toEqual([]);

    // Not started: a line is refused instead of going out as message #2 of a chat that does not exist.
    v.transport.send({ type: 'send', clientId: 'early', text: 'hello?' });
    await waitFor(() => v.of('error').find((e) => e.code === 'not-started'), 'not-started');

    const sim = await up();
    v.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    const accepted = await waitFor(() => v.of('accepted')[0], 'accepted after Omnidesk is back', 8000);
    await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting');
    const first = calls(sim, '/chat/notifyUserNewChatMessage');
    expect(first.map((m) => [m.chatSessionID, m.messageNumber])).toEqual([[String(accepted.chatId), 1]]);

    v.transport.send({ type: 'send', clientId: 'c1', text: 'are you there' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 'c1'), 'echo of c1');
    expect(calls(sim, '/chat/notifyUserNewChatMessage').map((m) => m.messageNumber)).toEqual([1, 2]);
  });

  it('sends the pre-chat chatbot log once when the Start is retried', async () => {
    // Omnidesk takes the chatbot log, then its message endpoint is unreachable (connection refused).
    const closed = await closedPort();
    let refuse = true;
    const fetchVia: typeof fetch = (input, init) =>
      refuse && String(input).endsWith('/chat/notifyUserNewChatMessage') ? fetch(`http://127.0.0.1:${closed}/`, init) : fetch(input, init);
    const stack = await startStack({}, fetchVia);
    cleanup.push(() => stack.close());
    const v = visitor(stack.relay.url);
    cleanup.push(async () => v.transport.close());
    const start = { type: 'start', visitor: { name: 'Bo', email: 'bo@example.com' }, answers: { question: 'Parcel?' } } as const;

    v.transport.send(start);
    await waitFor(() => v.of('error').find((e) => e.retryable), 'retryable error', 8000);
    expect(calls(stack.sim, '/message/chatbot')).toHaveLength(1);

    refuse = false;
    v.transport.send(start);
    await waitFor(() => v.of('accepted')[0], 'accepted', 8000);
    expect(calls(stack.sim, '/message/chatbot')).toHaveLength(1);
    const first = calls(stack.sim, '/chat/notifyUserNewChatMessage');
    expect(first.map((m) => m.messageNumber)).toEqual([1]);
    expect(String(first[0]!.message)).toContain('Parcel?');
  });

  it('the widget offers Start again instead of waiting for ever, and the retried Start opens the chat', async () => {
    const { relay, up } = await omnideskDown();
    class OriginSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin: ORIGIN });
      }
    }
    const session = createSession({
      loadTransport: async () => (o) => createRelayTransport(o, { WebSocket: OriginSocket as unknown as WebSocketCtor }),
      transportOptions: { options: { vendor: 'omnidesk', relay: relay.url }, locale: 'en', pageUrl: `${ORIGIN}/`, referrer: '', userAgent: 'vitest' },
      storage: null,
      storageKey: 'start-while-down',
    });
    cleanup.push(async () => session.destroy());
    session.open();
    await waitFor(() => session.phase.value === 'prechat', 'prechat');

    session.start({ name: 'Ann' });
    await waitFor(() => session.error.value?.retryable === true, 'a retryable error', 8000);
    expect(session.phase.value).toBe('prechat');

    await up();
    session.start({ name: 'Ann' });
    await waitFor(() => session.phase.value === 'chatting', 'chatting', 8000);
  });
});
