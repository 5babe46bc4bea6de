/**
 * The call-centre queue a Diyalog customer runs (D4: diyalog-im.github.io docs/
 * diyalog-required-api-queuing-services). Diyalog's flow (D3, and step 9 of our document): an
 * interaction is created in the queue BEFORE the online help is started, and a representative
 * who opens it from the queue starts the chat; if the customer cancels the wait, the
 * interaction is deleted so that no representative is routed to it.
 *
 *   POST   {url}/CreateInteraction  {identityNumber, customerId, attachedData:{string:string}}
 *          → {success, errorMessage, result:{interactionId}}
 *   DELETE {url}/{interactionId}
 *
 * D4's sample answer writes `"interactionId" = "2121212121212"` (not JSON); the site's own
 * service is the other end, so we read that spelling too rather than fail a real deployment.
 */
import { logSafe, readCapped, secureBaseUrl } from './transaction-hash-issuer';

export interface CreateInteraction {
  /** National id number ("" when unknown). */
  identityNumber: string;
  customerId: string;
  /** Passed through untouched to the queue (D4: "completely transparent for Diyalog"). */
  attachedData: Record<string, string>;
}

export interface QueuingService {
  /** Resolves with the interaction id; rejects when the queue did not create one. */
  createInteraction(request: CreateInteraction): Promise<string>;
  deleteInteraction(interactionId: string): Promise<void>;
}

export interface HttpQueueOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Extra headers (e.g. the queue's own authorization), if the site's service needs them. */
  headers?: Record<string, string>;
}

const INTERACTION_ID = /^[\w.:-]{1,128}$/;

/** Parses CreateInteraction's answer: JSON, or D4's sample spelling with `=`. */
export function parseCreateInteraction(text: string): { interactionId: string } | { error: string } {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    try {
      // Only a `"key" = value` pair is rewritten; nothing inside strings is touched by it
      // unless a string itself contains `" =`, which then fails to parse and is refused.
      o = JSON.parse(text.replace(/"\s*=\s*/g, '": '));
    } catch {
      return { error: 'the answer is not JSON' };
    }
  }
  const a = (o && typeof o === 'object' ? o : {}) as Record<string, unknown>;
  if (a.success !== true) return { error: typeof a.errorMessage === 'string' && a.errorMessage ? logSafe(a.errorMessage) : 'success is not true' };
  const result = (a.result && typeof a.result === 'object' ? a.result : {}) as Record<string, unknown>;
  const id = typeof result.interactionId === 'number' && Number.isSafeInteger(result.interactionId) ? String(result.interactionId) : result.interactionId;
  if (typeof id !== 'string' || !INTERACTION_ID.test(id)) return { error: 'no usable interactionId' };
  return { interactionId: id };
}

/** DIYALOG_QUEUE_URL: the site's queuing service over HTTPS. */
export function httpQueuingService(rawUrl: string, opts: HttpQueueOptions = {}): QueuingService {
  const base = secureBaseUrl(rawUrl, 'DIYALOG_QUEUE_URL');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeout = () => AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  return {
    async createInteraction(request) {
      const res = await doFetch(`${base}/CreateInteraction`, {
        method: 'POST',
        headers: { ...opts.headers, 'content-type': 'application/json' },
        body: JSON.stringify(request),
        redirect: 'error',
        signal: timeout(),
      });
      const text = await readCapped(res);
      if (!res.ok) throw new Error(`CreateInteraction: HTTP ${res.status}`);
      const parsed = parseCreateInteraction(text);
      if ('error' in parsed) throw new Error(`CreateInteraction: ${parsed.error}`);
      return parsed.interactionId;
    },
    async deleteInteraction(interactionId) {
      if (!INTERACTION_ID.test(interactionId)) throw new Error('DELETE interaction: invalid id');
      const res = await doFetch(`${base}/${encodeURIComponent(interactionId)}`, { method: 'DELETE', headers: { ...opts.headers }, redirect: 'error', signal: timeout() });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok && res.status !== 404) throw new Error(`DELETE interaction: HTTP ${res.status}`);
    },
  };
}
