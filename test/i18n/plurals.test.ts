/**
 * Plurals through Intl.PluralRules and numbers through Intl.NumberFormat, in every shipped
 * table: "1 unread message" (not "1 unread messages"), "Please correct 1 field", French's
 * "1 message non lu", Arabic's six forms, and one digit system per locale (ar-EG: Arabic-Indic
 * everywhere, sizes too). One formatBytes for the session's refusal and the file picker's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { en, formatBytes, formatNumber, loadLocale, LOCALES, t, type Messages, type MessageKey } from '../../src/core/i18n';
import { setMessages } from '../../src/core/messages-override';

const PLURAL_KEYS: MessageKey[] = ['launcher.unread', 'form.errors', 'rating.stars', 'composer.remaining', 'survey.tooLong', 'survey.tooManyLines', 'transport.tooLong'];
const VAR: Partial<Record<MessageKey, string>> = { 'rating.stars': 'n', 'survey.tooLong': 'max', 'survey.tooManyLines': 'max', 'transport.tooLong': 'max' };

afterAll(() => loadLocale('en'));

describe('plurals', () => {
  it('English: one and other', async () => {
    await loadLocale('en');
    expect(t('launcher.unread', { count: 1 })).toBe('1 unread message');
    expect(t('launcher.unread', { count: 3 })).toBe('3 unread messages');
    expect(t('form.errors', { count: 1 })).toBe('Please correct 1 field.');
    expect(t('form.errors', { count: 2 })).toBe('Please correct 2 fields.');
    expect(t('rating.stars', { n: 1 })).toBe('1 star');
    expect(t('composer.remaining', { count: 1 })).toBe('1 character left');
    expect(t('launcher.unread', { count: 1200 })).toBe('1,200 unread messages');
  });

  it('French: 0 and 1 are singular', async () => {
    await loadLocale('fr');
    expect(t('launcher.unread', { count: 1 })).toBe('1 message non lu');
    expect(t('launcher.unread', { count: 0 })).toBe('0 message non lu');
    expect(t('launcher.unread', { count: 2 })).toBe('2 messages non lus');
    expect(t('form.errors', { count: 1 })).toBe('Veuillez corriger 1 champ.');
  });

  it('Arabic (ar-EG): its own forms and Arabic-Indic digits throughout', async () => {
    await loadLocale('ar-EG');
    expect(t('launcher.unread', { count: 1 })).toBe('رسالة واحدة غير مقروءة');
    expect(t('launcher.unread', { count: 2 })).toBe('رسالتان غير مقروءتين');
    expect(t('launcher.unread', { count: 3 })).toBe('٣ رسائل غير مقروءة');
    expect(t('launcher.unread', { count: 11 })).toBe('١١ رسالة غير مقروءة');
    expect(t('survey.rating', { min: 1, max: 5 })).toBe('اختر تقييمًا من ١ إلى ٥');
    expect(formatNumber(42)).toBe('٤٢');
    expect(formatBytes(5 * 1048576)).toMatch(/^٥ /);
    // No Latin digit anywhere in a string made of numbers.
    for (const key of PLURAL_KEYS) expect(t(key, { [VAR[key] ?? 'count']: 12 })).not.toMatch(/[0-9]/);
  });

  it('every table has a branch for every count in its language (no ICU text leaks)', async () => {
    for (const code of LOCALES) {
      await loadLocale(code);
      for (const key of PLURAL_KEYS) {
        for (const n of [0, 1, 2, 3, 11, 100, 1000001]) {
          const text = t(key, { [VAR[key] ?? 'count']: n });
          expect(text, `${code} ${key} ${n}`).not.toMatch(/[{}#]|plural/);
          expect(text.trim(), `${code} ${key} ${n}`).not.toBe('');
        }
      }
    }
  });
});

describe('formatBytes', () => {
  it('one rule: MB from 1 MiB with one decimal, else whole KB, at least 1', async () => {
    await loadLocale('en');
    expect(formatBytes(5 * 1048576)).toBe('5 MB');
    expect(formatBytes(1.5 * 1048576)).toBe('1.5 MB');
    expect(formatBytes(200 * 1024)).toBe('200 kB');
    expect(formatBytes(10)).toBe('1 kB');
    await loadLocale('de');
    expect(formatBytes(1.5 * 1048576)).toBe('1,5 MB');
  });

  it('is the only one: the session and the file picker import it', async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of ['../../src/core/session.ts', '../../src/ui/file-picker.tsx']) {
      const code = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(code, file).not.toMatch(/function formatBytes/);
      expect(code, file).toMatch(/formatBytes/);
    }
  });
});

describe('setMessages(locale, strings)', () => {
  it('overrides one locale, kept across language changes, and refuses unknown keys', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    try {
      await loadLocale('fr');
      setMessages('fr', { 'launcher.open': 'Discuter avec nous', 'no.such.key': 'x' } as Partial<Messages>);
      expect(t('launcher.open')).toBe('Discuter avec nous');
      await loadLocale('de');
      expect(t('launcher.open')).not.toBe('Discuter avec nous');
      await loadLocale('fr-CA');
      expect(t('launcher.open')).toBe('Discuter avec nous');
      setMessages('en', { 'launcher.open': 'Talk to us' });
      await loadLocale('en');
      expect(t('launcher.open')).toBe('Talk to us');
      expect(errors).toEqual([expect.stringContaining('"no.such.key"')]);
    } finally {
      console.error = original;
      setMessages('en', { 'launcher.open': en['launcher.open'] });
      setMessages('fr', { 'launcher.open': 'Ouvrir le chat' });
    }
  });
});
