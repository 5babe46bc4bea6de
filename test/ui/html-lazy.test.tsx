// @vitest-environment happy-dom
/**
 * <Html> before and after the sanitizer chunk arrives. DOMPurify is a pass-through here
 * (under happy-dom the real one mangles harmless markup) so the formatting can be seen;
 * our own allowlist pass still runs.
 */
import { cleanup, render, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('dompurify', () => ({ default: () => ({ sanitize: (html: string) => html }) }));
const { Html } = await import('../../src/ui/html');
const { htmlToText } = await import('../../src/core/html-text');

afterEach(cleanup);

describe('<Html> with the sanitizer fetched on demand', () => {
  it('shows the words as plain text at once, then the sanitized markup when the sanitizer arrives', async () => {
    const html = '<p>See <b>this</b> <a href="javascript:alert(1)">link</a></p><img src=x onerror="alert(1)"><script>alert(2)</script>';
    const { container } = render(<Html html={html} />);
    const box = container.firstElementChild as HTMLElement;
    // First frame: text only, never markup, and no script text.
    expect(box.textContent).toBe('See this link');
    expect(box.children).toHaveLength(0);
    // Rendering it asked for the sanitizer; the same element then shows formatting.
    await waitFor(() => expect(box.querySelector('p b')?.textContent).toBe('this'));
    expect(box.textContent).toBe('See this link'); // the plain words were replaced, not kept beside the markup
    expect(box.querySelector('script, [onerror]')).toBeNull();
    expect(box.querySelector('a')?.hasAttribute('href')).toBe(false);
    expect(box.getAttribute('dir')).toBe('auto');
  });

  it('announces vendor HTML as its words only', () => {
    expect(htmlToText('<p>Hello <b>Ann</b></p><script>alert(1)</script><style>p{}</style>')).toBe('Hello Ann');
  });
});
