import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockTime } from '../../src/ui/time';

describe('times in the visitor locale', () => {
  const at = Date.UTC(2024, 0, 15, 14, 5);
  it('follows the tag: 12-hour for en-US, 24-hour for de, Arabic digits for ar-EG', () => {
    const opts = { hour: '2-digit', minute: '2-digit' } as const;
    expect(clockTime(at, 'en-US')).toBe(new Intl.DateTimeFormat('en-US', opts).format(at));
    expect(clockTime(at, 'de-DE')).toBe(new Intl.DateTimeFormat('de-DE', opts).format(at));
    expect(clockTime(at, 'en-US')).toMatch(/PM|AM/);
    expect(clockTime(at, 'de-DE')).not.toMatch(/PM|AM/);
    expect(clockTime(at, 'ar-EG')).toMatch(/[٠-٩]/);
  });

  it('survives a tag Intl rejects', () => {
    expect(clockTime(at, 'not a tag!')).toMatch(/\d/);
  });
});

describe('widget CSS mirrors for right-to-left', () => {
  const dir = new URL('../../src/ui/', import.meta.url);
  const sheets = readdirSync(dir).filter((f) => f.endsWith('.css'));
  it('uses logical properties: no physical left/right margins, paddings, borders or alignment', () => {
    expect(sheets.length).toBeGreaterThan(0);
    for (const f of sheets) {
      const css = readFileSync(new URL(f, dir), 'utf8');
      expect(css, f).not.toMatch(/(margin|padding|border)-(left|right)\b|text-align:\s*(left|right)|float:\s*(left|right)/);
    }
  });

  it('keeps the window in the configured corner (physical, not mirrored)', () => {
    const css = readFileSync(new URL('styles.css', dir), 'utf8');
    expect(css).toMatch(/\[data-position='right'\] \.confab-window \{ right:/);
    expect(css).toMatch(/\[data-position='left'\] \.confab-window \{ left:/);
  });
});
