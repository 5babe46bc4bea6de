import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { en, LOCALES, type Messages } from '../../src/core/i18n-en-all';

// `{name}` and the variable of `{name, plural, …}` alike: a translation may use a plural where English does not.
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]))].sort();
const others = LOCALES.filter((c) => c !== 'en');

async function table(code: string): Promise<Messages> {
  return ((await import(`../../src/core/locales/${code}.ts`)) as { default: Messages }).default;
}

describe('locale tables', () => {
  it('ship one module per non-English locale, and nothing else', () => {
    const files = readdirSync(new URL('../../src/core/locales/', import.meta.url)).map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual([...others].sort());
  });

  for (const code of others) {
    it(`${code} has exactly the English keys, each non-empty`, async () => {
      const m = await table(code);
      expect(Object.keys(m).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(m)) expect(value.trim(), `${code} ${key}`).not.toBe('');
    });

    it(`${code} keeps every {placeholder} of the English string, and adds none`, async () => {
      const m = await table(code);
      for (const key of Object.keys(en) as (keyof typeof en)[]) {
        expect(placeholders(m[key]), `${code} ${key}`).toEqual(placeholders(en[key]));
      }
    });

    it(`${code} is actually translated (most strings differ from English)`, async () => {
      const m = await table(code);
      const keys = Object.keys(en) as (keyof typeof en)[];
      const same = keys.filter((k) => m[k] === en[k] && /[a-z]{3}/i.test(en[k].replace(/\{\w+\}/g, '')));
      // A few words are the same in some languages ("Chat", "Bot", "Name"), never more.
      expect(same.length, `${code}: ${same.join(', ')}`).toBeLessThanOrEqual(6);
    });
  }
});
