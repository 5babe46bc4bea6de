/**
 * D3's start error codes (OnlineHelpStartError, verbatim in the fixture): the relay knows every
 * one, and the widget words every one in the visitor's language, in all locales.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en, LOCALES, type Messages } from '../../src/core/i18n-en-all';
import { DIYALOG_START_ERRORS } from '../../src/server/relay/adapters/diyalog-errors';
import { SIM_ERRORS } from '../../src/server/sandbox/diyalog';
import { START_ERROR_WORDS, startErrorWords } from '../../src/transports/diyalog/errors';

const D3_CODES = [
  ...readFileSync(fileURLToPath(new URL('../fixtures/diyalog/start-error-codes.java.txt', import.meta.url)), 'utf8').matchAll(/= "(\w+)";/g),
].map((m) => m[1]!);

describe("D3's start error codes", () => {
  it('are ten, and the relay knows exactly those', () => {
    expect(D3_CODES).toHaveLength(10);
    expect(Object.keys(DIYALOG_START_ERRORS).sort()).toEqual([...D3_CODES].sort());
  });

  it('each has visitor words, translated in every locale', async () => {
    expect(Object.keys(START_ERROR_WORDS).sort()).toEqual([...D3_CODES].sort());
    for (const code of LOCALES.filter((c) => c !== 'en')) {
      const table = ((await import(`../../src/core/locales/${code}.ts`)) as { default: Messages }).default;
      for (const d3 of D3_CODES) {
        const key = startErrorWords(d3)!;
        expect(table[key], `${code} ${d3}`).toBeTruthy();
        expect(table[key], `${code} ${d3}`).not.toBe(en[key]);
      }
    }
  });

  it('an unknown code has no words of ours (it passes through as Diyalog said it)', () => {
    expect(startErrorWords('DLG_SOMETHING_NEW')).toBeUndefined();
    expect(startErrorWords('__proto__')).toBeUndefined();
  });

  it("the sandbox answers only with D3's codes", () => {
    for (const e of Object.values(SIM_ERRORS)) expect(D3_CODES).toContain(e.code);
  });
});
