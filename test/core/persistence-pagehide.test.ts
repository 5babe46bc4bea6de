// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/core/persistence';
import { MemoryStorage, chatting, harness, settle } from './harness';

const KEY = 'confab:test:session';
const stored = (storage: MemoryStorage, id: string): boolean =>
  loadSnapshot(storage, KEY)?.transcript.some((i) => i.id === id) === true;

/** A chat with an agent line that arrived after the last throttled save. */
async function lineNotYetSaved() {
  const storage = new MemoryStorage();
  const h = harness({ storage });
  await chatting(h);
  await settle();
  h.transport.emit({ type: 'message', message: { id: 'late', sender: 'agent', text: 'Last words' } });
  await settle();
  expect(stored(storage, 'late')).toBe(false);
  return { storage, h };
}

describe('persistence when the page goes away', () => {
  it('writes what is pending at once when the page is left', async () => {
    const { storage, h } = await lineNotYetSaved();
    window.dispatchEvent(new Event('pagehide'));
    expect(stored(storage, 'late')).toBe(true);
    h.session.destroy();
  });

  it('writes what is pending when the tab is hidden', async () => {
    const { storage, h } = await lineNotYetSaved();
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(stored(storage, 'late')).toBe(true);
    h.session.destroy();
  });
});
