/**
 * Unguessable ids and HMAC signatures. A visitor's session token is `<id>.<hmac(id)>`: the
 * relay keeps no token table, and nobody without the signing key can mint a token for a
 * session id they learned elsewhere.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function newId(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

export function sign(key: string, purpose: string, value: string): string {
  return createHmac('sha256', key).update(`${purpose}\n${value}`).digest('base64url');
}

/** Constant-time string comparison (lengths may leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionToken(key: string, sessionId: string): string {
  return `${sessionId}.${sign(key, 'session', sessionId)}`;
}

/** The session id inside a genuine token, or null. */
export function verifySessionToken(key: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  return safeEqual(token.slice(dot + 1), sign(key, 'session', id)) ? id : null;
}
