// @vitest-environment happy-dom
/** In a browser every HTML entity is known: what the live region says for a vendor's HTML line. */
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/core/html-text';

describe('htmlToText with a DOM', () => {
  it('decodes every named entity, and markup inside the text stays text', () => {
    expect(htmlToText('Caf&eacute; &Eacute;cole &frac12; &hearts; &mdash; 3 &lt; 5')).toBe('Café École ½ ♥ — 3 < 5');
    expect(htmlToText('&lt;img src=x onerror=alert(1)&gt;')).toBe('<img src=x onerror=alert(1)>');
  });
});
