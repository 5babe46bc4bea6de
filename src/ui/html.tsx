/**
 * The ONE place untrusted markup becomes DOM. Vendor HTML goes through DOMPurify with a
 * strict allowlist; every href/src goes through the URL allowlist (safeUrl); links open
 * in a new tab without an opener. Plain text is rendered as text, with URLs auto-linked
 * through the same allowlist.
 */
import createDOMPurify, { type DOMPurify } from 'dompurify';
import type { ComponentChildren } from 'preact';
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

export function Html({ html, class: cls }: { html: string; class?: string }) {
  // dir=auto: a vendor's English line reads left-to-right inside an Arabic window, and vice versa.
  return <div class={cls} dir="auto" dangerouslySetInnerHTML={{ __html: sanitizeHtml(html) }} />;
}

// Bounded, linear pattern: no nested quantifiers, so hostile text cannot make it backtrack.
const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/** Plain text with http(s) URLs turned into safe links; everything else stays text. */
export function LinkedText({ text }: { text: string }) {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const raw = m[0].replace(TRAILING, '');
    const start = m.index ?? 0;
    const href = safeUrl(raw.startsWith('www.') ? `https://${raw}` : raw, 'link');
    if (!href) continue;
    out.push(text.slice(last, start));
    out.push(
      <a href={href} target="_blank" rel="noopener noreferrer">
        {raw}
      </a>,
    );
    last = start + raw.length;
  }
  out.push(text.slice(last));
  return <>{out}</>;
}

/** The text a screen reader should hear for vendor HTML (sanitized first, never executed). */
export function htmlToText(html: string): string {
  const tpl = document.createElement('template');
  tpl.innerHTML = sanitizeHtml(html);
  return (tpl.content.textContent ?? '').replace(/\s+/g, ' ').trim();
}
