/**
 * The widget's language: which shipped table is in force (the visitor's languages or
 * data-locale, loaded lazily), the site's overrides over it, and `t()` filling a string's
 * placeholders and plurals, with numbers and sizes in the visitor's locale. The English
 * table itself is i18n-en.ts.
 */
import { batch, signal, type ReadonlySignal } from '@preact/signals-core';
import { en as enApp } from './i18n-en';
import type { enViews } from './i18n-en-views';

/** English as the app chunk carries it: all but the lazy views' strings (all of English: i18n-en-all.ts). */
export { enApp as en };

export type MessageKey = keyof typeof enApp | keyof typeof enViews;
export type Messages = Record<MessageKey, string>;

/** The UI languages shipped: English is built in, the others are lazily loaded chunks. */
export const LOCALES = ['en', 'de', 'fr', 'nl', 'tr', 'zh', 'ur', 'ar'] as const;
export type LocaleCode = (typeof LOCALES)[number];

export interface ActiveLocale {
  /** Which table the strings come from. */
  code: LocaleCode;
  /** The window's `lang` attribute: the language the strings are written in. */
  lang: string;
  dir: 'ltr' | 'rtl';
  /** The visitor's own BCP-47 tag (e.g. de-CH): dates and times, and the vendor's language field. */
  tag: string;
}

const loaders: Record<Exclude<LocaleCode, 'en'>, () => Promise<{ default: Messages }>> = {
  de: () => import('./locales/de'),
  fr: () => import('./locales/fr'),
  nl: () => import('./locales/nl'),
  tr: () => import('./locales/tr'),
  zh: () => import('./locales/zh'),
  ur: () => import('./locales/ur'),
  ar: () => import('./locales/ar'),
};

// The Chinese table is Simplified; zh-CN rather than zh-Hans because screen readers pick voices by region.
const LANG: Partial<Record<LocaleCode, string>> = { zh: 'zh-CN' };

/** English, which every table falls back to: the app's strings, then the lazy views' once one loads. */
const english: Partial<Messages> = { ...enApp };

/** i18n-views.ts: the lazy views bring their English with them. */
export function addEnglish(strings: Partial<Messages>): void {
  Object.assign(english, strings);
}

const messages = signal<Partial<Messages>>(enApp);
/** The shipped table in force, under the site's overrides. */
let table: Partial<Messages> = enApp;
const active = signal<ActiveLocale>({ code: 'en', lang: 'en', dir: 'ltr', tag: 'en' });
const pending = signal(false);
/** The locale in force; reading it in a component re-renders that component when it changes. */
export const locale: ReadonlySignal<ActiveLocale> = active;
/** True while the first non-English table is on its way: the window waits rather than flash English. */
export const localePending: ReadonlySignal<boolean> = pending;

export function isRtl(code: string): boolean {
  return code === 'ar' || code === 'ur';
}

function canonical(raw: string): string | null {
  try {
    return Intl.getCanonicalLocales(raw.trim().replace(/_/g, '-'))[0] ?? null;
  } catch {
    return null; // not a BCP-47 tag
  }
}

/**
 * The best shipped locale for the visitor's preference list (data-locale, else
 * navigator.languages): the first tag whose language we ship wins, by its primary subtag
 * (de-CH → de, zh-Hans-CN → zh; zh-TW also → zh: Simplified reads better than English
 * for a Traditional reader). `tag` is that tag, or the visitor's first one when nothing
 * matched — a Spanish visitor gets English strings but Spanish dates and a Spanish-speaking
 * agent if the vendor can route by language.
 */
export function resolveLocale(tags: string | readonly string[] | null | undefined): { code: LocaleCode; tag: string } {
  const list = (typeof tags === 'string' ? tags.split(',') : tags ?? []).map(canonical).filter((x): x is string => !!x);
  for (const tag of list) {
    const primary = tag.split('-')[0]!.toLowerCase();
    if ((LOCALES as readonly string[]).includes(primary)) return { code: primary as LocaleCode, tag };
  }
  return { code: 'en', tag: list[0] ?? 'en' };
}

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages ?? [];
}

