/**
 * Diyalog's application REST API, signed as its developer site documents (diyalog-signing.ts):
 *
 *   POST {apiBase}/v1/application/gettransactionhashforonlinehelp  {customerId, deviceHash}
 *        → 200 {isSuccess, message, transactionHash}   (D1; isSuccess false is a failure)
 *   POST {apiBase}/v1/application/finishonlinehelp                 {customerId, staffId}
 *        → 200 {isSuccess, message, errorCode?}        (only for a chat stuck on Diyalog's side)
 *
 * Both answer 400/401/403 with a message when the signature check fails (D1/D2's table) and
 * 500 with text on an exception. Those are logged for the operator; the caller gets a
 * DiyalogApiError whose `reason` is all a visitor-facing answer may reveal.
 *
 * `TransactionHashIssuer` stays the seam: a site that mints hashes elsewhere passes its own.
 */
import type { TransactionHashIssuer } from './diyalog-channel';
import { dlgDate, dlgHeaders, type DlgCredentials } from './diyalog-signing';

export const TRANSACTION_HASH_PATH = '/v1/application/gettransactionhashforonlinehelp';
export const FINISH_ONLINE_HELP_PATH = '/v1/application/finishonlinehelp';

/**
 * Why a call failed, as much as a browser may learn: `config` (400/401: the relay's request or
 * credentials are wrong), `clock` (403: the relay's clock is off by more than 15 minutes),
 * `refused` (isSuccess false), `failed` (500, an answer we cannot read), `unreachable`.
 */
export type DiyalogFailure = 'config' | 'clock' | 'refused' | 'failed' | 'unreachable';

export class DiyalogApiError extends Error {
  constructor(
    readonly reason: DiyalogFailure,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

/**
 * D2: "Kimlik doğrulama için TLS gereklidir". An `https:` URL, or `http:` on loopback only (the
 * sandbox); returns the URL without trailing slashes, or throws naming `what`.
 */
export function secureBaseUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${what} must be an https: URL`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) throw new Error(`${what} must be an https: URL (http: only on loopback)`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`${what} must not carry credentials, a query or a fragment`);
  return url.href.replace(/\/+$/, '');
}

export interface DiyalogApiOptions {
  /** DIYALOG_API_BASE, e.g. https://api.diyalog.example (the "DIYALOG-SERVER-API-ENDPOINT"). */
  apiBase: string;
  credentials: DlgCredentials;
  fetch?: typeof fetch;
  /** Injected clock for x-dlg-date. */
  now?: () => number;
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface DiyalogApplicationApi extends TransactionHashIssuer {
  /** finishonlinehelp: end a conversation Diyalog still holds (the agent side failed). */
  finishOnlineHelp(request: { customerId: string; staffId: string }): Promise<void>;
}

const MAX_ANSWER = 16 * 1024;
const HASH = /^[\x21-\x7e]{1,512}$/;

/** The first `max` bytes of an answer as text; the rest is not read (a bound on what we hold). */
export async function readCapped(res: Response, max = MAX_ANSWER): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** A vendor's words, fit for one log line. */
export const logSafe = (text: string, max = 300) => text.replace(/[\x00-\x1f\x7f\s]+/g, ' ').trim().slice(0, max);

export function diyalogApplicationApi(opts: DiyalogApiOptions): DiyalogApplicationApi {
  const base = secureBaseUrl(opts.apiBase, 'DIYALOG_API_BASE');
  const resourcePrefix = new URL(base).pathname.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((m: string) => console.warn(`confab relay: ${m}`));

  /** One signed POST; the 200 answer's JSON, or a DiyalogApiError (logged). */
  async function call(path: string, payload: Record<string, string>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(payload);
    const parts = { method: 'POST', contentType: 'application/json', date: dlgDate(new Date(now())), body, resource: `${resourcePrefix}${path}` };
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: dlgHeaders(opts.credentials, parts),
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      text = await readCapped(res);
    } catch (err) {
      log(`diyalog ${path}: unreachable (${logSafe(String(err))})`);
      throw new DiyalogApiError('unreachable', 'Diyalog is unreachable');
    }
    const said = logSafe(text);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      log(`diyalog ${path}: HTTP ${res.status} ${said}${res.status === 403 ? ' (the relay clock must be within 15 minutes of Diyalog\'s)' : ' (check DIYALOG_ACCESS_KEY_ID / _SECRET / _REQUESTER_USER_ID)'}`);
      throw new DiyalogApiError(res.status === 403 ? 'clock' : 'config', said, res.status);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = null;
    }
    if (res.status !== 200 || !answer || typeof answer !== 'object') {
      log(`diyalog ${path}: HTTP ${res.status} ${said}`);
      throw new DiyalogApiError('failed', said, res.status);
    }
    const o = answer as Record<string, unknown>;
    if (o.isSuccess !== true) {
      const message = typeof o.message === 'string' ? logSafe(o.message) : '';
      log(`diyalog ${path}: isSuccess false: ${message}${o.errorCode !== undefined ? ` (errorCode ${logSafe(String(o.errorCode), 20)})` : ''}`);
      throw new DiyalogApiError('refused', message, 200);
    }
    return o;
  }

  return {
    async getTransactionHashForOnlineHelp({ customerId, deviceHash }) {
      const answer = await call(TRANSACTION_HASH_PATH, { customerId, deviceHash });
      const hash = answer.transactionHash;
      if (typeof hash !== 'string' || !HASH.test(hash)) {
        log(`diyalog ${TRANSACTION_HASH_PATH}: isSuccess true without a usable transactionHash`);
        throw new DiyalogApiError('failed', 'no transactionHash', 200);
      }
      return hash;
    },
    async finishOnlineHelp({ customerId, staffId }) {
      await call(FINISH_ONLINE_HELP_PATH, { customerId, staffId });
    },
  };
}

/** DIYALOG_API_BASE / _ACCESS_KEY_ID / _ACCESS_KEY_SECRET / _REQUESTER_USER_ID. */
export const DIYALOG_API_VARS = ['DIYALOG_API_BASE', 'DIYALOG_ACCESS_KEY_ID', 'DIYALOG_ACCESS_KEY_SECRET', 'DIYALOG_REQUESTER_USER_ID'] as const;

/**
 * The API options from the environment: null when none of the variables is set; throws with
 * every problem when some are missing or the base is not https:.
 */
export function diyalogApiFromEnv(env: Record<string, string | undefined>): { apiBase: string; credentials: DlgCredentials } | null {
  const v = Object.fromEntries(DIYALOG_API_VARS.map((k) => [k, env[k]?.trim() ?? ''])) as Record<(typeof DIYALOG_API_VARS)[number], string>;
  if (DIYALOG_API_VARS.every((k) => !v[k])) return null;
  const missing = DIYALOG_API_VARS.filter((k) => !v[k]);
  if (missing.length) throw new Error(`${missing.join(', ')} must be set with the other DIYALOG_API_* variables`);
  return {
    apiBase: secureBaseUrl(v.DIYALOG_API_BASE, 'DIYALOG_API_BASE'),
    credentials: { accessKeyId: v.DIYALOG_ACCESS_KEY_ID, accessKeySecret: v.DIYALOG_ACCESS_KEY_SECRET, requesterUserId: v.DIYALOG_REQUESTER_USER_ID },
  };
}
