/**
 * The sanitizer for vendor HTML: DOMPurify with a strict allowlist, then our own inert
 * pass. It is a chunk of its own (DOMPurify is ~11 KB gzip, a third of the app): only
 * vendors whose lines carry HTML (capability 'html': WhosOn, Omnidesk) fetch it, and they
 * fetch it as the transport connects. html.tsx is still the one place markup becomes DOM.
 */
import createDOMPurify, { type DOMPurify } from 'dompurify';
import { safeUrl } from '../core/urls';

const ALLOWED_TAGS = [
  'a', 'b', 'strong', 'i', 'em', 'u', 's', 'br', 'p', 'div', 'span', 'ul', 'ol', 'li',
  'blockquote', 'code', 'pre', 'img', 'small', 'sub', 'sup', 'hr', 'h3', 'h4',
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title'];

const TAGS = new Set(ALLOWED_TAGS.map((x) => x.toUpperCase()));
const ATTRS = new Set(ALLOWED_ATTR);

let purifier: DOMPurify | null = null;

/**
 * DOMPurify does the hard part (parser differentials, mXSS, namespaces). Then one inert
 * pass enforces our own rules on what it kept: only allowlisted tags and attributes,
 * every href/src through safeUrl, links in a new tab without an opener. The pass also
 * keeps the guarantee where DOMPurify cannot be trusted (its authors do not support
 * DOM emulations such as happy-dom, which our component tests run in).
 */
export function sanitizeHtml(html: string): string {
  purifier ??= createDOMPurify(window);
  const clean = purifier.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    // safeUrl decides below; DOMPurify's own URI check would drop data: images we allow.
    ALLOWED_URI_REGEXP: /^(?:https?|mailto|tel|data):/i,
  });
  const tpl = document.createElement('template'); // inert: nothing loads or runs here
  tpl.innerHTML = clean;
  for (const el of Array.from(tpl.content.querySelectorAll('*'))) {
    if (!TAGS.has(el.nodeName)) {
      el.remove();
      continue;
    }
    for (const { name } of Array.from(el.attributes)) if (!ATTRS.has(name)) el.removeAttribute(name);
    if (el.nodeName === 'A') {
      const href = safeUrl(el.getAttribute('href'), 'link');
      el.removeAttribute('href');
      if (href) el.setAttribute('href', href);
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    } else if (el.nodeName === 'IMG') {
      const src = safeUrl(el.getAttribute('src'), 'image');
      if (src) el.setAttribute('src', src);
      else el.remove();
    } else {
      el.removeAttribute('src');
      el.removeAttribute('href');
    }
  }
  return tpl.innerHTML;
}