let seq = 0;

/**
 * Resolves `tag` (data-locale; empty → the browser's languages), loads that table and
 * makes it current. The last call wins; a table that fails to load leaves English.
 */
export async function loadLocale(tag?: string | null): Promise<ActiveLocale> {
  const wanted = resolveLocale(tag?.trim() ? tag : browserLanguages());
  const mine = ++seq;
  let code = wanted.code;
  let loaded: Partial<Messages> = enApp;
  if (code !== 'en') {
    if (mine === 1) pending.value = true;
    try {
      loaded = (await loaders[code]()).default;
    } catch (err) {
      console.warn('Confab: locale', code, err);
      code = 'en';
    }
  }
  if (mine === seq) {
    batch(() => {
      table = loaded;
      messages.value = { ...loaded, ...overrides[code] };
      active.value = { code, lang: LANG[code] ?? code, dir: isRtl(code) ? 'rtl' : 'ltr', tag: wanted.tag };
      pending.value = false;
    });
  }
  return active.peek();
}

/** `Confab('setLocale', tag)`: switch the widget's language while it runs. */
export function setLocale(tag: string): Promise<void> {
  return loadLocale(tag).then(() => undefined);
}

/** The site's own strings per locale (`Confab('setMessages', locale, strings)`), over the shipped table. */
const overrides: Partial<Record<LocaleCode, Partial<Messages>>> = {};

/**
 * The site's wording for one shipped locale, over what it set before, kept when the language
 * changes. `Confab('setMessages', locale, strings)` checks the strings first (messages-override.ts).
 */
export function overrideMessages(code: LocaleCode, strings: Partial<Messages>): void {
  const mine = (overrides[code] = { ...overrides[code], ...strings });
  if (active.peek().code === code) messages.value = { ...table, ...mine };
}

/**
 * A number in the visitor's locale (its digits: ar-EG's are Arabic-Indic), the same everywhere.
 * `tag` is canonical (resolveLocale), so Intl takes it.
 */
export function formatNumber(n: number, unit?: 'kilobyte' | 'megabyte'): string {
  return new Intl.NumberFormat(active.value.tag, unit && { style: 'unit', unit, maximumFractionDigits: 1 }).format(n);
}

/** A file size (a limit or a file's): MB from 1 MiB with one decimal, else whole KB (at least 1). */
export function formatBytes(n: number): string {
  return n >= 1048576 ? formatNumber(Math.round(n / 104857.6) / 10, 'megabyte') : formatNumber(Math.max(1, Math.round(n / 1024)), 'kilobyte');
}

/** `{name}`, or `{name, plural, one {# line} other {# lines}}` (a branch holds no braces). */
const PLACEHOLDER = /\{(\w+)(?:, plural,((?:[^{}]|\{[^{}]*\})*))?\}/g;

/** The branch of a plural's `body` for `n`: `=n`, else its category, else `other`; `#` is `n`. */
function plural(body: string, n: number): string {
  const branch = (key: string) => new RegExp(`(?:^|\\})\\s*${key}\\s*\\{([^{}]*)`).exec(body)?.[1];
  const text = branch(`=${n}`) ?? branch(new Intl.PluralRules(active.value.lang).select(n)) ?? branch('other') ?? '';
  return text.replace(/#/g, formatNumber(n));
}

/**
 * The string for `key` with `{placeholders}` filled from `params`. Reads the current table
 * as a signal, so a component that renders it re-renders when the locale changes.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  // A key a lazy view brings is in `english` before that view renders (i18n-views.ts).
  const template = messages.value[key] ?? english[key] ?? key;
  if (!params) return template;
  return template.replace(PLACEHOLDER, (whole, name: string, body?: string) => {
    const value = params[name];
    return typeof value !== 'number' ? (value ?? whole) : body ? plural(body, value) : formatNumber(value);
  });
}
