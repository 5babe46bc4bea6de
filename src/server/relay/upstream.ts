/**
 * Calls to a vendor's API with a timeout and retries. Only failures that may be transient are
 * retried (network errors, 408, 429, 5xx); adapters make retried calls idempotent (Omnidesk:
 * the same messageNumber), so a request that succeeded but whose answer was lost is harmless.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, timeoutMs: 10_000 };

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** The parsed JSON answer (or {} for an empty / non-JSON body) of a successful call. */
export async function callWithRetry(
  fetchImpl: typeof fetch,
  url: string,
  init: () => RequestInit,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<unknown> {
  let last: UpstreamError = new UpstreamError('not attempted', 0);
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
      last = new UpstreamError(err instanceof Error ? err.message : String(err), 0);
    }
    if (!retryable(last.status)) break;
  }
  throw last;
}
