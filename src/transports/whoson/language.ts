/**
 * WhosOn's chat language (the connected event's Translation settings): with
 * ShowLanguageSelector on and two or more languages, the pre-chat form gets a "Chat language"
 * drop-down (Languages' DisplayAs, the `Selected` one first by default, else the visitor's
 * locale); its choice is Hello's language code, not a survey field. Hello's "Translation
 * required" is "true" when the site enables translation and that language differs from the
 * site's DefaultLanguage.
 */
import type { ChatConfig, SurveyField } from '../../core/contract';
import { t } from '../../core/i18n';

/** The pre-chat field the language selector adds (a name no WhosOn field uses). */
export const LANGUAGE_FIELD = 'confab:language';

export interface Translation {
  enabled: boolean;
  defaultLanguage: string;
  showLanguageSelector: boolean;
  selected: string;
}

/** The visitor's two-letter language (the chat's language when no selector is shown). */
export function visitorLanguage(locale: string): string {
  return /^[a-z]{2}/i.exec(locale)?.[0]?.toLowerCase() ?? 'en';
}

/** The language drop-down and its names → codes, or null when no selector is shown. */
export function languageField(config: ChatConfig, tr: Translation, locale: string): { field: SurveyField; codes: Map<string, string> } | null {
  const langs = config.languages ?? [];
  if (!tr.showLanguageSelector || langs.length < 2) return null;
  const mine = visitorLanguage(locale);
  const initial = langs.find((l) => l.code === tr.selected) ?? langs.find((l) => l.code === mine);
  return {
    codes: new Map(langs.map((l) => [l.name, l.code])),
    field: {
      name: LANGUAGE_FIELD, type: 'select', label: t('transport.chatLanguage'), required: false, selectAs: 'select',
      options: langs.map((l) => l.name), ...(initial ? { defaultValue: initial.name } : {}),
    },
  };
}
