import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/core/html-text';

describe('htmlToText: the plain text vendor HTML reads as, without a DOM', () => {
  it('drops tags, spaces blocks and line breaks, decodes entities once', () => {
    expect(htmlToText('<p>Hello <b>Ann</b></p><p>Bye<br>now</p>')).toBe('Hello Ann Bye now');
    expect(htmlToText('3 &lt; 5 &amp;amp; &#x41;&#66;')).toBe('3 < 5 &amp; AB');
    expect(htmlToText('a < b and c > d, <5> too')).toBe('a < b and c > d, <5> too');
  });

  it('decodes the named entities servers write (typographic quotes, dashes, accents)', () => {
    expect(htmlToText('It&rsquo;s &ldquo;caf&eacute;&rdquo; &mdash; ok&hellip; &copy; &euro;5')).toBe(
      typeof document === 'undefined' ? 'It’s “caf&eacute;” — ok… © €5' : 'It’s “café” — ok… © €5',
    );
    expect(htmlToText('&AMP; &amp; &Amp; &bogus;')).toBe('& & &Amp; &bogus;');
  });

  it('leaves out what is not prose: scripts, styles, SVG, form fields, comments', () => {
    expect(htmlToText('Hi<script>alert(1)</script><style>p{color:red}</style><svg><text>x</text></svg> there')).toBe('Hi there');
    expect(htmlToText('a<!-- note -->b<select><option>1</option></select>c<textarea>t</textarea>')).toBe('abc');
    expect(htmlToText('<script src=x />after')).toBe('after');
  });

  it('an unclosed script swallows the rest (as a browser would), and hostile input stays linear', () => {
    expect(htmlToText('before<script>never closed <b>x</b>')).toBe('before');
    const hostile = '<script'.repeat(3000) + '<'.repeat(3000) + '>'.repeat(3000);
    const t0 = performance.now();
    htmlToText(hostile);
    // A freeze check, not a speed threshold: quadratic work here would take seconds.
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('htmlToText with line breaks kept', () => {
  it('keeps <br> and block ends as line breaks and decodes entities once', () => {
    expect(htmlToText('<p>Caf&#233;  au\n lait &amp;amp;</p><p>Line<br>two</p>', true)).toBe('Café au lait &amp;\n\nLine\ntwo');
    expect(htmlToText('a<br><br><br><br>b', true)).toBe('a\n\nb');
  });
});
