/**
 * How the visitor gets a Tencent userID: POST `{visitorId, userID?}` as JSON to
 * data-user-sig-url with credentials 'same-origin', expecting `{userID, userSig}` (see
 * transport.ts's header). The userSig is never minted in the browser.
 */
import type { DeskCredentials } from './client';

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export async function fetchCredentials(url: string, visitorId: string, userID?: string): Promise<DeskCredentials> {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitorId, ...(userID && { userID }) }),
  });
  if (!res.ok) throw new Error(`userSig endpoint answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isRecord(body) || typeof body.userID !== 'string' || typeof body.userSig !== 'string' || !body.userID || !body.userSig) {
    throw new Error('userSig endpoint answered without {userID, userSig}');
  }
  return { userID: body.userID, userSig: body.userSig };
}
