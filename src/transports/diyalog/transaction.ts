/**
 * Steps 1–4 of Diyalog's flow from the browser: ask the site's own server (data-transaction-url)
 * for a transactionHash for this customer and device. The site's server holds the Diyalog
 * credentials; the browser never does.
 */
export interface Transaction {
  transactionHash: string;
  /** The id the hash was issued for: the server's answer wins (it knows who is signed in). */
  customerId: string;
}

const PRINTABLE = /^[\x21-\x7e]{1,512}$/;

/** A non-2xx answer; `reason` is the endpoint's word for a Diyalog failure, when it gave one. */
export class TransactionError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
  ) {
    super(`HTTP ${status}${reason ? ` (${reason})` : ''}`);
  }
}

/** Rejects on network failure, a non-2xx answer (TransactionError) or an answer without a hash. */
export async function fetchTransaction(
  url: string,
  body: { customerId: string; deviceHash: string },
  fetchImpl: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<Transaction> {
  const res = await fetchImpl(url, {
    method: 'POST',
    // 'same-origin': the site's session cookie identifies the customer on its own endpoint,
    // and no cookie leaks to a third-party endpoint.
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) {
    const failed = (await res.json().catch(() => null)) as { reason?: unknown } | null;
    throw new TransactionError(res.status, typeof failed?.reason === 'string' ? failed.reason.slice(0, 20) : undefined);
  }
  const data = (await res.json()) as { transactionHash?: unknown; customerId?: unknown } | null;
  const hash = data?.transactionHash;
  if (typeof hash !== 'string' || !PRINTABLE.test(hash)) throw new Error('no transactionHash in the answer');
  const id = data?.customerId;
  return { transactionHash: hash, customerId: typeof id === 'string' && id ? id : body.customerId };
}
