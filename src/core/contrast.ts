/**
 * The text colour that reads best on the site's brand colour (WCAG relative luminance). The
 * loader uses it to paint the launcher before the app exists, the UI and setTheme after: one
 * implementation, small enough for the loader's budget.
 */
const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** `#rrggbb` for a valid #rgb / #rrggbb colour, else null. */
export function parseHex(raw: string | undefined): string | null {
  const m = raw ? HEX.exec(raw.trim()) : null;
  if (!m?.[1]) return null;
  return `#${(m[1].length === 3 ? m[1].replace(/\w/g, (c) => c + c) : m[1]).toLowerCase()}`;
}

/** Relative luminance of `#rgb` or `#rrggbb`. */
export function luminance(hex: string): number {
  const n = parseInt(hex.length === 4 ? hex.slice(1).replace(/\w/g, (c) => c + c) : hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Black or white, whichever contrasts more with `color` (one of them always reaches 4.58:1).
 * Black wins above luminance 0.179, where (L + 0.05) / 0.05 = 1.05 / (L + 0.05).
 */
export function onColor(color: string): string {
  return luminance(color) > 0.179 ? '#000000' : '#ffffff';
}
