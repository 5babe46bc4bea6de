/**
 * Which parent the iframe guest may trust. The `origin` in its own URL is whatever the page
 * that framed it wrote, so on its own it proves nothing: any site can frame embed.html with
 * `origin=<itself>` and drive the chat. The guest believes it only when the browser's own
 * record of the embedder agrees: `location.ancestorOrigins[0]` (Chromium, WebKit: cannot be
 * set by a page), else the origin of `document.referrer` (the host's frame asks for
 * `referrerpolicy="origin"`, so it is there whatever the page's own policy; a page can
 * withhold it, never forge another). Neither available: not trusted (fail closed).
 */
export function verifiedParentOrigin(
  claimed: string | null,
  ancestorOrigins: ArrayLike<string> | undefined,
  referrer: string,
): string | null {
  let origin: string;
  try {
    origin = new URL(claimed ?? '').origin;
  } catch {
    return null;
  }
  if (origin === 'null') return null;
  if (ancestorOrigins && ancestorOrigins.length > 0) return ancestorOrigins[0] === origin ? origin : null;
  if (!referrer) return null;
  try {
    return new URL(referrer).origin === origin ? origin : null;
  } catch {
    return null;
  }
}
