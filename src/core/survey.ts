/**
 * The survey model the UI's pre-chat, post-chat and dynamic-field forms use: initial
 * values, case normalization and validation of one field. Pure functions; the only state
 * is a cache of compiled masks (server regexes are compiled once, and defensively).
 *
 * Masks are enforced with the bounded matcher (mask-matcher.ts): linear in the value,
 * whatever the mask, so a risky mask such as `(\d?\d?)+` is enforced rather than skipped
 * (issue 19) and cannot freeze the tab (issue 15 row 13). Only masks that are not regular
 * (backreferences, lookaround) fall back to the native engine, and only when the guards
 * below find them safe (nested quantifiers, over optional atoms too, are refused).
 */
import type { SurveyField } from './contract';
import { t } from './i18n';
import { compileNfa, runNfa } from './mask-matcher';

const TRUE_WORDS = /^(y|yes|true|1|on)$/i;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const MAX_MASK_LENGTH = 200;
/**
 * Adjacent repetitions that can match the same characters backtrack polynomially: k of them
 * cost about n^k / k! steps on an n-character value (\w*\w*\w*x is cubic). Real masks such
 * as \d+-\d+-\d+ have several, so instead of refusing them the value a mask is tried on gets
 * shorter as the repetitions grow, keeping the worst case near a million steps; five or more
 * repetitions are refused.
 */
const MASKED_VALUE_LIMIT = [1000, 1000, 1000, 200, 60] as const;
const MAX_UNBOUNDED = MASKED_VALUE_LIMIT.length - 1;
/** A bounded repetition at least this wide ({0,16}) costs like an unbounded one. */
const WIDE_REPEAT = 16;
/**
 * Narrow optional parts multiply the ways a value can be split: a phone mask with six ?
 * and a {1,3} costs 192, twelve optional characters 4,096.
 */
