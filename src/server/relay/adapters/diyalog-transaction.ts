/**
 * The reference transaction-hash endpoint: steps 1–4 of Diyalog's flow, as a site's server
 * does them. The widget POSTs `{ customerId, deviceHash }` (JSON); this handler asks Diyalog
 * for a transactionHash (gettransactionhashforonlinehelp, through a TransactionHashIssuer that
 * holds the server credentials: by default the signed client of transaction-hash-issuer.ts)
 * and answers `{ transactionHash, customerId }`.
 *
 * Security (D3: "Only server with valid credentials can call this api … This step is important
 * for security"): the credentials never leave the server, and a hash must only be minted for
 * the customer the caller really is. `verifyCustomer` is where a site proves that, from its
 * own signed-in session (the widget calls with credentials 'same-origin', so the site's
 * cookies arrive when the endpoint is on the site's origin). Without it any claimed id gets a
 * hash — right only for anonymous help and the sandbox — and the handler says so when it is
 * created. Rate limits are per client IP as `clientIp` reads it (proxy-aware when the relay
 * is configured for its proxy).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEVICE_HASH_PATTERN } from '../../../transports/diyalog/device-hash';
import { RateLimiter, type RateLimit } from '../rate-limit';
import type { TransactionHashIssuer } from './diyalog-channel';
import { DiyalogApiError } from './transaction-hash-issuer';

export interface TransactionEndpointOptions {
  issuer: TransactionHashIssuer;
  /** Origins allowed to call cross-origin (CORS); same-origin calls need no entry. */
  allowedOrigins: readonly string[];
  /**
   * The customer id this request may get a hash for, proven from the site's own session (a
   * cookie, a bearer token…); null refuses (403). Without it the claimed id is used.
   */
  verifyCustomer?: (req: IncomingMessage, claimed: string) => string | null | Promise<string | null>;
  /** The client's IP for the rate limit (the relay passes its proxy-aware reader). */
  clientIp?: (req: IncomingMessage) => string;
  rate?: RateLimit;
  /** The rate limiter's clock (tests freeze it). */
  now?: () => number;
  /** Where the start-up notice goes (default console.warn). */
  log?: (message: string) => void;
}

const MAX_BODY = 4096;
const ID_PATTERN = /^[\w.@:+-]{1,200}$/;
const peerIp = (req: IncomingMessage) => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/** What the browser may learn of a Diyalog failure (transport.ts turns it into words). */
const REASON_STATUS = { config: 503, clock: 503, refused: 502, failed: 502, unreachable: 504 } as const;

function readSmall(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** A Node request handler for POST (and its CORS preflight); mount it at any path. */
export function createTransactionHashHandler(
  opts: TransactionEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const origins = new Set(opts.allowedOrigins);
  const ipOf = opts.clientIp ?? peerIp;
  if (!opts.verifyCustomer) {
    (opts.log ?? ((m: string) => console.warn(`confab relay: ${m}`)))(
      'Diyalog transaction endpoint: no verifyCustomer hook, so any claimed customerId gets a transactionHash (fit for anonymous help only; see src/server/relay/adapters/DIYALOG.md)',
    );
  }
  const limiter = new RateLimiter(opts.rate ?? { capacity: 20, perMinute: 60 }, opts.now);
  return async (req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    const reply = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(cors['access-control-allow-origin'] ? 204 : 403, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      return reply(405, { error: 'method not allowed' });
    }
    // A foreign page must not mint hashes for its visitors (the browser would block reading
    // the answer, but the call to Diyalog would still be made).
    if (origin && !cors['access-control-allow-origin'] && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
      req.resume();
      return reply(403, { error: 'origin not allowed' });
    }
    if (!limiter.take(ipOf(req))) {
      req.resume();
      return reply(429, { error: 'too many requests' });
    }
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      req.resume();
      return reply(415, { error: 'expected application/json' });
    }
    const text = await readSmall(req);
    if (text === null) return reply(413, { error: 'body too large' });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reply(400, { error: 'invalid JSON' });
    }
    const { customerId, deviceHash } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (typeof customerId !== 'string' || !ID_PATTERN.test(customerId)) return reply(400, { error: 'customerId is missing or invalid' });
    if (typeof deviceHash !== 'string' || !DEVICE_HASH_PATTERN.test(deviceHash)) return reply(400, { error: 'deviceHash is missing or invalid' });
    const customer = opts.verifyCustomer ? await opts.verifyCustomer(req, customerId) : customerId;
    if (!customer) return reply(403, { error: 'not allowed for this customer' });
    try {
      const transactionHash = await opts.issuer.getTransactionHashForOnlineHelp({ customerId: customer, deviceHash });
      // The widget must start with the id the hash was issued for, so it is returned too.
      return reply(200, { transactionHash, customerId: customer });
    } catch (err) {
      // The issuer logged Diyalog's own words; the browser learns only the kind of failure.
      const reason = err instanceof DiyalogApiError ? err.reason : 'failed';
      return reply(REASON_STATUS[reason], { error: 'Diyalog did not issue a transaction hash', reason });
    }
  };
}
