/**
 * Every URL from a vendor or a visitor passes here before it becomes a link, an image
 * or a media source. Only http(s), mailto and tel make links; data: is allowed for
 * images only (WhosOn sends site images as base64), and never data:text/html.
 */
export type UrlUse = 'link' | 'image' | 'media';

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:']);
const MEDIA_SCHEMES = new Set(['http:', 'https:']);
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|bmp|avif);base64,[a-z0-9+/=\s]*$/i;

/** The URL made absolute and safe for its use, or null when it must not be used. */
export function safeUrl(raw: unknown, use: UrlUse, base?: string): string | null {
  if (typeof raw !== 'string') return null;
  // Browsers ignore ASCII whitespace and control characters inside schemes ("java\tscript:").
  const trimmed = raw.replace(/[\u0000-\u0020\u007f-\u009f]+/g, (m, offset: number) =>
    offset === 0 || offset + m.length === raw.length ? '' : m.includes(' ') ? ' ' : '',
  );
  if (!trimmed) return null;
  if (use === 'image' && /^data:/i.test(trimmed)) {
    return DATA_IMAGE.test(trimmed) ? trimmed : null;
  }
  let url: URL;
  try {
    url = new URL(trimmed, base ?? (typeof location !== 'undefined' ? location.href : undefined));
  } catch {
    return null;
  }
  const allowed = use === 'link' ? LINK_SCHEMES : MEDIA_SCHEMES;
  return allowed.has(url.protocol) ? url.href : null;
}
