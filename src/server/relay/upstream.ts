/**
 * Calls to a vendor's API with a timeout and retries. Only failures that may be transient are
 * retried (network errors, 408, 429, 5xx).
 *
 * A retried call may arrive twice: a timeout or a lost answer says nothing about whether the
 * vendor acted on the first attempt. So a call is retried on those only when it is idempotent.
 * A call that may duplicate something at the vendor is `idempotent: false` (a ticket, an
 * attachment, and every Omnidesk chat line: neither Omnidesk document promises to drop a
 * repeated messageNumber): it is retried only when the request provably never left this
 * process (connection refused, DNS), and otherwise the failure goes back to the visitor, who
 * can choose to try again.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, timeoutMs: 10_000 };

export interface CallOptions {
  /** Whether doing the call twice is harmless (default true). */
  idempotent?: boolean;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** False only when the request provably never reached the server. */
    readonly mayHaveArrived = true,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * Failures that happen before a single byte of the request is written. Node's fetch wraps them
 * as `TypeError: fetch failed` with the socket's error as `cause` (an AggregateError when
 * several addresses were tried). A reset or timeout after connecting is not among them.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function neverSent(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && NOT_SENT.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => neverSent(x, depth + 1))) return true;
  return neverSent(e.cause, depth + 1);
}

/** The parsed JSON answer (or {} for an empty / non-JSON body) of a successful call. */
export async function callWithRetry(
  fetchImpl: typeof fetch,
  url: string,
  init: () => RequestInit,
  policy: RetryPolicy = DEFAULT_RETRY,
  options: CallOptions = {},
): Promise<unknown> {
  const idempotent = options.idempotent ?? true;
  let last: UpstreamError = new UpstreamError('not attempted', 0, false);
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) await sleep(policy.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    try {
      const res = await fetchImpl(url, { ...init(), signal: AbortSignal.timeout(policy.timeoutMs) });
      const text = await res.text();
      if (res.ok) {
        try {
          return text ? (JSON.parse(text) as unknown) : {};
        } catch {
          return {};
        }
      }
      last = new UpstreamError(`HTTP ${res.status}`, res.status);
    } catch (err) {
      last = new UpstreamError(err instanceof Error ? err.message : String(err), 0, !neverSent(err));
    }
    if (!retryable(last.status)) break;
    // The server answered or may have acted: only an idempotent call may be repeated.
    if (!idempotent && last.mayHaveArrived) break;
  }
  throw last;
}
