/**
 * The reference transaction-hash endpoint: steps 1–4 of Diyalog's flow, as a site's server
 * does them. The widget POSTs `{ customerId, deviceHash }` (JSON); this handler asks Diyalog
 * for a transactionHash (gettransactionhashforonlinehelp, through a TransactionHashIssuer that
 * holds the server credentials) and answers `{ transactionHash }`.
 *
 * Security (the document: "Only server with valid credentials can call this api … This step
 * is important for security"): the credentials never leave the server, and a real site must
 * not trust the customer id the browser claims — pass `resolveCustomer` to take it from the
 * site's own signed-in session (the widget calls with credentials 'same-origin', so the
 * site's cookies arrive when the endpoint is on the site's origin). Without it the claimed id
 * is used, which is right only for anonymous help (and the sandbox).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiter, type RateLimit } from '../rate-limit';
import type { TransactionHashIssuer } from './diyalog-channel';

/** Server credentials from the Diyalog admin. Their real shape is Diyalog's to define. */
export interface DiyalogCredentials {
  id: string;
  secret: string;
}

/** DIYALOG_CREDENTIAL_ID / DIYALOG_CREDENTIAL_SECRET, or null when either is unset. */
export function diyalogCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): DiyalogCredentials | null {
  const id = env.DIYALOG_CREDENTIAL_ID?.trim();
  const secret = env.DIYALOG_CREDENTIAL_SECRET?.trim();
  return id && secret ? { id, secret } : null;
}

export interface TransactionEndpointOptions {
  issuer: TransactionHashIssuer;
  /** Origins allowed to call cross-origin (CORS); same-origin calls need no entry. */
  allowedOrigins: readonly string[];
  /**
   * The customer id this request may get a hash for, from the site's own session; null
   * refuses (403). Default: the id the browser sent.
   */
  resolveCustomer?: (req: IncomingMessage, claimed: string) => string | null | Promise<string | null>;
  rate?: RateLimit;
}

const MAX_BODY = 4096;
const ID_PATTERN = /^[\w.@:+-]{1,200}$/;

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
  const limiter = new RateLimiter(opts.rate ?? { capacity: 20, perMinute: 60 });
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
    if (!limiter.take((req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''))) {
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
    if (typeof deviceHash !== 'string' || !/^[\w-]{8,128}$/.test(deviceHash)) return reply(400, { error: 'deviceHash is missing or invalid' });
    const customer = opts.resolveCustomer ? await opts.resolveCustomer(req, customerId) : customerId;
    if (!customer) return reply(403, { error: 'not allowed for this customer' });
    try {
      const transactionHash = await opts.issuer.getTransactionHashForOnlineHelp({ customerId: customer, deviceHash });
      // The widget must start with the id the hash was issued for, so it is returned too.
      return reply(200, { transactionHash, customerId: customer });
    } catch {
      return reply(502, { error: 'Diyalog did not issue a transaction hash' });
    }
  };
}
