import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { validate } from '../../src/core/survey';

const KNOWN_REDOS = [
  '(a|a)*$', '(a+)+$', '(\\w+\\s?)*$', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a|aa)+', '(.*a){12}', '(x+x+)+y',
  '([a-zA-Z]+)*', '(a*)*b', '^(\\d+)*$', '(\\s*,\\s*)*$', '((ab)*)+$', '(a|a?)+$', '(.|\\s)*x',
];
/** Masks built from pieces that make backtracking blow up when nested or alternated. */
const maskArb = fc.oneof(
  fc.constantFrom(...KNOWN_REDOS),
  fc
    .array(fc.constantFrom('a', 'a+', 'a*', '\\w+', '\\s?', '.', '.*', '(a|a)', '(a|aa)', '[a-z]+', '\\d', '|', '(', ')', '+', '*', '?', '{2,}', '$', '^'), {
      minLength: 1,
      maxLength: 10,
    })
    .map((parts) => parts.join('')),
  fc.string({ maxLength: 20 }),
);
const inputArb = fc.oneof(
  fc.constantFrom('a'.repeat(1000) + '!', 'a '.repeat(500) + '!', 'aB'.repeat(500), '1'.repeat(999) + 'x', 'ab'.repeat(500) + 'c'),
  fc.string({ minLength: 1000, maxLength: 1000 }),
);

describe('survey masks from the server cannot freeze the page', () => {
  it('random and known-ReDoS masks against 1,000-character adversarial values: every validate() under 50 ms', () => {
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
        expect(ms).toBeLessThan(50);
      }),
      { numRuns: 600 },
    );
    warn.mockRestore();
    console.log(`[fuzz] survey masks: 600 masks, slowest validate ${slowest.toFixed(2)} ms`);
  });

  it.each(KNOWN_REDOS)('known catastrophic mask %s finishes fast on a short value as well', (mask) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const field: SurveyField = { name: 'f', type: 'text', label: 'F', required: false, mask };
    for (const v of ['a'.repeat(30) + '!', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' + 'b', '1'.repeat(40) + 'x']) {
      const t0 = performance.now();
      validate(field, v);
      expect(performance.now() - t0).toBeLessThan(50);
    }
    warn.mockRestore();
  });
});
