/**
 * Upload a visitor's file to the WhosOn Document Store before the File command.
 *
 * The document names the method (DocumentWriteForSite on the WebServicesURL from the
 * connected event) but not its HTTP shape. Our choice, which the sandbox implements:
 *
 *   POST {WebServicesURL}DocumentWriteForSite   (multipart/form-data)
 *     SessionID  the connected event's SessionID
 *     Domain     the site domain
 *     FileName   the visitor's file name
 *     File       the bytes (with the same file name)
 *   200 → the document URL, as plain text, a JSON string, or JSON `{"Url": "…"}` / `{"URL": …}`
 *
 * Multipart keeps the bytes binary (no base64 inflation) and is what an ASP.NET web
 * service accepts without custom parsing. The returned URL is untrusted: only http(s).
 */
import { safeUrl } from '../../core/urls';

export async function uploadDocument(
  fetchImpl: typeof fetch,
  webServicesUrl: string,
  fields: { sessionId: string; domain: string; name: string; file: Blob },
): Promise<string> {
  const form = new FormData();
  form.append('SessionID', fields.sessionId);
  form.append('Domain', fields.domain);
  form.append('FileName', fields.name);
  form.append('File', fields.file, fields.name);
  const res = await fetchImpl(`${webServicesUrl}DocumentWriteForSite`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`DocumentWriteForSite: HTTP ${res.status}`);
  const url = documentUrl(await res.text(), webServicesUrl);
  if (!url) throw new Error('DocumentWriteForSite: no usable URL in the response');
  return url;
}

/** The document URL in an upload response (see above), absolute and http(s), or null. */
export function documentUrl(body: string, base: string): string | null {
  let value: unknown = body.trim();
  if (/^["{]/.test(body.trim())) {
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    value = o.Url ?? o.URL ?? o.url;
  }
  return safeUrl(value, 'media', base);
}
