/**
 * Upload a visitor's file before the File command, which carries the returned URL.
 *
 * 1. WhosOn's Document Store (default). The document names the method, DocumentWriteForSite
 *    on the WebServicesURL from the connected event, but not its shape. WhosOn's web services
 *    are ASMX, and Parker's own web client uploads through a SOAP 1.1 call (notes W2,
 *    Parker-Software/WhosOn-WebClient src/components/file/file-menu.js): a `text/xml` POST to
 *    `{webChartsURL}cannedresponseservice.asmx` with `<DocumentWrite xmlns=
 *    "http://www.whoson.com/webservices/kb/">` holding base64 `Contents`, `FileName` and
 *    `Domain`, answered by `<DocumentWriteResult>` with the URL, a result containing "Error"
 *    being a refusal. We send the same envelope to the same service with the site method:
 *
 *      POST {WebServicesURL}cannedresponseservice.asmx    Content-Type: text/xml; charset=utf-8
 *      SOAPAction: "http://www.whoson.com/webservices/kb/DocumentWriteForSite"
 *      <DocumentWriteForSite xmlns="http://www.whoson.com/webservices/kb/">
 *        <Contents>base64</Contents><FileName/><Domain/><SessionID/>
 *      </DocumentWriteForSite>
 *      → <DocumentWriteForSiteResult>URL</DocumentWriteForSiteResult>
 *
 *    A visitor has no operator credentials: the site (Domain) and the chat's SessionID stand
 *    where Parker's operator call has UserName and Password (our choice; nothing public).
 * 2. `data-upload-url`: the site's own endpoint. Contract: a multipart/form-data POST with
 *    `file` (the bytes, with the file name), `name`, `domain` and `sessionId`; a 2xx JSON
 *    answer `{"url": "https://…"}`. Anything else is a refusal.
 *
 * The returned URL is untrusted: only http(s) is passed to File.
 */
import { safeUrl } from '../../core/urls';
import { escapeXml } from './encode';

const KB = 'http://www.whoson.com/webservices/kb/';
export const SOAP_SERVICE = 'cannedresponseservice.asmx';

/** `refused`: the server answered and said no; otherwise the request itself failed. */
export class UploadError extends Error {
  constructor(message: string, readonly refused: boolean) {
    super(message);
  }
}

export interface UploadFields {
  sessionId: string;
  domain: string;
  name: string;
  file: Blob;
}

/** The bytes as base64, in chunks (a spread of a whole file would overflow the call stack). */
async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The SOAP 1.1 request body (every text escaped, so a file name cannot add elements). */
export async function documentWriteEnvelope(f: UploadFields): Promise<string> {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    `<DocumentWriteForSite xmlns="${KB}">` +
    `<Contents>${await base64(f.file)}</Contents><FileName>${escapeXml(f.name)}</FileName>` +
    `<Domain>${escapeXml(f.domain)}</Domain><SessionID>${escapeXml(f.sessionId)}</SessionID>` +
    '</DocumentWriteForSite></soap:Body></soap:Envelope>'
  );
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of `<…DocumentWriteForSiteResult>` in a SOAP answer (entities decoded), or null. */
export function soapResult(xml: string): string | null {
  // No nested quantifiers: linear on any answer.
  const m = /<(?:[A-Za-z_][\w.-]*:)?DocumentWriteForSiteResult(?:\s[^>]*)?>([^<]*)</.exec(xml);
  if (!m) return null;
  return (m[1] ?? '').replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? ''),
  ).trim();
}

async function soapUpload(fetchImpl: typeof fetch, webServicesUrl: string, f: UploadFields): Promise<string> {
  const res = await fetchImpl(`${webServicesUrl}${SOAP_SERVICE}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${KB}DocumentWriteForSite"` },
    body: await documentWriteEnvelope(f),
  });
  const body = await res.text();
  const result = soapResult(body);
  if (!res.ok || result === null) throw new UploadError(`DocumentWriteForSite: HTTP ${res.status}`, true);
  // Parker's client: a result containing "Error" is a refusal.
  if (/error/i.test(result)) throw new UploadError(`DocumentWriteForSite: ${result.slice(0, 200)}`, true);
  const url = safeUrl(result, 'media', webServicesUrl);
  if (!url) throw new UploadError('DocumentWriteForSite: no usable URL', true);
  return url;
}

async function siteUpload(fetchImpl: typeof fetch, uploadUrl: string, f: UploadFields): Promise<string> {
  const form = new FormData();
  form.append('file', f.file, f.name);
  form.append('name', f.name);
  form.append('domain', f.domain);
  form.append('sessionId', f.sessionId);
  const res = await fetchImpl(uploadUrl, { method: 'POST', body: form });
  let url: string | null = null;
  try {
    const json = (await res.json()) as unknown;
    url = typeof json === 'object' && json !== null ? safeUrl((json as { url?: unknown }).url, 'media', uploadUrl) : null;
  } catch {
    url = null;
  }
  if (!res.ok || !url) throw new UploadError(`upload endpoint: HTTP ${res.status}`, true);
  return url;
}

/**
 * Uploads the file and returns its URL. Throws UploadError: `refused` when the server said no,
 * not refused when the request could not be made (network).
 */
export async function uploadDocument(
  fetchImpl: typeof fetch,
  target: { webServicesUrl: string | null; uploadUrl: string | null },
  fields: UploadFields,
): Promise<string> {
  try {
    if (target.uploadUrl) return await siteUpload(fetchImpl, target.uploadUrl, fields);
    if (target.webServicesUrl) return await soapUpload(fetchImpl, target.webServicesUrl, fields);
    throw new UploadError('no web services URL', false);
  } catch (e) {
    if (e instanceof UploadError) throw e;
    throw new UploadError(String(e), false);
  }
}