const MAX_BOUNDED_WORK = 4096;
/** Overlapping alternatives multiply the work: a few unrepeated ones are harmless. */
const MAX_OVERLAPPING_ALTERNATIONS = 4;
const DEFAULT_RATING_MAX = 5;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The value a field starts with: its default, or today / now when it asks for that. */
export function initialValue(field: SurveyField, now: number | Date): string {
  const d = new Date(now);
  if (field.type === 'boolean') return TRUE_WORDS.test(field.defaultValue ?? '') ? 'true' : 'false';
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
  const mask = field.mask ? compileMask(field.mask) : null;
  if (mask && !mask.test(v)) return t('survey.mask');
  return null;
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
      return /^\d+$/.test(v) && n >= 1 && n <= max ? null : t('survey.rating', { max });
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

/** A compiled mask: does the whole value match? */
export interface Mask {
  test(value: string): boolean;
  /** 'bounded': the linear matcher; 'native': a guarded RegExp (lookaround, backreferences). */
  engine: 'bounded' | 'native';
}

const masks = new Map<string, Mask | null>();

/** The longest value a mask is tried on (longer values are left to maxLength). */
function maskedValueLimit(pattern: string): number {
  return MASKED_VALUE_LIMIT[Math.min(unboundedCount(pattern), MAX_UNBOUNDED)] ?? 0;
}

/**
 * A server mask, or null when it must be ignored (too long, not valid JavaScript syntax, or a
 * non-regular mask the guards judge unsafe). The mask is anchored: the server's validators
 * (ASP.NET style) match the whole value, so "[0-9]{5}" must not accept "abc12345xyz".
 */
export function compileMask(pattern: string): Mask | null {
  const cached = masks.get(pattern);
  if (cached !== undefined) return cached;
  let compiled: Mask | null = null;
  let problem: string | null = null;
  let native: RegExp | null = null;
  if (pattern.length > MAX_MASK_LENGTH) problem = 'too long';
  else {
    try {
      // Compiling never runs the pattern: it only proves the syntax is JavaScript's.
      native = new RegExp(`^(?:${pattern})$`);
    } catch {
      problem = 'invalid syntax';
    }
  }
  const nfa = native ? compileNfa(pattern) : null;
  if (nfa) compiled = { engine: 'bounded', test: (v) => runNfa(nfa, v).matched };
  else if (native && !problem) {
    if (hasNestedQuantifier(pattern)) problem = 'nested quantifiers';
    else if (hasRiskyAlternation(pattern)) problem = 'overlapping alternatives';
    else if (unboundedCount(pattern) > MAX_UNBOUNDED || repetitions(pattern).boundedWork > MAX_BOUNDED_WORK) {
      problem = 'too many repetitions';
    } else {
      const re = native;
      const limit = maskedValueLimit(pattern);
      // Longer values are left to maxLength: the native engine is bounded by what it is fed.
      compiled = { engine: 'native', test: (v) => v.length > limit || re.test(v) };
    }
  }
  if (problem) console.warn(`[confab] ignoring survey mask (${problem}): ${pattern.slice(0, 80)}`);
  masks.set(pattern, compiled);
  return compiled;
}

/**
 * True when a group that itself contains a repetition is repeated again — (a+)+, (a*)*,
 * (.*)*, ((ab)+c)* or (a+){2,}: the shapes that make a backtracking engine exponential.
 * An optional atom inside counts as a repetition: (\d?\d?)+ splits a value in
 * exponentially many ways (9.4 s on 22 characters, issue 15 row 13). A group made optional
 * with `?` is fine; character classes and escapes are skipped.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [];
  let repeated = false; // whether the thing just closed (a group) contains a repetition
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      repeated = false;
      continue;
    }
    if (ch === '[') {
      i = skipClass(pattern, i);
      repeated = false;
      continue;
    }
    const quant = quantifierAt(pattern, i);
    if (quant || ch === '?') {
      // `?` makes an atom optional: a repetition inside a group, never a repeat of one.
      if (quant && repeated) return true;
      if (stack.length > 0) stack[stack.length - 1] = true;
      i += (quant || 1) - 1;
      repeated = false;
      continue;
    }
    if (ch === '(') {
      stack.push(false);
      // (?: (?= (?! (?<= (?<! (?<name>: group syntax, not an optional atom
      if (pattern[i + 1] === '?') i += (/^\(\?(<[=!]|<[A-Za-z_$][\w$]*>|[:=!])/.exec(pattern.slice(i, i + 40))?.[0].length ?? 2) - 1;
      repeated = false;
    } else if (ch === ')') {
      const inner = stack.pop() ?? false;
      if (inner && stack.length > 0) stack[stack.length - 1] = true;
      repeated = inner;
    } else {
      repeated = false;
    }
  }
  return false;
}

/** Length of an unbounded-or-counted repetition at i (`+`, `*`, `{n,}`, `{n,m}`), else 0. */
function quantifierAt(pattern: string, i: number): number {
  const ch = pattern[i];
  if (ch === '+' || ch === '*') return pattern[i + 1] === '?' ? 2 : 1;
  if (ch === '{') {
    const m = /^\{\d+(,\d*)?\}\??/.exec(pattern.slice(i, i + 24));
    return m ? m[0].length : 0;
  }
  return 0;
}

function skipClass(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && i > start + 1) return i;
  }
  return pattern.length;
}

/** How many unbounded repetitions (`+`, `*`, `{n,}`, `{0,16}` and wider) the pattern has. */
function unboundedCount(pattern: string): number {
  return repetitions(pattern).unbounded;
}

/**
 * The mask's repetitions: how many are unbounded (+, *, {n,}, and bounded ones too wide to
 * tell apart from them on a real value), and the product of (width + 1) over the narrow
 * bounded ones (?, {n,m}). A failing match can try every split of the value between them,
 * so \w{0,200} written five times is ~10^11 steps though nothing in it is unbounded.
 */
