/**
 * Style a shadow root without tripping a strict Content-Security-Policy: a constructed sheet
 * (adoptedStyleSheets) is not inline style, so `style-src 'self'` allows it. A site that
 * gives data-nonce gets a <style nonce> instead (it works in engines without constructable
 * sheets, e.g. Safari < 16.4, and under a nonce-based policy).
 */
export function adoptCss(root: ShadowRoot, textContent: string, nonce?: string): void {
  if (nonce || !root.adoptedStyleSheets) {
    return void root.prepend(Object.assign(document.createElement('style'), { nonce: nonce ?? '', textContent }));
  }
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(textContent);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
