/**
 * The ONE place untrusted markup becomes DOM. Vendor HTML goes through the sanitizer
 * (sanitizer.ts: DOMPurify with a strict allowlist, every href/src through the URL
 * allowlist, links in a new tab without an opener), fetched on demand; before it arrives
 * the HTML shows as plain text. Plain text is rendered as text, with URLs auto-linked
 * through the same allowlist.
 */
import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { htmlToText } from '../core/html-text';
import { safeUrl } from '../core/urls';

type Sanitize = (html: string) => string;

/** The sanitizer once its chunk has arrived; until then vendor HTML shows as its text. */
const sanitizer = signal<Sanitize | null>(null);
let loading: Promise<void> | null = null;

/**
 * Fetches the sanitizer chunk once. The UI calls it when the transport says its lines carry
 * HTML (capability 'html'), so it is there before the first line; <Html> calls it too, for
 * HTML that comes unannounced. A failed fetch is retried on the next call.
 */
export function loadSanitizer(): Promise<void> {
  loading ??= import('./sanitizer').then(
    (m) => {
      sanitizer.value = m.sanitizeHtml;
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

export function Html({ html, class: cls }: { html: string; class?: string }) {
  const sanitize = sanitizer.value;
  // dir=auto: a vendor's English line reads left-to-right inside an Arabic window, and vice versa.
  if (sanitize) return <div class={cls} dir="auto" dangerouslySetInnerHTML={{ __html: sanitize(html) }} />;
  // Not fetched yet (HTML nobody announced, or a slow network): the words now, the formatting
  // when the sanitizer arrives. A failed fetch leaves the words, and is retried on the next line.
  loadSanitizer().catch(() => {});
  return (
    <div class={cls} dir="auto">
      {htmlToText(html)}
    </div>
  );
}

// Bounded, linear pattern: no nested quantifiers, so hostile text cannot make it backtrack.
const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = '.,;:!?)]}';

/**
 * The URL without the punctuation that ends the sentence around it. A loop from the end, not
 * a `[…]+$` regex: that one retries at every position of a long punctuation run (quadratic).
 */
export function trimTrailing(raw: string): string {
  let end = raw.length;
  while (end > 0 && TRAILING.includes(raw[end - 1]!)) end--;
  return raw.slice(0, end);
}

/** Plain text with http(s) URLs turned into safe links; everything else stays text. */
export function LinkedText({ text }: { text: string }) {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const raw = trimTrailing(m[0]);
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
