/**
 * Online help states driving the widget's session (the phases the UI renders), with the real
 * session core, the browser transport and the whole Diyalog stack over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TransportFactory } from '../../src/core/contract';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { startDiyalogWithRelay, type DiyalogStack } from '../../src/server/sandbox/diyalog-stack';
import { createDiyalogTransport } from '../../src/transports/diyalog/transport';
import { browserDeps, ORIGIN, waitFor } from './harness';

let fast: DiyalogStack;
let slow: DiyalogStack;
const sessions: Session[] = [];

beforeAll(async () => {
  [fast, slow] = await Promise.all([
    startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN }),
    startDiyalogWithRelay({ agent: { delayScale: 5 }, origin: ORIGIN }),
  ]);
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await Promise.all([fast?.close(), slow?.close()]);
});

function session(attributes: Record<string, string>): Session {
  const deps = browserDeps();
  const factory: TransportFactory = (o) => createDiyalogTransport(o, deps);
  const s = createSession({
    loadTransport: async () => factory,
    transportOptions: { options: { vendor: 'diyalog', ...attributes }, locale: 'en', pageUrl: `${ORIGIN}/`, referrer: '', userAgent: 'vitest' },
    storage: null,
    storageKey: 'confab-test',
  });
  sessions.push(s);
  s.open();
  return s;
}

describe('online help states drive the session', () => {
  it('NO_CHAT: closed until the visitor starts; STARTED (our wait screen): waiting with the wait text; Cancel: ended', async () => {
    const s = session(slow.attributes);
    await waitFor(() => s.phase.value === 'prechat', 'pre-chat step');
    s.start({});
    await waitFor(() => s.phase.value === 'waiting', 'wait screen');
    expect(s.wait.value.text).toBe(slow.attributes.waitText);
    expect(s.capabilities.value.has('cancel')).toBe(true);
    const before = slow.received.filter((r) => r.name === 'closeMessaging').length;
    s.cancelWaiting();
    expect(s.phase.value).toBe('ended');
    await waitFor(() => slow.received.filter((r) => r.name === 'closeMessaging').length > before, 'closeMessaging');
    expect(s.endedBy.value).toBe('visitor');
  });

  it('CHAT_INPROGRESS: chatting with the representative; CHAT_ENDED: ended', async () => {
    const s = session(fast.attributes);
    await waitFor(() => s.phase.value === 'prechat', 'pre-chat step');
    s.start({});
    await waitFor(() => s.phase.value === 'chatting', 'chatting');
    expect(s.agent.value?.name).toBe('Alex Morgan');
    s.send('goodbye');
    await waitFor(() => s.phase.value === 'ended', 'ended');
    expect(s.endedBy.value).toBe('agent');
    const mine = s.transcript.value.find((i) => i.kind === 'message' && i.sender === 'visitor');
    expect(mine).toMatchObject({ text: 'goodbye', status: 'sent' });
  });

  it('a failed handshake sends the visitor back to the pre-chat step with a retry', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const s = session({ ...fast.attributes, transactionUrl: `${fast.attributes.transactionUrl}-missing` });
    await waitFor(() => s.phase.value === 'prechat', 'pre-chat step');
    s.start({});
    await waitFor(() => s.error.value, 'error');
    expect(s.phase.value).toBe('prechat');
    expect(s.error.value).toMatchObject({ code: 'transaction-hash', retryable: true });
    vi.restoreAllMocks();
  });
});
