/**
 * The survey model the UI's pre-chat, post-chat and dynamic-field forms use: initial
 * values, case normalization and validation of one field. Pure functions; the only state
 * is a cache of compiled masks (server regexes are compiled once, and defensively).
 *
 * Masks are enforced with the bounded matcher (survey-mask.ts, mask-matcher.ts): polynomial
 * in the value and inside a step budget whatever the mask, so a risky mask such as
 * `(\d?\d?)+` is enforced rather than skipped (issue 19) and cannot freeze the tab (issue 15
 * row 13). A mask it cannot read (backreferences, lookbehind) is ignored with a warning.
 *
 * Only WhosOn surveys carry masks, so the matcher is a lazy chunk (`survey-mask`, ~2 KB gzip):
 * the session fetches it when a masked field arrives, and every caller that judges a masked
 * field awaits `masksReady` first. Until it is loaded, `validate` refuses a masked value
 * (fails closed): a mask is never skipped because its matcher was not there yet.
 */
import type { SurveyField } from './contract';
import { t } from './i18n';
import type * as MaskModule from './survey-mask';

const TRUE_WORDS = /^(y|yes|true|1|on)$/i;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const DEFAULT_RATING_MAX = 5;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The value a field starts with: its default, or today / now when it asks for that. */
export function initialValue(field: SurveyField, now: number | Date): string {
  const d = new Date(now);
  // A box the visitor ticks is an opt-in (WhosOn's example "Join our mailing list?" defaults to
  // Y): consent is given, never pre-ticked, whatever the default (issue 25 item 15).
  if (field.type === 'boolean') return 'false';
  if (field.defaultValue) return normalize(field, field.defaultValue);
  if (field.defaultNow && field.type === 'date') {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  if (field.defaultNow && field.type === 'time') return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return '';
}

/**
 * Applies the field's ChangeCase. "words" capitalizes the first letter of each word and
 * leaves the rest as typed, so "McDonald" is not flattened to "Mcdonald". Choice values
 * (select, rating, boolean) must match the server's options exactly and are left alone.
 */
export function normalize(field: SurveyField, value: string): string {
  if (field.type === 'select' || field.type === 'rating' || field.type === 'boolean') return value;
  switch (field.changeCase) {
    case 'upper':
      return value.toUpperCase();
    case 'lower':
      return value.toLowerCase();
    case 'words':
      return value.replace(/(^|\s)(\S)/g, (_, space: string, ch: string) => space + ch.toUpperCase());
    default:
      return value;
  }
}

/** The message to show under the field, or null when the value is acceptable. */
export function validate(field: SurveyField, value: string): string | null {
  const v = value.trim();
  if (field.type === 'boolean') {
    return field.required && !TRUE_WORDS.test(v) ? t('survey.required') : null;
  }
  if (!v) return field.required ? t('survey.required') : null;
  if (field.maxLength && field.maxLength > 0 && v.length > field.maxLength) {
    return t('survey.tooLong', { max: field.maxLength });
  }
  // Lines is a maximum (WhosOn: "The maximum number of lines for a MultiLine input").
  if (field.multiline && field.lines && field.lines > 0 && v.split('\n').length > field.lines) {
    return t('survey.tooManyLines', { max: field.lines });
  }
  const typeError = validateType(field, v);
  if (typeError) return typeError;
  if (field.mask) {
    if (!matcher) {
      // A caller that did not await masksReady(): refuse rather than pass unchecked.
      void loadMasks();
      return t('survey.mask');
    }
    const mask = matcher.compileMask(field.mask);
    if (mask && !mask.test(v)) return t('survey.mask');
  }
  return null;
}

let matcher: typeof MaskModule | undefined;
let loading: Promise<void> | undefined;

/** Fetches the mask matcher chunk (once; again after a failed fetch). Never rejects. */
export function loadMasks(): Promise<void> {
  loading ??= import('./survey-mask').then(
    (m) => {
      matcher = m;
    },
    (err: unknown) => {
      // Masked fields keep failing closed; the next submit tries the fetch again.
      loading = undefined;
      console.warn('[confab] could not load the survey mask matcher', err);
    },
  );
  return loading;
}

/**
 * null when every mask among `fields` can be judged now (or none has one); otherwise the
 * load to await before calling `validate` on them.
 */
export function masksReady(fields: readonly SurveyField[]): Promise<void> | null {
  return matcher || !fields.some((f) => f.mask) ? null : loadMasks();
}

function validateType(field: SurveyField, v: string): string | null {
  switch (field.type) {
    case 'numeric': {
      if (!NUMBER.test(v)) return t('survey.number');
      const n = Number(v);
      if (field.min !== undefined && n < field.min) return t('survey.min', { min: field.min });
      if (field.max !== undefined && n > field.max) return t('survey.max', { max: field.max });
      return null;
    }
    case 'email':
      return EMAIL.test(v) ? null : t('survey.email');
    case 'date':
      return isRealDate(v) ? null : t('survey.date');
    case 'time':
      return TIME.test(v) ? null : t('survey.time');
    case 'select':
      return field.options && field.options.length > 0 && !field.options.includes(v)
        ? t('survey.option')
        : null;
    case 'rating': {
      const max = field.max && field.max > 0 ? field.max : DEFAULT_RATING_MAX;
      const n = Number(v);
      return /^\d+$/.test(v) && n >= 1 && n <= max ? null : t('survey.rating', { min: 1, max });
    }
    default:
      return null;
  }
}

/** ISO dates only (what `<input type="date">` produces), and only days that exist. */
function isRealDate(v: string): boolean {
  const m = ISO_DATE.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
