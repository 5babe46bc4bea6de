/**
 * Diyalog's HMAC request signing, as its developer site documents it (D2:
 * diyalog-im.github.io docs/diyalog-api-authentication):
 *
 *   x-dlg-date             "EEE, dd MMM yyyy HH:mm:ss Z", e.g. "Tue, 09 Mar 2021 13:28:32 GMT",
 *                          within ±15 minutes of Diyalog's clock (else 403)
 *   x-dlg-requester-userid the id of the person (or system) the call is made for (audit logs)
 *   x-dlg-authorization    "DLGA " + AccessKeyId + ":" + base64(hmac-sha256(AccessKeySecret, stringToSign))
 *
 *   stringToSign = method \n content-type \n date \n body \n resource
 *
 * The body is the request body exactly as sent (byte for byte), the resource the path after
 * the host. D2's pseudo-code leaves the newline between body and resource out, but its prose
 * ("a newline between each of the values") and its worked example put one there: we follow
 * the prose and the example. D2's sample signature cannot serve as a test vector: it is 20
 * bytes (SHA-1 size) and the page gives no AccessKeySecret (see test/fixtures/diyalog/README.md).
 */
import { createHmac } from 'node:crypto';

export const DLG_DATE_HEADER = 'x-dlg-date';
export const DLG_REQUESTER_HEADER = 'x-dlg-requester-userid';
export const DLG_AUTHORIZATION_HEADER = 'x-dlg-authorization';
/** D2: "+/- 15 dakika". */
export const DLG_MAX_SKEW_MS = 15 * 60_000;

export interface DlgRequestParts {
  method: string;
  contentType: string;
  /** The x-dlg-date value. */
  date: string;
  /** The body exactly as sent ('' for a request without one). */
  body: string;
  /** The path (and query) after the host, e.g. /v1/application/gettransactionhashforonlinehelp. */
  resource: string;
}

/** D2's format: RFC 1123 in GMT, which is what `toUTCString` writes. */
export function dlgDate(at: Date): string {
  return at.toUTCString();
}

export function stringToSign(p: DlgRequestParts): string {
  return [p.method.toUpperCase(), p.contentType, p.date, p.body, p.resource].join('\n');
}

/** base64(hmac-sha256(secret, stringToSign)). */
export function dlgSignature(secret: string, parts: DlgRequestParts): string {
  return createHmac('sha256', secret).update(stringToSign(parts), 'utf8').digest('base64');
}

export interface DlgCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** x-dlg-requester-userid: whose call this is, for Diyalog's audit log. */
  requesterUserId: string;
}

/** The three headers of a signed request (plus its content type). */
export function dlgHeaders(creds: DlgCredentials, parts: DlgRequestParts): Record<string, string> {
  return {
    'content-type': parts.contentType,
    [DLG_DATE_HEADER]: parts.date,
    [DLG_REQUESTER_HEADER]: creds.requesterUserId,
    [DLG_AUTHORIZATION_HEADER]: `DLGA ${creds.accessKeyId}:${dlgSignature(creds.accessKeySecret, parts)}`,
  };
}
