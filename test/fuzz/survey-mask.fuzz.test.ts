import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { loadMasks, validate } from '../../src/core/survey';

// The mask matcher is a lazy chunk; validate() refuses masked values until it is loaded.
beforeAll(loadMasks);

const KNOWN_REDOS = [
  '(a|a)*$', '(a+)+$', '(\\w+\\s?)*$', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a|aa)+', '(.*a){12}', '(x+x+)+y',
  '([a-zA-Z]+)*', '(a*)*b', '^(\\d+)*$', '(\\s*,\\s*)*$', '((ab)*)+$', '(a|a?)+$', '(.|\\s)*x',
  '\\w{0,200}\\w{0,200}\\w{0,200}\\w{0,200}\\w{0,200}!', 'a?'.repeat(25) + 'a'.repeat(25), '\\w{0,7}'.repeat(20) + '!',
];
/** Masks built from pieces that make backtracking blow up when nested or alternated. */
const maskArb = fc.oneof(
  fc.constantFrom(...KNOWN_REDOS),
  fc
    .array(fc.constantFrom('a', 'a+', 'a*', '\\w+', '\\s?', '.', '.*', '(a|a)', '(a|aa)', '[a-z]+', '\\d', '|', '(', ')', '+', '*', '?', '{2,}', '{0,200}', '{0,9}', '?', '$', '^'), {
      minLength: 1,
      maxLength: 14,
    })
    .map((parts) => parts.join('')),
  fc.string({ maxLength: 20 }),
);
const inputArb = fc.oneof(
  fc.constantFrom('a'.repeat(1000) + '!', 'a '.repeat(500) + '!', 'aB'.repeat(500), '1'.repeat(999) + 'x', 'ab'.repeat(500) + 'c'),
  fc.string({ minLength: 1000, maxLength: 1000 }),
);

/**
 * What these tests catch is a freeze, not slowness: a catastrophic mask runs for seconds to
 * centuries (\\w{0,200} five times: over 45 s on 1,000 characters), while every guarded one
 * here takes well under 5 ms. The bound is a liveness check set far above any machine noise;
 * the slowest time is printed for the record.
 */
const FREEZE_MS = 1000;

describe('survey masks from the server cannot freeze the page', () => {
  it('random and known-ReDoS masks against 1,000-character adversarial values: no validate() freezes', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let slowest = 0;
    fc.assert(
      fc.property(maskArb, inputArb, (mask, value) => {
        const field: SurveyField = { name: 'f', type: 'text', label: 'F', required: true, mask };
        const t0 = performance.now();
        validate(field, value);
        // Also the short value a visitor might type: the regex does run on it.
        validate(field, value.slice(0, 40));
        const ms = performance.now() - t0;
        if (ms > 25) console.log(`[slow] ${ms.toFixed(1)} ms ${JSON.stringify(mask)} ${JSON.stringify(value.slice(0, 12))}`);
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(FREEZE_MS);
      }),
      { numRuns: 600 },
    );
    warn.mockRestore();
    console.log(`[fuzz] survey masks: 600 masks, slowest validate ${slowest.toFixed(2)} ms`);
  });

  it.each(KNOWN_REDOS)('known catastrophic mask %s does not freeze on a short value either', (mask) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const field: SurveyField = { name: 'f', type: 'text', label: 'F', required: false, mask };
    for (const v of ['a'.repeat(30) + '!', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' + 'b', '1'.repeat(40) + 'x']) {
      const t0 = performance.now();
      validate(field, v);
      expect(performance.now() - t0).toBeLessThan(FREEZE_MS);
    }
    warn.mockRestore();
  });
});
