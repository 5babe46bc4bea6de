import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrast, onColor, parseHex } from '../../src/core/contrast';

const css = readFileSync(new URL('../../src/ui/styles.css', import.meta.url), 'utf8');

describe('widget stylesheet', () => {
  it('exposes the theme as custom properties on :host and resets inherited page styles', () => {
    const host = /:host\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(host).toContain('all: initial');
    for (const prop of ['--confab-color', '--confab-on-color', '--confab-radius', '--confab-font', '--confab-bg', '--confab-fg', '--confab-muted', '--confab-space']) {
      expect(host).toContain(`${prop}:`);
    }
  });

  it('has a dark theme, an auto theme following the system, and both positions', () => {
    expect(css).toMatch(/\[data-theme='dark'\]/);
    expect(css).toMatch(/prefers-color-scheme: dark\)\s*\{\s*\.confab\[data-theme='auto'\]/);
    expect(css).toMatch(/\[data-position='left'\]/);
    expect(css).toMatch(/\[data-position='right'\]/);
  });

  it('goes full screen on small viewports with a 16px composer font (no iOS zoom)', () => {
    const small = css.slice(css.indexOf('@media (max-width: 480px)'));
    expect(small).toContain('100dvh');
    expect(small).toContain('safe-area-inset');
    expect(small).toMatch(/textarea[^{]*\{[^}]*font-size: 16px/);
  });

  it('shows focus outlines and only animates without a reduced-motion preference', () => {
    expect(css).toMatch(/:focus-visible\s*\{[^}]*outline: 3px solid/);
    expect(css).toMatch(/prefers-reduced-motion: no-preference\)\s*\{[^@]*animation:/);
    expect(css.replace(/@media \(prefers-reduced-motion: no-preference\)\s*\{[\s\S]*?\n\}/g, '')).not.toMatch(/animation:/);
  });
});

describe('brand colour contrast', () => {
  it('picks the text colour with the higher WCAG contrast', () => {
    expect(onColor('#1f5fbf')).toBe('#ffffff');
    expect(onColor('#ffd400')).toBe('#000000');
    expect(onColor('#000000')).toBe('#ffffff');
    for (const c of ['#1f5fbf', '#ffd400', '#00a000', '#777777', '#e91e63']) {
      expect(contrast(c, onColor(c))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('accepts only #rgb / #rrggbb colours', () => {
    expect(parseHex('#ABC')).toBe('#aabbcc');
    expect(parseHex('123456')).toBe('#123456');
    expect(parseHex('red; background: url(x)')).toBeNull();
    expect(parseHex(undefined)).toBeNull();
  });
});
