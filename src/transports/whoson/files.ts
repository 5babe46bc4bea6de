/**
 * A visitor's file: checked against the types the connected event allows, uploaded
 * (upload.ts, a lazy chunk: SOAP 1.1 DocumentWriteForSite shaped like Parker's DocumentWrite,
 * or the site's own `data-upload-url`, multipart in, `{url}` out), then the File command.
 * File has no echo: we confirm the visitor's file message ourselves once File is on the wire.
 * A refusal is said in the visitor's language (`transport.uploadRefused`), a failed request
 * as `transport.uploadFailed` (retryable).
 */
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import * as wire from './encode';
import type { WhosOnTransport } from './transport';

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp)$/i;

export async function sendFile(w: WhosOnTransport, clientId: string, file: Blob, name: string): Promise<void> {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  const allowed = w.config?.allowedFileTypes ?? [];
  if (!allowed.includes(ext)) {
    return w.error('file-type', t('error.fileType', { types: allowed.join(', ') }), false, clientId);
  }
  if (!w.connected()) return w.error('not-connected', t('transport.notConnected'), true, clientId);
  const uploadUrl = safeUrl(w.opt.uploadUrl || null, 'media');
  let url: string;
  try {
    // Uploads are rare: their code (SOAP, base64, multipart) is a chunk of its own.
    const { uploadDocument } = await import('./upload');
    url = await uploadDocument(w.deps.fetch ?? fetch, { webServicesUrl: w.webServices, uploadUrl },
      { sessionId: w.sessionId, domain: w.domain, name, file });
  } catch (e) {
    w.kit.log('upload failed', e);
    const refused = e instanceof Error && (e as { refused?: boolean }).refused === true;
    return w.error(refused ? 'upload-refused' : 'upload', t(refused ? 'transport.uploadRefused' : 'transport.uploadFailed'), !refused, clientId);
  }
  // The socket may have been re-opened while the file went up: File takes today's session.
  const sid = w.sessionId;
  if (!w.write(wire.file(sid, w.domain, name, url))) return;
  const kind = IMAGE_EXT.test(name) ? 'image' : 'file';
  w.kit.emit({
    type: 'message',
    message: {
      id: `${w.chatUid || sid}-file-${clientId}`,
      sender: 'visitor',
      clientId,
      attachments: [{ name, url, kind, ...(file.type ? { mime: file.type } : {}), size: file.size }],
    },
  });
}
