import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { initialValue, loadMasks, normalize, validate } from '../../src/core/survey';
import { compileMask } from '../../src/core/survey-mask';

// The mask matcher is a lazy chunk; validate() refuses masked values until it is loaded.
beforeAll(loadMasks);

const field = (overrides: Partial<SurveyField>): SurveyField => ({
  name: 'f',
  type: 'text',
  label: 'Field',
  required: false,
  ...overrides,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('survey: initial values', () => {
  const now = new Date(2024, 1, 29, 9, 5).getTime();
  it('uses the default value, normalized', () => {
    expect(initialValue(field({ defaultValue: 'acme ltd', changeCase: 'words' }), now)).toBe('Acme Ltd');
  });
  it('defaults a date to today and a time to now when asked', () => {
    expect(initialValue(field({ type: 'date', defaultNow: true }), now)).toBe('2024-02-29');
    expect(initialValue(field({ type: 'time', defaultNow: true }), now)).toBe('09:05');
    expect(initialValue(field({ type: 'date' }), now)).toBe('');
  });
  it('reads a boolean default such as "Y" as ticked', () => {
    // Never pre-ticked, whatever the default: a ticked box is the visitor's consent (issue 25 item 15).
    expect(initialValue(field({ type: 'boolean', defaultValue: 'Y' }), now)).toBe('false');
    expect(initialValue(field({ type: 'boolean' }), now)).toBe('false');
  });
});

describe('survey: ChangeCase', () => {
  it('upper, words and lower; choices untouched', () => {
    expect(normalize(field({ changeCase: 'upper' }), 'ab12 cd')).toBe('AB12 CD');
    expect(normalize(field({ changeCase: 'words' }), 'mary ann mcDonald')).toBe('Mary Ann McDonald');
    expect(normalize(field({ changeCase: 'lower' }), 'Sam@Example.COM')).toBe('sam@example.com');
    expect(normalize(field({ changeCase: 'none' }), 'As Typed')).toBe('As Typed');
    expect(normalize(field({ type: 'select', changeCase: 'upper', options: ['Google'] }), 'Google')).toBe('Google');
  });
});

describe('survey: validation', () => {
  it('required', () => {
    expect(validate(field({ required: true }), '   ')).toBe('This field is required');
    expect(validate(field({ required: false }), '')).toBeNull();
    expect(validate(field({ type: 'boolean', required: true }), 'false')).toBe('This field is required');
    expect(validate(field({ type: 'boolean', required: true }), 'true')).toBeNull();
  });
  it('maxLength (0 means no limit)', () => {
    expect(validate(field({ maxLength: 3 }), 'abcd')).toBe('Use at most 3 characters');
    expect(validate(field({ maxLength: 3 }), 'abc')).toBeNull();
    expect(validate(field({ maxLength: 0 }), 'x'.repeat(10000))).toBeNull();
  });
  it('numeric with inclusive min and max', () => {
    const f = field({ type: 'numeric', min: 1, max: 10 });
    expect(validate(f, 'ten')).toBe('Enter a number');
    expect(validate(f, '1e3')).toBe('Enter a number');
    expect(validate(f, '0')).toBe('Enter a number of at least 1');
    expect(validate(f, '11')).toBe('Enter a number no greater than 10');
    expect(validate(f, '1')).toBeNull();
    expect(validate(f, '10')).toBeNull();
    expect(validate(f, '2.5')).toBeNull();
    expect(validate(field({ type: 'numeric' }), '-40')).toBeNull();
  });
  it('email shape', () => {
    const f = field({ type: 'email' });
    expect(validate(f, 'sam@example.com')).toBeNull();
    for (const bad of ['sam', 'sam@', 'sam@example', '@example.com', 'sam @example.com', 'sam@example..com']) {
      expect(validate(f, bad), bad).toBe('Enter a valid email address');
    }
  });
  it('date and time parse', () => {
    expect(validate(field({ type: 'date' }), '2024-02-29')).toBeNull();
    expect(validate(field({ type: 'date' }), '2023-02-29')).toBe('Enter a valid date');
    expect(validate(field({ type: 'date' }), 'tomorrow')).toBe('Enter a valid date');
    expect(validate(field({ type: 'time' }), '23:59')).toBeNull();
    expect(validate(field({ type: 'time' }), '09:05:30')).toBeNull();
    expect(validate(field({ type: 'time' }), '24:00')).toBe('Enter a valid time');
  });
  it('select value must be one of the options', () => {
    const f = field({ type: 'select', options: ['Google', 'LinkedIn Ad', 'Twitter Ad'] });
    expect(validate(f, 'LinkedIn Ad')).toBeNull();
    expect(validate(f, 'Bing')).toBe('Choose one of the options');
  });
  it('rating within 1..max (5 when absent)', () => {
    expect(validate(field({ type: 'rating', max: 5 }), '5')).toBeNull();
    expect(validate(field({ type: 'rating', max: 5 }), '6')).toBe('Choose a rating from 1 to 5');
    expect(validate(field({ type: 'rating', max: 10 }), '0')).toBe('Choose a rating from 1 to 10');
    expect(validate(field({ type: 'rating' }), '2.5')).toBe('Choose a rating from 1 to 5');
  });
  it('mask: a valid server regex must match the whole value', () => {
    const f = field({ mask: '[A-Z]{2}\\d{4}' });
    expect(validate(f, 'AB1234')).toBeNull();
    expect(validate(f, 'xAB1234x')).toBe('The value is not in the expected format');
  });
  it('mask: a catastrophic pattern ^(a+)+$ is enforced on the bounded matcher, without a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const f = field({ mask: '^(a+)+$' });
    expect(validate(f, `${'a'.repeat(40)}!`)).toBe('The value is not in the expected format');
    expect(validate(f, 'a'.repeat(40))).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });
  it('mask: invalid or overlong patterns are ignored with a warning; long values are still tested', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(validate(field({ mask: '([unclosed' }), 'anything')).toBeNull();
    expect(validate(field({ mask: `a{1}${'b'.repeat(200)}` }), 'anything')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
    expect(validate(field({ mask: '\\d+' }), 'x'.repeat(1001))).toBe('The value is not in the expected format');
    expect(validate(field({ mask: '\\d+' }), '1'.repeat(5000))).toBeNull();
  });
  it('Lines is a maximum for a multi-line field', () => {
    const f = field({ multiline: true, lines: 2 });
    expect(validate(f, 'one\ntwo')).toBeNull();
    expect(validate(f, 'one\ntwo\nthree')).toBe('Use at most 2 lines');
  });
});

describe('survey: masks that make a backtracking engine exponential are enforced, bounded', () => {
  it.each([
    ['(a+)+', 'aaaa', 'aaa!'], ['(a*)*b', 'aab', 'aaa'], ['(.*)*x', 'abcx', 'abc'], ['((ab)+c)*', 'abcababc', 'abca'],
    ['(x+){2,}', 'xx', 'x'], ['([a-z]+\\d)+', 'ab1c2', 'ab1c'], ['(?:a+)+', 'a', 'b'], ['(\\d?\\d?)+', '123', '12a'],
  ])('%s: accepts %s, refuses %s', (mask, good, bad) => {
    expect(compileMask(mask)?.test(good)).toBe(true);
    expect(compileMask(mask)?.test(bad)).toBe(false);
  });
  it('lookahead (password rules) is enforced too; backreferences and lookbehind are ignored with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(compileMask('(?=.*\\d)(?=.*[A-Z]).{8,}')?.test('Passw0rd!')).toBe(true);
    expect(compileMask('(?=.*\\d)(?=.*[A-Z]).{8,}')?.test('password!')).toBe(false);
    expect(compileMask('(\\w)\\1')).toBeNull();
    expect(compileMask('(?<=a)b')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
  });
  it('compiles a mask once', () => {
    expect(compileMask('\\d{3}')).toBe(compileMask('\\d{3}'));
  });
});

describe('survey: masks a backtracking engine could not bound run on the bounded matcher', () => {
  it.each([
    ['\\w{0,200} five times', '\\w{0,200}'.repeat(5) + '!', `${'a'.repeat(300)}!`],
    ['twenty \\w{0,7}', '\\w{0,7}'.repeat(20) + '!', `${'a'.repeat(100)}!`],
    ['thirteen optional digits', '\\d?'.repeat(13) + '\\d{13}', '1'.repeat(20)],
  ])('enforces %s without a warning', (_, mask, good) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(compileMask(mask)?.test(good)).toBe(true);
    expect(compileMask(mask)?.test(`${good}?`)).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
  it.each([
    '^\\+?\\d{1,3}[- ]?\\(?\\d{3}\\)?[- ]?\\d{3}[- ]?\\d{4}$',
    '\\d{1,2}/\\d{1,2}/\\d{2,4}',
    '\\d{5}(-\\d{4})?',
    '[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}',
    '(?:\\d{3})-?\\d{4}',
    '\\w+?@\\w+\\.\\w{2,10}',
  ])('compiles the everyday mask %s', (mask) => {
    expect(compileMask(mask)).not.toBeNull();
  });
});

describe('survey: masks with several repetitions', () => {
  it('keeps a real-world mask like \\d+-\\d+-\\d+ working', () => {
    const phone = field({ mask: '\\d+-\\d+-\\d+' });
    expect(validate(phone, '0800-123-4567')).toBeNull();
    expect(validate(phone, '0800 123 4567')).not.toBeNull();
  });
  it('enforces a many-repetition mask on long values too (the matcher is linear)', () => {
    const risky = field({ mask: '\\w*\\w*\\w*\\w*x' });
    expect(validate(risky, 'a'.repeat(5000))).toBe('The value is not in the expected format');
    expect(validate(risky, 'abcx')).toBeNull();
    expect(validate(risky, 'abc')).not.toBeNull();
  });
});
