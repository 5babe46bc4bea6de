/**
 * A TransactionHashIssuer over HTTP, for the relay's own transaction-hash endpoint
 * (DIYALOG_TRANSACTION_HASH_URL). Diyalog's document names gettransactionhashforonlinehelp
 * but not its URL, request or credential form (see DIYALOG.md), so this is the careful
 * guess: POST JSON `{ customerId, deviceHash }` with the credentials as HTTP Basic
 * (id:secret), answer JSON `{ transactionHash }`. If Diyalog's real API differs, supply
 * another issuer to createTransactionHashHandler; nothing else changes.
 */
import type { TransactionHashIssuer } from './diyalog-channel';
import type { DiyalogCredentials } from './diyalog-transaction';

export function httpTransactionHashIssuer(url: string, credentials: DiyalogCredentials, timeoutMs = 10_000): TransactionHashIssuer {
  const authorization = `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`;
  return {
    async getTransactionHashForOnlineHelp(request) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ customerId: request.customerId, deviceHash: request.deviceHash }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { transactionHash?: unknown };
      if (!res.ok || typeof body.transactionHash !== 'string' || !body.transactionHash || body.transactionHash.length > 512) {
        throw new Error(`gettransactionhashforonlinehelp: HTTP ${res.status}`);
      }
      return body.transactionHash;
    },
  };
}
