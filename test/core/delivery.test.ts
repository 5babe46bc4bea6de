import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLedger, sameText } from '../../src/core/delivery';
import { doubtToken, restoreDoubt } from '../../src/core/delivery-token';

describe('delivery ledger', () => {
  it('claims by client id, else by normalised text against the oldest unclaimed line', () => {
    const l = createLedger();
    l.add('a', 'yes', 1, undefined);
    l.add('b', 'yes', 2, undefined);
    l.add('c', 'no', 3, undefined);
    expect(l.claim({ id: 's1', text: ' yes\n' })?.clientId).toBe('a');
    expect(l.claim({ id: 's2', text: 'yes' })?.clientId).toBe('b');
    expect(l.claim({ id: 's3', text: 'yes' })).toBeUndefined();
    expect(l.claim({ id: 's4', clientId: 'c' })?.clientId).toBe('c');
    expect(l.inDoubt()).toEqual([]);
  });

  it('a vendor id seen before claims the same line again, never a newer one with that text', () => {
    const l = createLedger();
    l.add('a', 'hi', 1, undefined);
    expect(l.claim({ id: 'v1', text: 'hi' })?.clientId).toBe('a');
    l.add('b', 'hi', 2, undefined);
    // The history replays v1: it is still a's echo, and b waits for its own.
    expect(l.claim({ id: 'v1', text: 'hi' })?.clientId).toBe('a');
    expect(l.inDoubt().map((x) => x.clientId)).toEqual(['b']);
    // An echo nobody here sent, seen again, stays nobody's.
    expect(l.claim({ id: 'x', text: 'other' })).toBeUndefined();
    l.add('c', 'other', 3, undefined);
    expect(l.claim({ id: 'x', text: 'other' })).toBeUndefined();
  });

  it('prefers the line whose time equals the echo, and with a slack refuses echoes stamped too early', () => {
    const l = createLedger(2000);
    l.add('a', 'ok', 10_000, undefined);
    l.add('b', 'ok', 20_000, undefined);
    expect(l.claim({ text: 'ok', at: 20_000 })?.clientId).toBe('b');
    // Stamped 5 s before `a` went out: an earlier line with the same text, not `a`.
    expect(l.claim({ text: 'ok', at: 5_000 })).toBeUndefined();
    expect(l.claim({ text: 'ok', at: 9_000 })?.clientId).toBe('a');
  });

  it('matches files by name and lines by text, never one for the other', () => {
    const l = createLedger<{ url: string }>();
    l.add('f', 'a.png', 1, { url: 'u' }, true);
    l.add('t', 'a.png', 2, { url: '' });
    expect(l.claim({ text: 'a.png', file: true })?.clientId).toBe('f');
    expect(l.claim({ text: 'a.png' })?.clientId).toBe('t');
  });

  it('holds resends until history was read, and knows what was written on this connection', () => {
    const l = createLedger();
    l.reconnected();
    const a = l.add('a', 'one', 1, undefined);
    l.wrote(a);
    expect(a.wire).toBe(l.conn);
    l.reconnected();
    expect(a.wire).not.toBe(l.conn);
    a.wire = 0; // the session resent it: held until history is read
    l.add('b', 'two', 2, undefined); // never written: held too
    l.claim({ id: 'h1', text: 'two' }); // the history has b
    expect(l.historyRead().map((x) => x.clientId)).toEqual(['a']);
    expect(a.checked).toBe(true);
    l.wrote(a);
    expect(a.checked).toBe(false);
  });

  it('carries the lines in doubt through a resume token', () => {
    const l = createLedger();
    l.add('a', 'one', 1, undefined);
    l.add('b', 'two', 2, undefined);
    l.claim({ clientId: 'b' });
    const token = JSON.parse(JSON.stringify(doubtToken(l)));
    const next = createLedger();
    restoreDoubt(next, token);
    restoreDoubt(next, { bad: { text: 3 } });
    restoreDoubt(next, 'junk');
    expect(next.inDoubt().map((x) => [x.clientId, x.text, x.at])).toEqual([['a', 'one', 1]]);
    expect(next.claim({ id: 'z', text: 'one' })?.clientId).toBe('a');
  });

  it('property: every echo of a sent line claims exactly one line, each line at most once', () => {
    const text = fc.constantFrom('yes', 'no', ' yes ', 'a  b', 'a b');
    fc.assert(
      fc.property(fc.array(text, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (sent, order) => {
        const l = createLedger();
        sent.forEach((t, i) => l.add(`c${i}`, t, i, undefined));
        // Echo every line once, in some order, without client ids.
        const idx = sent.map((_, i) => i);
        for (let i = 0; i < order.length && idx.length > 1; i++) {
          const j = order[i]! % idx.length;
          [idx[0], idx[j]] = [idx[j]!, idx[0]!];
        }
        const claimed = new Set<string>();
        for (const i of idx) {
          const hit = l.claim({ id: `v${i}`, text: sent[i]! });
          expect(hit).toBeDefined();
          expect(sameText(hit!.text)).toBe(sameText(sent[i]!));
          expect(claimed.has(hit!.clientId)).toBe(false);
          claimed.add(hit!.clientId);
          // The same echo again claims the same line.
          expect(l.claim({ id: `v${i}`, text: sent[i]! })).toBe(hit);
        }
        expect(l.inDoubt()).toEqual([]);
      }),
    );
  });
});
