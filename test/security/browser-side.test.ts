/**
 * Issue 15, the browser-side parts of rows 13 and 16: auto-linking trims trailing punctuation
 * in linear time, and the iframe guest believes the parent origin its URL names only when
 * the browser's own record of the embedder (ancestorOrigins, else the referrer) agrees.
 */
import { describe, expect, it } from 'vitest';
import { verifiedParentOrigin } from '../../src/embed/frame-origin';
import { trimTrailing } from '../../src/ui/html';

describe('issue 15 rows 13 and 16, browser side', () => {
  it('row 13: trailing punctuation is trimmed from links, and a 200,000-character punctuation run is handled in one pass', () => {
    expect(trimTrailing('https://a.example/x).')).toBe('https://a.example/x');
    expect(trimTrailing('www.a.example/path?q=1,')).toBe('www.a.example/path?q=1');
    expect(trimTrailing('https://a.example/')).toBe('https://a.example/');
    // The `[.,;:!?)\]}]+$` regex retried at every position of such a run: quadratic (0.9 s at 20,000).
    const hostile = `https://a.example/${'.'.repeat(200_000)}x`;
    expect(trimTrailing(hostile)).toBe(hostile);
    expect(trimTrailing(`https://a.example/${'.'.repeat(200_000)}`)).toBe('https://a.example/');
  });

  it('row 16: the frame guest trusts the origin in its URL only when ancestorOrigins confirms it', () => {
    expect(verifiedParentOrigin('https://shop.example.com', ['https://shop.example.com'], '')).toBe('https://shop.example.com');
    // An attacker frames embed.html naming the shop: the browser says who really embeds it.
    expect(verifiedParentOrigin('https://shop.example.com', ['https://evil.example'], 'https://shop.example.com/')).toBeNull();
  });

  it('row 16: without ancestorOrigins (Firefox) the referrer decides; neither: not trusted', () => {
    expect(verifiedParentOrigin('https://shop.example.com', undefined, 'https://shop.example.com/cart?x=1')).toBe('https://shop.example.com');
    expect(verifiedParentOrigin('https://shop.example.com', [], 'https://evil.example/')).toBeNull();
    expect(verifiedParentOrigin('https://shop.example.com', undefined, '')).toBeNull();
    expect(verifiedParentOrigin('not a url', ['https://shop.example.com'], '')).toBeNull();
    expect(verifiedParentOrigin('data:text/html,x', undefined, 'data:text/html,x')).toBeNull();
  });
});
