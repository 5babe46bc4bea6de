/**
 * `Confab('setMessages', locale, strings)`: the site's wording for one locale (any tag of a
 * shipped language: 'fr-CA' → fr). Each string must be one the widget shows; anything else is
 * named on the console and skipped. Loaded on use (the API's lazy chunk), so it costs the app
 * chunk nothing.
 */
import { en } from './i18n-en';
import { enViews } from './i18n-en-views';
import { overrideMessages, resolveLocale, type MessageKey, type Messages } from './i18n';

export function setMessages(tag: unknown, strings: unknown): void {
  const { code } = resolveLocale(typeof tag === 'string' ? tag : '');
  const valid: Partial<Messages> = {};
  for (const [key, value] of Object.entries(strings && typeof strings === 'object' ? strings : {})) {
    if ((key in en || key in enViews) && typeof value === 'string') valid[key as MessageKey] = value;
    else console.error(`Confab: setMessages: "${key}" is not a string the widget shows, or its text is not a string.`);
  }
  overrideMessages(code, valid);
}
