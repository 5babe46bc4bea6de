// @vitest-environment happy-dom
/**
 * Our own allowlist pass in src/ui/sanitizer.ts, with DOMPurify replaced by a pass-through:
 * even if DOMPurify let everything through, only allowlisted tags, attributes and URL
 * schemes would survive. (Under happy-dom the real DOMPurify mangles harmless markup,
 * so formatting can only be checked this way; real browsers run the real thing in e2e.)
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('dompurify', () => ({ default: () => ({ sanitize: (html: string) => html }) }));
const { sanitizeHtml } = await import('../../src/ui/sanitizer');

const parse = (html: string) => {
  const tpl = document.createElement('template');
  tpl.innerHTML = sanitizeHtml(html);
  return tpl.content;
};

describe('sanitizer allowlist pass', () => {
  it('keeps harmless formatting', () => {
    const out = parse('<p>Hello <b>there</b> <em>you</em></p><ul><li>one</li></ul>');
    expect(out.querySelector('p b')?.textContent).toBe('there');
    expect(out.querySelector('ul li')?.textContent).toBe('one');
  });

  it('removes elements and attributes outside the allowlist even if the purifier kept them', () => {
    const out = parse('<p style="x" onclick="alert(1)" class="c">a<script>alert(2)</script><iframe></iframe><form><input></form><img src="https://x.test/i.png" onerror="alert(3)"></p>');
    expect(out.querySelector('script, iframe, form, input')).toBeNull();
    expect(Array.from(out.querySelector('p')?.attributes ?? []).map((a) => a.name)).toEqual([]);
    expect(Array.from(out.querySelector('img')?.attributes ?? []).map((a) => a.name)).toEqual(['src']);
  });

  it('forces links to a new tab without opener and drops unsafe hrefs', () => {
    const [ok, bad, mail] = Array.from(parse('<a href="https://example.com/x">ok</a><a href="javascript:alert(1)">bad</a><a href="mailto:a@b.c">mail</a>').querySelectorAll('a'));
    expect(ok?.getAttribute('href')).toBe('https://example.com/x');
    expect(ok?.getAttribute('target')).toBe('_blank');
    expect(ok?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(bad?.hasAttribute('href')).toBe(false);
    expect(bad?.textContent).toBe('bad');
    expect(mail?.getAttribute('href')).toBe('mailto:a@b.c');
  });

  it('keeps data: and https images, removes data:text/html and javascript: images', () => {
    const out = parse('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><img src="data:text/html;base64,PHNjcmlwdD4=" alt="bad"><img src="javascript:alert(1)" alt="bad2"><img src="https://x.test/a.png" alt="ok">');
    expect(Array.from(out.querySelectorAll('img')).map((i) => i.getAttribute('alt'))).toEqual(['logo', 'ok']);
  });
});