function repetitions(pattern: string): { unbounded: number; boundedWork: number } {
  let unbounded = 0;
  let boundedWork = 1;
  const lazy = (i: number): number => (pattern[i + 1] === '?' ? i + 1 : i);
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '[') i = skipClass(pattern, i);
    else if (ch === '(') i = pattern[i + 1] === '?' ? i + 1 : i; // (?: (?= (?<name>: syntax, not a repeat
    else if (ch === '+' || ch === '*') {
      unbounded++;
      i = lazy(i);
    } else if (ch === '?') {
      boundedWork *= 2;
      i = lazy(i);
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (!m) continue;
      i = lazy(i + m[0].length - 1);
      if (m[2] === undefined) continue; // {n}: fixed width
      const width = m[3] === '' ? Infinity : Number(m[3]) - Number(m[1]);
      if (width >= WIDE_REPEAT) unbounded++;
      else if (width > 0) boundedWork *= width + 1;
    }
  }
  return { unbounded, boundedWork };
}

/**
 * True when alternatives that can start with the same character are repeated — (a|a)*,
 * (.|\s)*, ((a|ab)c)+ — which is exponential like a nested quantifier, or when there are
 * too many of them even unrepeated ((a|a)(a|a)(a|a)…). (\d|-)+ is fine: the branches are
 * disjoint, so only one can ever match.
 */
export function hasRiskyAlternation(pattern: string): boolean {
  // Per open group: where its current branch starts, its branches, and whether it holds a
  // (possibly nested) overlapping alternation.
  const stack: { start: number; branches: string[]; risky: boolean }[] = [{ start: 0, branches: [], risky: false }];
  let unrepeated = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    const top = stack[stack.length - 1]!;
    if (ch === '\\') i++;
    else if (ch === '[') i = skipClass(pattern, i);
    else if (ch === '(') {
      const prefix = /^\(\?(?:[:=!]|<[=!]|<[a-zA-Z]\w*>)/.exec(pattern.slice(i, i + 40))?.[0] ?? '(';
      stack.push({ start: i + prefix.length, branches: [], risky: false });
      i += prefix.length - 1;
    } else if (ch === '|') {
      top.branches.push(pattern.slice(top.start, i));
      top.start = i + 1;
    } else if (ch === ')' && stack.length > 1) {
      stack.pop();
      top.branches.push(pattern.slice(top.start, i));
      const overlapping = top.branches.length > 1 && branchesOverlap(top.branches);
      const risky = top.risky || overlapping;
      if (risky && quantifierAt(pattern, i + 1)) return true;
      if (overlapping) unrepeated++;
      if (risky) stack[stack.length - 1]!.risky = true;
    }
  }
  const root = stack[0]!;
  root.branches.push(pattern.slice(root.start));
  if (root.branches.length > 1 && branchesOverlap(root.branches)) unrepeated++;
  return unrepeated > MAX_OVERLAPPING_ALTERNATIONS;
}

const SAMPLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u00e9\u00a0\u4e2d';

/** The first atom of a branch: an escape, a class, `.`, or one character; '' for a group. */
function firstAtom(branch: string): string | null {
  if (!branch) return null; // an empty branch matches wherever another does
  if (branch[0] === '\\') return branch.slice(0, 2);
  if (branch[0] === '[') return branch.slice(0, skipClass(branch, 0) + 1);
  if (branch[0] === '(' || branch[0] === '^' || branch[0] === '$') return null;
  return branch[0]!;
}

/** Could two of the branches start with the same character? Unsure counts as yes. */
function branchesOverlap(branches: string[]): boolean {
  const atoms: RegExp[] = [];
  for (const b of branches) {
    const atom = firstAtom(b);
    if (atom === null) return true;
    try {
      atoms.push(new RegExp(`^(?:${atom})$`));
    } catch {
      return true;
    }
  }
  for (const ch of SAMPLE) {
    let hits = 0;
    for (const re of atoms) if (re.test(ch) && ++hits > 1) return true;
  }
  return false;
}
