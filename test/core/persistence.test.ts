import { describe, expect, it } from 'vitest';
import type { Capability } from '../../src/core/contract';
import { ALL_CAPABILITIES, FakeClock, MemoryStorage, chatting, harness, lines, settle } from './harness';
import { loadSnapshot } from '../../src/core/persistence';
import { MAX_STORED_ITEMS, SAVE_INTERVAL_MS } from '../../src/core/session';

const KEY = 'confab:test';

/** A chat in progress, saved to storage, as a previous page left it. */
async function previousPage(storage: MemoryStorage, clock: FakeClock): Promise<{ pendingId: string }> {
  const h = harness({ storage, clock });
  await chatting(h);
  h.transport.emit({ type: 'resume', token: { chatUid: 'gq0i7smlen', n: 3 } });
  h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'How can I help?' } });
  const sentId = h.session.send('My order is late');
  h.transport.emit({ type: 'message', message: { id: 'v1', sender: 'visitor', text: 'x', clientId: sentId } });
  const pendingId = h.session.send('Order 42');
  await settle();
  h.session.destroy();
  return { pendingId };
}

function nextPage(storage: MemoryStorage, clock: FakeClock, capabilities: Capability[]) {
  return harness({ storage, clock, capabilities });
}

describe('persistence across page navigations', () => {
  it('writes nothing to either storage until the visitor opens the chat', async () => {
    const storage = new MemoryStorage();
    const durable = new MemoryStorage();
    const h = harness({ storage, durableStorage: durable });
    h.session.identify({ name: 'Sam' });
    await settle();
    expect([storage.data.size, durable.data.size]).toEqual([0, 0]);
    h.session.open();
    await settle();
    expect(storage.data.size).toBe(1);
    expect(durable.data.size).toBe(1); // the visitor id, made for the first connection
    h.session.destroy();
  });

  it('saves the session after changes: the first burst at the end of its task, later ones at most once per interval', async () => {
    const storage = new MemoryStorage();
    let writes = 0;
    const counting = {
      getItem: (k: string) => storage.getItem(k),
      setItem: (k: string, v: string) => {
        writes += 1;
        storage.setItem(k, v);
      },
      removeItem: (k: string) => storage.removeItem(k),
    };
    const h = harness({ storage: counting });
    await chatting(h);
    await settle();
    const before = writes;
    for (let i = 0; i < 5; i++) {
      h.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `line ${i}` } });
    }
    expect(writes).toBe(before);
    await settle();
    // The chat's opening changes were written moments ago: this burst waits for the interval.
    expect(writes).toBe(before);
    h.clock.advance(SAVE_INTERVAL_MS);
    expect(writes).toBe(before + 1);
    h.clock.advance(SAVE_INTERVAL_MS * 4);
    expect(writes).toBe(before + 1);
    const snap = loadSnapshot(storage, `${KEY}:session`);
    expect(snap?.phase).toBe('chatting');
    expect(snap?.transcript.filter((i) => i.kind === 'message')).toHaveLength(5);
  });

  it('restores a chat in progress and resumes it at once when the transport can resume', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const { pendingId } = await previousPage(storage, clock);
    const h = nextPage(storage, clock, ALL_CAPABILITIES);
    expect(h.session.phase.value).toBe('chatting');
    expect(h.session.agent.value?.name).toBe('Alex Morgan');
    expect(h.session.visitor.value.name).toBe('Sam');
    expect(lines(h.session).filter((l) => !l.startsWith('notice:'))).toEqual([
      'agent:How can I help?',
      'visitor:My order is late [sent]',
      'visitor:Order 42 [sending]',
    ]);
    await settle();
    expect(h.loads).toBe(1);
    expect(h.transport.options.resume).toEqual({ chatUid: 'gq0i7smlen', n: 3 });
    h.transport.emit({ type: 'connection', state: 'open' });
    // The unconfirmed line goes out on the resumed connection, once.
    expect(h.transport.sent('send')).toEqual([{ type: 'send', clientId: pendingId, text: 'Order 42' }]);
    // Re-delivered history and a repeated join do not duplicate anything.
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'How can I help?' } });
    h.transport.emit({ type: 'agent', action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    expect(lines(h.session).filter((l) => l === 'agent:How can I help?')).toHaveLength(1);
    expect(lines(h.session).filter((l) => l.includes('joined'))).toHaveLength(1);
    expect(h.session.phase.value).toBe('chatting');
  });

  it('ends a restored chat by system with a notice when the transport cannot resume', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    await previousPage(storage, clock);
    const h = nextPage(storage, clock, ['typing', 'end']);
    await settle();
    expect(h.session.phase.value).toBe('ended');
    expect(h.session.endedBy.value).toBe('system');
    expect(lines(h.session)).toContain('notice:The connection was closed when the page changed');
    expect(lines(h.session)).toContain('visitor:Order 42 [failed]');
    h.transport.emit({ type: 'connection', state: 'open' });
    expect(h.transport.sent('send')).toEqual([]);
  });

  it('does not connect a restored session that is not active until the window opens', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const first = harness({ storage, clock });
    await chatting(first);
    first.session.end();
    first.session.close();
    await settle();
    first.session.destroy();
    const h = harness({ storage, clock });
    await settle();
    expect(h.session.phase.value).toBe('ended');
    expect(h.loads).toBe(0);
    h.session.open();
    await settle();
    expect(h.loads).toBe(1);
    expect(h.transport.options.resume).toBeUndefined();
  });

  it('never crashes when storage throws (private mode, quota)', async () => {
    const throwing = {
      getItem: (): string | null => {
        throw new Error('SecurityError');
      },
      setItem: (): void => {
        throw new Error('QuotaExceededError');
      },
      removeItem: (): void => {
        throw new Error('SecurityError');
      },
    };
    const h = harness({ storage: throwing, durableStorage: throwing });
    await chatting(h);
    h.session.send('still works');
    await settle();
    expect(lines(h.session).at(-1)).toBe('visitor:still works [sending]');
    expect(h.transport.options.visitorId).toMatch(/^[\w-]{8,}$/);
  });

  it('keeps the chat resumable without the transcript when the full snapshot exceeds the quota', async () => {
    const storage = new MemoryStorage();
    const small = {
      getItem: (k: string) => storage.getItem(k),
      setItem: (k: string, v: string) => {
        if (v.length > 2000) throw new Error('QuotaExceededError');
        storage.setItem(k, v);
      },
      removeItem: (k: string) => storage.removeItem(k),
    };
    const h = harness({ storage: small });
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'big', sender: 'agent', text: 'x'.repeat(3000) } });
    await settle();
    h.clock.advance(SAVE_INTERVAL_MS);
    const snap = loadSnapshot(storage, `${KEY}:session`);
    expect(snap?.phase).toBe('chatting');
    expect(snap?.transcript).toEqual([]);
  });

  it('ignores a corrupt snapshot', () => {
    const storage = new MemoryStorage();
    storage.setItem(`${KEY}:session`, '{"v":1,"phase":"hacked"');
    const h = harness({ storage });
    expect(h.session.phase.value).toBe('closed');
    storage.setItem(`${KEY}:session`, JSON.stringify({ v: 1, phase: 'weird', transcript: [] }));
    expect(harness({ storage }).session.phase.value).toBe('closed');
  });

  it('keeps one visitor id in durable storage across sessions', async () => {
    const durable = new MemoryStorage();
    const a = harness({ durableStorage: durable });
    a.session.open();
    await settle();
    const b = harness({ durableStorage: durable });
    b.session.open();
    await settle();
    expect(a.transport.options.visitorId).toBe(b.transport.options.visitorId);
    expect(durable.getItem(`${KEY}:visitor`)).toBe(a.transport.options.visitorId);
  });

  it('persists nothing with null storage', async () => {
    const h = harness({ storage: null });
    await chatting(h);
    await settle();
    expect(h.storage.data.size).toBe(0);
  });

  it('keeps only the newest lines across pages and says earlier ones were not kept', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const first = harness({ storage, clock });
    await chatting(first);
    const total = MAX_STORED_ITEMS + 300;
    for (let i = 0; i < total; i++) {
      first.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `line ${i}` } });
    }
    clock.advance(SAVE_INTERVAL_MS);
    first.session.destroy();
    const snap = loadSnapshot(storage, `${KEY}:session`);
    expect(snap?.transcript).toHaveLength(MAX_STORED_ITEMS);
    expect(snap?.transcript.at(-1)?.id).toBe(`m${total - 1}`);
    expect(Object.keys(snap?.seen ?? {})).not.toContain('m0');

    const next = harness({ storage, clock });
    const shown = next.session.transcript.value;
    expect(shown[0]).toMatchObject({ kind: 'notice', text: 'Earlier messages are not kept when you change pages' });
    expect(shown).toHaveLength(MAX_STORED_ITEMS + 1);
    expect(shown.at(-1)?.id).toBe(`m${total - 1}`);
    // Saved again, the notice is not stored as a line, and it is shown once on the page after.
    await settle();
    next.session.open();
    await settle();
    clock.advance(SAVE_INTERVAL_MS);
    next.session.destroy();
    const third = harness({ storage, clock });
    expect(third.session.transcript.value.filter((i) => i.kind === 'notice' && i.text.startsWith('Earlier'))).toHaveLength(1);
    third.session.destroy();
  });
});
