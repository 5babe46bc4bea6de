import { effect } from '@preact/signals-core';
import { describe, expect, it } from 'vitest';
import { AGENT_TYPING_TIMEOUT_MS, SAVE_INTERVAL_MS } from '../../src/core/session';
import { chatting, harness, settle } from './harness';

describe('a long transcript', () => {
  it('appends the 10,001st line in place, without copying the 10,000 before it, and readers still hear of it', async () => {
    const h = harness();
    await chatting(h);
    for (let i = 0; i < 10_000; i++) {
      h.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `line ${i}` } });
    }
    const before = h.session.transcript.value;
    const length = before.length;
    const seenLengths: number[] = [];
    const stop = effect(() => void seenLengths.push(h.session.transcript.value.length));
    h.transport.emit({ type: 'message', message: { id: 'last', sender: 'agent', text: 'And one more' } });
    stop();
    expect(h.session.transcript.value).toBe(before);
    expect(before).toHaveLength(length + 1);
    expect(before.at(-1)).toMatchObject({ id: 'last', text: 'And one more' });
    expect(seenLengths).toEqual([length, length + 1]);
  });

  it('finds the line an echo, a status change or a translation refers to among 10,000 others', async () => {
    const h = harness();
    await chatting(h);
    const clientId = h.session.send('Where is my order?');
    for (let i = 0; i < 10_000; i++) {
      h.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `line ${i}` } });
    }
    h.transport.emit({ type: 'message', message: { id: 'v1', sender: 'visitor', text: 'Where is my order?', clientId } });
    h.transport.emit({ type: 'message', message: { id: 't1', sender: 'agent', text: 'Hat 5', translationOf: 'm5' } });
    h.transport.emit({ type: 'message', message: { id: 'm7', sender: 'agent', text: 'line 7 again' } });
    const items = h.session.transcript.value;
    const mine = items.find((i) => i.kind === 'message' && i.clientId === clientId);
    expect(mine).toMatchObject({ status: 'sent', text: 'Where is my order?' });
    expect(items.find((i) => i.id === 'm5')).toMatchObject({ translations: ['Hat 5'] });
    expect(items.filter((i) => i.id === 'm7')).toHaveLength(1);
  });

  it('starts a new chat with an empty transcript that grows again', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'a', sender: 'agent', text: 'Hi' } });
    h.session.end();
    h.session.newChat();
    expect(h.session.transcript.value).toEqual([]);
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'a2', sender: 'agent', text: 'Hello again' } });
    expect(h.session.transcript.value.map((i) => i.id)).toContain('a2');
    expect(h.session.transcript.value.some((i) => i.id === 'a')).toBe(false);
  });

  it('writes a busy chat to storage a bounded number of times and leaves no timer behind', async () => {
    const h = harness();
    let writes = 0;
    const setItem = h.storage.setItem.bind(h.storage);
    h.storage.setItem = (k, v) => {
      writes += 1;
      setItem(k, v);
    };
    await chatting(h);
    await settle();
    const before = writes;
    // 200 lines over 2 seconds, each in a task of its own.
    for (let i = 0; i < 200; i++) {
      h.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `line ${i}` } });
      await settle();
      h.clock.advance(10);
    }
    h.clock.advance(SAVE_INTERVAL_MS);
    expect(writes - before).toBeLessThanOrEqual(2000 / SAVE_INTERVAL_MS + 2);
    expect(writes - before).toBeGreaterThan(0);
    h.clock.advance(AGENT_TYPING_TIMEOUT_MS);
    expect(h.clock.pending).toBe(0);
  });
});
