/**
 * Per-session hookpoint URLs (issue 15 row 15). A vendor reaches a chat's hookpoints at
 * `/hook/<secret>/<vendor>/<token>/<route>`: the global secret still gates every hookpoint, and
 * the token (an HMAC of the relay's session id, so nothing is stored) opens only that one chat.
 * A leaked `chatServer` therefore exposes one conversation, not all of them.
 *
 * Tokens use `[A-Za-z0-9-]` only (lowercase hex here), the alphabet Omnidesk's `chatServer`
 * pattern `^[a-zA-Z0-9.:/-]+$` accepts, so they need no escaping in any vendor's field.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from './tokens';

/** 128 bits, hex. */
const TOKEN_HEX_CHARS = 32;

/** The alphabet of every identifier the relay puts in a vendor-visible URL or id. */
export const IDENTIFIER_ALPHABET = /^[A-Za-z0-9-]+$/;

export function hookToken(signingKey: string, sessionId: string): string {
  return createHmac('sha256', signingKey).update(`hook\n${sessionId}`).digest('hex').slice(0, TOKEN_HEX_CHARS);
}

/** Whether `token` (from a hookpoint path; undefined when the path had none) opens this session. */
export function hookTokenOpens(signingKey: string, sessionId: string, token: string | undefined): boolean {
  return token !== undefined && safeEqual(token, hookToken(signingKey, sessionId));
}

/**
 * A hookpoint path split into its parts: `/hook/<secret>/<vendor>[/<token>]/<route>`. The
 * token-less form still routes (so the secret, allowlist, rate and body checks answer as
 * before), but no session is found through it.
 */
export function hookpointPath(parts: readonly string[]): { secret: string; vendor: string; token?: string; route: string } | null {
  if (parts[0] !== 'hook') return null;
  if (parts.length === 4) return { secret: parts[1]!, vendor: parts[2]!, route: parts[3]! };
  if (parts.length === 5) return { secret: parts[1]!, vendor: parts[2]!, token: parts[3]!, route: parts[4]! };
  return null;
}
