import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRtl, loadLocale, locale, resolveLocale, setLocale, t } from '../../src/core/i18n';

afterEach(async () => {
  vi.unstubAllGlobals();
  await loadLocale('en');
});

describe('resolving a BCP-47 tag to a shipped locale', () => {
  it('matches by language, whatever the region or script', () => {
    expect(resolveLocale('de-CH')).toEqual({ code: 'de', tag: 'de-CH' });
    expect(resolveLocale('zh-Hans-CN')).toEqual({ code: 'zh', tag: 'zh-Hans-CN' });
    expect(resolveLocale('zh-CN').code).toBe('zh');
    expect(resolveLocale('fr-CA').code).toBe('fr');
    expect(resolveLocale('nl-BE').code).toBe('nl');
    expect(resolveLocale('tr').code).toBe('tr');
    expect(resolveLocale('ur-PK').code).toBe('ur');
    expect(resolveLocale('ar-EG').code).toBe('ar');
  });

  it('accepts sloppy input: case, underscores, blanks', () => {
    expect(resolveLocale('DE_at')).toEqual({ code: 'de', tag: 'de-AT' });
    expect(resolveLocale('  fr  ').code).toBe('fr');
  });

  it('falls back to English for unknown or invalid tags, keeping the visitor tag for dates and vendors', () => {
    expect(resolveLocale('es-ES')).toEqual({ code: 'en', tag: 'es-ES' });
    expect(resolveLocale('not a tag!')).toEqual({ code: 'en', tag: 'en' });
    expect(resolveLocale('')).toEqual({ code: 'en', tag: 'en' });
    expect(resolveLocale(undefined)).toEqual({ code: 'en', tag: 'en' });
  });

  it('takes the first shipped language from a preference list', () => {
    expect(resolveLocale(['es-ES', 'de-DE', 'en'])).toEqual({ code: 'de', tag: 'de-DE' });
    expect(resolveLocale(['pt-BR', 'it'])).toEqual({ code: 'en', tag: 'pt-BR' });
    expect(resolveLocale('es, tr')).toEqual({ code: 'tr', tag: 'tr' });
  });

  it('knows which languages are written right to left', () => {
    expect(isRtl('ar')).toBe(true);
    expect(isRtl('ur')).toBe(true);
    for (const c of ['en', 'de', 'fr', 'nl', 'tr', 'zh']) expect(isRtl(c)).toBe(false);
  });
});

describe('loading a locale', () => {
  it('applies the table, lang and direction', async () => {
    const active = await loadLocale('ar-SA');
    expect(active).toEqual({ code: 'ar', lang: 'ar', dir: 'rtl', tag: 'ar-SA' });
    expect(locale.value).toEqual(active);
    expect(t('composer.send')).toBe('إرسال');
    // Numbers in the visitor's locale: ar-SA writes Arabic-Indic digits (Intl.NumberFormat).
    expect(t('wait.positionOf', { position: 2, total: 5 })).toBe('ترتيبك في قائمة الانتظار: ٢ من ٥');
  });

  it('labels Simplified Chinese zh-CN for screen readers and fonts', async () => {
    expect(await loadLocale('zh-Hans-CN')).toMatchObject({ code: 'zh', lang: 'zh-CN', dir: 'ltr' });
    expect(t('composer.label')).toBe('消息');
  });

  it('without data-locale, follows navigator.languages', async () => {
    vi.stubGlobal('navigator', { languages: ['es-MX', 'nl-NL', 'en-US'], language: 'es-MX' });
    expect(await loadLocale(undefined)).toMatchObject({ code: 'nl', tag: 'nl-NL' });
    expect(t('prechat.start')).toBe('Chat starten');
  });

  it('an unsupported language leaves English strings but keeps the tag', async () => {
    await loadLocale('de');
    expect(await loadLocale('es-ES')).toEqual({ code: 'en', lang: 'en', dir: 'ltr', tag: 'es-ES' });
    expect(t('composer.send')).toBe('Send');
  });

  it('setLocale switches at run time and the last call wins', async () => {
    await setLocale('fr');
    expect(t('header.end')).toBe('Terminer le chat');
    const slow = setLocale('tr');
    const fast = setLocale('de');
    await Promise.all([slow, fast]);
    expect(locale.value.code).toBe('de');
    expect(t('header.end')).toBe('Chat beenden');
  });
});
