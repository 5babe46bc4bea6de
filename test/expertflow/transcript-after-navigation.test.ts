/**
 * The transcript is asked for by conversation id, and only once the chat has ended: a visitor
 * who changes pages after the end must still get it from the ended screen, through the session
 * (which persists the transport's resume token) and a new transport, as on a real page change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { createExpertFlowTransport } from '../../src/transports/expertflow/transport';
import { until } from './harness';

class MemoryStorage {
  private readonly data = new Map<string, string>();
  getItem = (key: string): string | null => this.data.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.data.set(key, value);
  removeItem = (key: string): void => void this.data.delete(key);
}

let sim: ExpertFlowSimulatorHandle;
let sessions: Session[] = [];
beforeAll(async () => {
  sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 } });
});
afterEach(() => {
  sessions.forEach((s) => s.destroy());
  sessions = [];
});
afterAll(() => sim.close());

/** One page of the site: a session on the tab's storage, with its own transport. */
function page(storage: MemoryStorage, saved: Array<{ pdf: Blob; name: string }> = []): Session {
  const session = createSession({
    loadTransport: async () => (o) => createExpertFlowTransport(o, { save: (pdf, name) => saved.push({ pdf, name }) }),
    transportOptions: { options: { server: sim.url }, locale: 'en', pageUrl: 'http://127.0.0.1/shop', referrer: '', userAgent: 'vitest' },
    storage,
    storageKey: 'confab:ef',
  });
  sessions.push(session);
  return session;
}

const frames = (name: string) => sim.received.filter((f) => f.name === name).length;

describe('ExpertFlow: the transcript after a page change once the chat has ended', () => {
  it('downloads the PDF and mails the transcript of the ended chat, without rejoining or starting one', async () => {
    const storage = new MemoryStorage();
    const first = page(storage);
    first.open();
    await until('pre-chat', () => first.phase.value === 'prechat');
    first.start({ name: 'Alice', email: 'alice@example.com' });
    await until('agent', () => first.phase.value === 'chatting');
    const chatId = [...sim.state.conversations.values()].at(-1)?.id ?? '';
    first.end();
    await until('ended on the server', () => sim.state.conversations.get(chatId)?.state === 'ended');
    first.destroy(); // the visitor follows a link

    const saved: Array<{ pdf: Blob; name: string }> = [];
    const second = page(storage, saved);
    second.open();
    await until('transport', () => second.capabilities.value.size > 0);
    expect(second.phase.value).toBe('ended');
    expect(second.capabilities.value.has('transcript-pdf')).toBe(true);
    expect(second.capabilities.value.has('transcript-email')).toBe(true);
    const joins = frames('joinConversation');
    const inits = frames('POST /api/customer/init');

    second.requestTranscript('pdf');
    await until('pdf', () => second.transcriptRequest.value !== 'pending' && second.transcriptRequest.value);
    expect(second.error.value).toBeNull();
    expect(second.transcriptRequest.value).toBe('done');
    expect(saved.map((s) => s.name)).toEqual([`transcript-${chatId}.pdf`]);

    second.requestTranscript('email');
    await until('email', () => sim.state.emails.length > 0);
    expect(sim.state.emails).toEqual([{ conversationId: chatId, to: 'alice@example.com' }]);
    expect(second.config.value?.transcriptEmailTo).toBe('alice@example.com');
    await until('email done', () => second.transcriptRequest.value === 'done');

    expect(frames('joinConversation')).toBe(joins);
    expect(frames('POST /api/customer/init')).toBe(inits);
  });

  it('does not offer the transcript when the chat ended before the server named its conversation', async () => {
    const storage = new MemoryStorage();
    const first = page(storage);
    first.open();
    await until('pre-chat', () => first.phase.value === 'prechat');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    sim.failNextInit(503);
    first.start({ name: 'Bob' });
    first.cancelWaiting(); // while the request is on its way, and it fails
    await until('failed start', () => first.error.value?.code === 'start-failed');
    expect(first.phase.value).toBe('ended');
    warn.mockRestore();
    first.destroy();

    const second = page(storage);
    second.open();
    await until('transport', () => second.capabilities.value.size > 0);
    expect(second.phase.value).toBe('ended');
    expect(second.capabilities.value.has('transcript-pdf')).toBe(false);
    expect(second.capabilities.value.has('transcript-email')).toBe(false);
  });
});
