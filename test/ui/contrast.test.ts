/** The brand colour's text colour (src/core/contrast.ts). The stylesheet itself is tested in the browser: e2e/styles.spec.ts. */
import { describe, expect, it } from 'vitest';
import { contrast, onColor, parseHex } from '../../src/core/contrast';

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
