// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/core/html-text';
import { Html, LinkedText } from '../../src/ui/html';
import { sanitizeHtml } from '../../src/ui/sanitizer';

afterEach(cleanup);

function parse(html: string): HTMLTemplateElement {
  const tpl = document.createElement('template');
  tpl.innerHTML = sanitizeHtml(html);
  return tpl;
}

// Real DOMPurify here. Under happy-dom it mangles harmless markup (its authors do not
// support DOM emulations), so these tests assert only what must never get through;
// html-allowlist.test.tsx proves our own allowlist pass on its own.
describe('HTML sanitizer', () => {
  it('drops scripts, styles, iframes, forms and event handlers', () => {
    const out = parse(
      '<b>Hi!</b><img src="https://x.test/a.png" onerror="alert(1)"><script>alert(2)</script><style>*{}</style>' +
        '<form action="https://evil.test"><input name=a></form>' +
        '<p style="color:red" onclick="alert(3)" class="x" id="y">text</p><svg><script>alert(4)</script></svg>',
    ).content;
    expect(out.querySelector('script, style, form, input, svg')).toBeNull();
    for (const el of Array.from(out.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) expect(['href', 'src', 'alt', 'title', 'target', 'rel']).toContain(attr.name);
    }
    expect(out.querySelector('img')?.getAttribute('src')).toBe('https://x.test/a.png');
  });

  it('forces links to a new tab without opener and checks their scheme', () => {
    const out = parse('<a href="https://example.com/x">ok</a><a href="javascript:alert(1)">bad</a><a href=" jav&#x09;ascript:alert(1)">bad2</a><a href="mailto:a@b.c">mail</a>').content;
    for (const a of Array.from(out.querySelectorAll('a'))) {
      expect(a.getAttribute('href') ?? 'https:').toMatch(/^(https:|mailto:)/);
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('allows data: images but not data: HTML or javascript: images', () => {
    const out = parse('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><img src="data:text/html;base64,PHNjcmlwdD4=" alt="bad"><img src="javascript:alert(1)" alt="bad2">').content;
    for (const img of Array.from(out.querySelectorAll('img'))) expect(img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  });

  it('renders sanitized HTML through <Html>, before and after the sanitizer arrives', async () => {
    const { container } = render(<Html html={'<i>fine</i><img src=x onerror="alert(1)">'} />);
    expect(screen.getByText('fine')).toBeTruthy();
    await waitFor(() => expect(container.querySelector('img')).not.toBeNull()); // the sanitized markup
    expect(container.querySelector('[onerror]')).toBeNull();
    expect(screen.getByText('fine')).toBeTruthy();
  });

  it('turns HTML into the text a screen reader should hear', () => {
    expect(htmlToText('<p>Hello <b>Ann</b></p><script>alert(1)</script>')).toBe('Hello Ann');
  });
});

describe('plain text with links', () => {
  it('links http(s) and www URLs, leaving trailing punctuation and other text as text', () => {
    render(<p data-testid="p"><LinkedText text="See https://example.com/a?b=1. Or www.acme.test, <b>not html</b>" /></p>);
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a?b=1', 'https://www.acme.test/']);
    expect(links.every((a) => a.getAttribute('rel') === 'noopener noreferrer' && a.getAttribute('target') === '_blank')).toBe(true);
    expect(screen.getByTestId('p').textContent).toBe('See https://example.com/a?b=1. Or www.acme.test, <b>not html</b>');
    expect(screen.getByTestId('p').querySelector('b')).toBeNull();
  });

  it('never links a javascript: URL written in text', () => {
    render(<p><LinkedText text="javascript:alert(1) and http://ok.test" /></p>);
    expect(screen.getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual(['http://ok.test/']);
  });
});
