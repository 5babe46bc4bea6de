/**
 * Theme values the CSS cannot compute itself: the text colour that reads best on the
 * site's brand colour (WCAG relative luminance), and the full-screen breakpoint.
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
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return `#${h.toLowerCase()}`;
}

export function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or black (one of them always reaches 4.58:1), whichever contrasts more with `color`. */
export function onColor(color: string): string {
  return contrast(color, '#ffffff') >= contrast(color, '#000000') ? '#ffffff' : '#000000';
}
