/**
 * Markdown → HTML for vendors whose lines carry Markdown (Tencent's robot rich text, src 30).
 * A chunk of its own: `marked` is ~12 KB gzip, fetched only when such a line arrives.
 *
 * The HTML it returns is vendor HTML like any other: untrusted (Markdown lets raw HTML and any
 * link through), so it goes in a line's `html` and is sanitized where it is rendered
 * (src/ui/html.tsx), never here. Tencent's own plugin renders it unsanitized; we do not.
 */
import { Marked } from 'marked';
import { capText } from '../core/contract';

// One private instance: options set here never leak into another user of `marked`.
// `breaks`: a chat answer's single line breaks are meant as line breaks.
const marked = new Marked({ gfm: true, breaks: true, async: false });

export function markdownToHtml(source: string): string {
  return marked.parse(capText(source), { async: false });
}
