// The lazy views (ended, offline, consent, rating, image viewer) bring their English with
// them (i18n-en-views.ts): their strings read the same as before, in English and in the
// other locales, and the site may still override them.
import { afterAll, describe, expect, it } from 'vitest';
import { loadLocale } from '../../src/core/i18n';
import { t } from '../../src/core/i18n-views';
import { en } from '../../src/core/i18n-en-all';
import { enViews } from '../../src/core/i18n-en-views';
import { setMessages } from '../../src/core/messages-override';

afterAll(() => loadLocale('en'));

describe("the lazy views' strings", () => {
  it('read in English, and in the visitor’s language from its table', async () => {
    await loadLocale('en');
    expect(t('ended.newChat')).toBe('Start a new chat');
    expect(t('ended.emailTo', { address: 'sam@example.com' })).toBe('It will be sent to sam@example.com.');
    const fr = ((await import('../../src/core/locales/fr')) as { default: Record<string, string> }).default;
    await loadLocale('fr');
    expect(t('offline.title')).toBe(fr['offline.title']);
    expect(t('offline.title')).not.toBe(en['offline.title']);
  });

  it('are strings the site may override with setMessages', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    try {
      setMessages('en', { 'consent.accept': 'OK, chat' });
      await loadLocale('en');
      expect(t('consent.accept')).toBe('OK, chat');
      expect(errors).toEqual([]);
    } finally {
      console.error = original;
      setMessages('en', { 'consent.accept': enViews['consent.accept'] });
    }
  });
});
