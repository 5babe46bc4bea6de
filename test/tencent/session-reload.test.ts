/**
 * What the visitor sees after a reload of a Tencent chat: the session (with its saved
 * transcript) and the transport over a real socket to the desk simulator, page after page.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session, TranscriptItem } from '../../src/core/session-api';
import { closeSimulators, simulator, waitFor, memory, createTransport } from './harness';

afterAll(closeSimulators);
const sessions: Session[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.destroy()));

/** One browser tab: the same sessionStorage and localStorage from page to page. */
function tab(options: Record<string, string>) {
  const storage = memory();
  const durableStorage = memory();
  return {
    storage,
    page(): Session {
      const session = createSession({
        loadTransport: async () => createTransport,
        transportOptions: { options, locale: 'en', pageUrl: 'http://127.0.0.1/', referrer: '', userAgent: 'vitest' },
        storage,
        durableStorage,
        storageKey: 'confab-tencent',
      });
      sessions.push(session);
      return session;
    },
  };
}

const lines = (s: Session) =>
  s.transcript.value.map((i: TranscriptItem) => (i.kind === 'notice' ? `notice: ${i.text}` : i.kind === 'message' ? `${i.sender}: ${i.text ?? ''}` : i.kind));

/** Chat to the point `ready` says, wait until the tab has saved it, and leave the page. */
async function firstPage(t: ReturnType<typeof tab>, say: string, ready: (s: Session) => boolean, saved: string): Promise<string[]> {
  const s = t.page();
  s.open();
  await waitFor(() => s.phase.value === 'prechat', 'the pre-chat step');
  s.start({});
  await waitFor(() => s.transcript.value.some((i) => i.kind === 'branch'), 'the welcome branch');
  s.send(say);
  await waitFor(() => ready(s), 'the chat to get there', 8000);
  await waitFor(() => t.storage.dump().includes(saved), 'the page to be saved');
  const shown = lines(s);
  s.destroy();
  return shown;
}

describe('Tencent: reloading the page', () => {
  it('mid-chat with the human agent shows the same agent and no second "joined" line', async () => {
    const sim = await simulator();
    const t = tab(sim.options);
    const before = await firstPage(
      t,
      'human',
      (s) => s.transcript.value.some((i) => i.kind === 'message' && i.sender === 'agent'),
      'my name is Alex',
    );
    expect(before.filter((l) => l.endsWith('joined the chat'))).toEqual(['notice: Desk Assistant joined the chat', 'notice: Alex Morgan joined the chat']);

    const again = t.page();
    await waitFor(() => again.connection.value === 'open', 'the reloaded page to connect');
    await waitFor(() => lines(again).length === before.length && again.phase.value === 'chatting', 'the history replayed');
    expect(again.phase.value).toBe('chatting');
    expect(again.agent.value).toEqual({ name: 'Alex Morgan', isBot: false });
    expect(lines(again)).toEqual(before);
  });

  it('after the chat timed out shows its end marker once', async () => {
    const sim = await simulator();
    const t = tab(sim.options);
    const before = await firstPage(t, 'timeout', (s) => s.phase.value === 'ended', '"phase":"ended"');
    expect(before.filter((l) => /ended/.test(l))).toEqual(['notice: The chat ended after a period of inactivity']);

    const again = t.page();
    await waitFor(() => again.connection.value === 'open', 'the reloaded page to connect');
    await waitFor(() => lines(again).length === before.length && again.phase.value === 'ended', 'the history replayed');
    expect(again.phase.value).toBe('ended');
    expect(lines(again)).toEqual(before);
  });
});
