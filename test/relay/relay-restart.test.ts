/**
 * A single-instance relay (memory store) restarted under a live widget: the relay has forgotten
 * the session, so the chat must end visibly ("could not be resumed", Start a new chat), the line
 * written meanwhile must show as not delivered (never sent into a new session), and a new chat
 * must work. Real relay, real Omnidesk simulator, the core session over real sockets.
 */
import { createServer, type AddressInfo } from 'node:net';
import { effect } from '@preact/signals-core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSession } from '../../src/core/session';
import type { MessageItem, NoticeItem, Session } from '../../src/core/session-api';
import { en } from '../../src/core/i18n';
import { startRelay, type RelayHandle } from '../../src/server/relay/server';
import { omnideskAdapterFor, startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { calls, ORIGIN, SECRET, waitFor } from './harness';

class OriginSocket extends WebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let sim: OmnideskSimulatorHandle | null = null;
let relay: RelayHandle | null = null;
let session: Session | null = null;
let unwatch: (() => void) | null = null;

afterEach(async () => {
  unwatch?.();
  unwatch = null;
  session?.destroy();
  await relay?.close();
  await sim?.close();
  session = relay = sim = null;
});

/** The relay as `npm run relay` runs it without REDIS_URL: sessions in this process's memory. */
async function stack() {
  const s = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  sim = s;
  const port = await freePort();
  const start = () =>
    startRelay({
      host: '127.0.0.1',
      port,
      hookSecret: SECRET,
      signingKey: 'test-signing-key',
      allowedOrigins: [ORIGIN],
      adapters: [omnideskAdapterFor(s, { retry: { attempts: 2, baseDelayMs: 20, timeoutMs: 2000 } })],
      drainMs: 100,
      log: () => undefined,
    });
  relay = await start();
  const chat = createSession({
    loadTransport: async () => (o) => createRelayTransport(o, { WebSocket: OriginSocket as unknown as WebSocketCtor }),
    transportOptions: { options: { vendor: 'omnidesk', relay: relay.url }, locale: 'en', pageUrl: `${ORIGIN}/`, referrer: '', userAgent: 'vitest' },
    storage: null,
    storageKey: 'relay-restart',
  });
  session = chat;
  const states: string[] = [];
  unwatch = effect(() => void states.push(chat.connection.value));
  return {
    chat,
    /** Every connection state the session went through, in order. */
    states,
    stop: () => relay!.close(),
    async start() {
      relay = await start();
    },
  };
}

const visitorLines = (s: Session) =>
  s.transcript.value.filter((i): i is MessageItem => i.kind === 'message' && i.sender === 'visitor');
const sentToOmnidesk = (text: string) =>
  calls(sim!, '/chat/notifyUserNewChatMessage').filter((m) => m.message === text).length;

describe('relay restarted (memory store)', () => {
  it('ends a chat the relay forgot, shows the line written meanwhile as not delivered, and a new chat works', async () => {
    const { chat, stop, start } = await stack();
    chat.open();
    await waitFor(() => chat.phase.value === 'prechat', 'prechat');
    chat.start({ name: 'Ann' });
    await waitFor(() => chat.phase.value === 'chatting', 'chatting', 8000);

    await stop();
    await waitFor(() => chat.connection.value === 'reconnecting', 'reconnecting');
    chat.send('are you still there?');
    await start();

    await waitFor(() => chat.phase.value === 'ended', 'the chat ends', 8000);
    expect(chat.endedBy.value).toBe('system');
    const notices = chat.transcript.value.filter((i): i is NoticeItem => i.kind === 'notice').map((n) => n.text);
    expect(notices).toContain(en['transport.chatLost']);
    expect(visitorLines(chat).map((l) => [l.text, l.status])).toEqual([['are you still there?', 'failed']]);
    expect(chat.error.value).toBeNull();

    // Never sent later, into a session with no chat (checked again below, once a later line
    // has gone through: a resend would have gone out before it).
    expect(sentToOmnidesk('are you still there?')).toBe(0);

    // "Start a new chat" works on the restarted relay.
    chat.newChat();
    await waitFor(() => chat.phase.value === 'prechat', 'prechat again');
    chat.start({ name: 'Ann' });
    await waitFor(() => chat.phase.value === 'chatting', 'chatting again', 8000);
    chat.send('hello again');
    await waitFor(() => visitorLines(chat).find((l) => l.text === 'hello again')?.status === 'sent', 'line delivered');
    expect(sentToOmnidesk('hello again')).toBe(1);
    expect(sentToOmnidesk('are you still there?')).toBe(0);
  });

  it('before a chat has begun, a fresh relay session is opened quietly and the visitor can start', async () => {
    const { chat, states, stop, start } = await stack();
    chat.open();
    await waitFor(() => chat.phase.value === 'prechat', 'prechat');
    await stop();
    await start();
    await waitFor(() => states.includes('reconnecting') && chat.connection.value === 'open', 'open on the restarted relay', 8000);
    expect(chat.phase.value).toBe('prechat');
    expect(chat.error.value).toBeNull();
    chat.start({ name: 'Ann' });
    await waitFor(() => chat.phase.value === 'chatting', 'chatting', 8000);
  });
});
