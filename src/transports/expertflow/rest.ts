/**
 * ExpertFlow's REST side and the browser bits it needs: ids for the init request, the
 * document's language code, and the transcript (`GET /api/customer/transcript/{id}/{pdf|email}`),
 * which has no address parameter: the server mails the address given at init, so "email me"
 * is offered only when one was given. A 404 before the server has closed the chat is "not
 * available yet".
 */
import type { ConfabEventBody } from '../../core/contract';
import type { StorageLike } from '../../core/persistence';
import type { MessageKey } from '../../core/i18n';
import type { Conversation } from './resume';

export function uuid(): string {
  // crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sessionStore(): StorageLike | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The document's `language` is a language code ("en"): the primary subtag of the locale. */
export function languageCode(locale: string): string {
  return (/^[a-z]{2,3}/i.exec(locale)?.[0] ?? 'en').toLowerCase();
}

function download(pdf: Blob, fileName: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(pdf);
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/**
 * Asks for the transcript and says how it went: an `ack`, or an error by its code. Positional
 * arguments: the transport chunk's budget is tight, and the minifier shortens these.
 */
export async function transcript(
  format: 'pdf' | 'email',
  c: Conversation | null,
  server: string | null,
  doFetch: typeof fetch,
  save: ((pdf: Blob, fileName: string) => void) | undefined,
  emit: (body: ConfabEventBody) => void,
  error: (code: string, key: MessageKey) => void,
  log: (message: string, ...details: unknown[]) => void,
): Promise<void> {
  if (!c || !server) return error('transcript-unavailable', 'error.transcriptNotReady');
  // The document's URL has no address parameter: the server mails the address given at
  // init, so without one there is nobody to mail (the widget does not offer it then).
  if (format === 'email' && !c.email) return error('unsupported', 'error.notAllowed');
  try {
    const res = await doFetch(`${server}/api/customer/transcript/${encodeURIComponent(c.id)}/${format}`);
    // "In the case of an ongoing chat session, the response will be Error 404": the server
    // has not closed the chat yet (an end on its way): not yet, not a failure.
    if (res.status === 404) return error('transcript-unavailable', 'error.transcriptNotYet');
    if (!res.ok) throw new Error(`transcript ${res.status}`);
    if (format === 'pdf') {
      const pdf = new Blob([await res.arrayBuffer()], { type: 'application/pdf' });
      (save ?? download)(pdf, `transcript-${c.id}.pdf`);
    }
    emit({ type: 'ack', what: 'transcript', detail: format });
  } catch (err) {
    log('transcript request failed', err);
    error('transcript-failed', 'error.transcriptFailed');
  }
}
