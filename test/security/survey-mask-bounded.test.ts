/**
 * Issue 15, row 13 (low): the survey mask `(\d?\d?)+` passed the guard and took 9.4 s on 22
 * characters in the visitor's tab. Masks now run on a bounded matcher (a Pike VM over a
 * Thompson NFA, src/core/mask-matcher.ts) with a step budget: the work is counted in steps,
 * never timed, and stays within (length + 1) × program size. No backtracking engine runs a
 * server mask any more; what the matcher cannot read is ignored with a warning.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { compileNfa, runNfa } from '../../src/core/mask-matcher';
import { loadMasks, validate } from '../../src/core/survey';
import { compileMask } from '../../src/core/survey-mask';

// The mask matcher is a lazy chunk; validate() refuses masked values until it is loaded.
beforeAll(loadMasks);

const field = (mask: string): SurveyField => ({ name: 'f', type: 'text', label: 'F', required: true, mask });

describe('issue 15 row 13: a survey mask cannot freeze the tab', () => {
  const ROW13 = '(\\d?\\d?)+';

  it('row 13: (\\d?\\d?)+ is enforced (not skipped) on the bounded matcher', () => {
    expect(compileMask(ROW13)).not.toBeNull();
    expect(validate(field(ROW13), '1'.repeat(22))).toBeNull();
    expect(validate(field(ROW13), `${'1'.repeat(21)}x`)).toBe('The value is not in the expected format');
  });

  it('row 13: the 22-character value and a 4,000-character one cost steps linear in their length', () => {
    const nfa = compileNfa(ROW13);
    if (!nfa) throw new Error('not compiled');
    const size = nfa.ops.length;
    for (const n of [22, 220, 4000]) {
      const r = runNfa(nfa, `${'1'.repeat(n)}x`);
      expect(r.matched).toBe(false);
      // Each position visits each instruction at most once, plus one test per live thread.
      expect(r.steps).toBeLessThanOrEqual(2 * (n + 2) * size);
    }
  });

  it.each([
    ['(a+)+$', false], ['(a|a)*$', false], ['(a|aa)+', false], ['(\\w+\\s?)*$', false], ['(.*a){12}', false],
    ['(x+x+)+y', false], ['\\w{0,200}'.repeat(5) + '!', true],
  ] as const)(
    'row 13: the known catastrophic mask %s is bounded too (steps within length × program size)',
    (mask, matches) => {
      const nfa = compileNfa(mask);
      if (!nfa) throw new Error('not compiled');
      const value = `${'a'.repeat(1000)}!`;
      const r = runNfa(nfa, value);
      expect(r.steps).toBeLessThanOrEqual(2 * (value.length + 1) * nfa.ops.length);
      expect(r.matched).toBe(matches);
    },
  );

  it('row 13: lookahead runs bounded too; a mask the matcher cannot read is ignored, never backtracked', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const look = compileNfa(`(?=${ROW13}$)\\d*`);
    if (!look) throw new Error('not compiled');
    const r = runNfa(look, `${'1'.repeat(4000)}x`);
    expect(r.matched).toBe(false);
    // A lookahead is answered once per position: at most quadratic, well inside the budget.
    expect(r.steps).toBeLessThan(4_000_000);
    // A backreference: not regular, not run at all (a backtracking engine would take it).
    expect(compileMask(`${ROW13}(\\d)\\1`)).toBeNull();
    expect(validate(field(`${ROW13}(\\d)\\1`), `${'1'.repeat(30)}x`)).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('not supported'));
    warn.mockRestore();
  });

  it('row 13: a step budget ends any match: a run out of budget is a mismatch, not a hang', () => {
    const nfa = compileNfa('\\w{0,200}'.repeat(5) + '!');
    if (!nfa) throw new Error('not compiled');
    const r = runNfa(nfa, 'a'.repeat(1000), 10_000);
    expect(r.matched).toBe(false);
    expect(r.steps).toBeLessThan(10_000 + 2 * nfa.ops.length);
  });
});
