/**
 * Diyalog's parts of the relay from environment variables:
 *   DIYALOG_API_BASE, DIYALOG_ACCESS_KEY_ID, DIYALOG_ACCESS_KEY_SECRET, DIYALOG_REQUESTER_USER_ID
 *     → the signed REST client (transaction hashes, finishonlinehelp) and the transaction-hash
 *       endpoint at DIYALOG_TRANSACTION_PATH;
 *   DIYALOG_QUEUE_URL → the site's queuing service (CreateInteraction / DELETE).
 * The chat itself needs a DiyalogChannel, which only code can give (DIYALOG.md): a deployment
 * that has one calls `diyalogAdapterFromEnv(env, channel)`.
 */
import type { IncomingMessage } from 'node:http';
import type { RelayRoute } from '../server';
import type { DiyalogChannel } from './diyalog-channel';
import { createDiyalogAdapterFactory, type DiyalogAdapterDeps } from './diyalog';
import { httpQueuingService, type QueuingService } from './diyalog-queue';
import { createTransactionHashHandler, type TransactionEndpointOptions } from './diyalog-transaction';
import { diyalogApiFromEnv, diyalogApplicationApi, secureBaseUrl, type DiyalogApplicationApi } from './transaction-hash-issuer';

export const DEFAULT_TRANSACTION_PATH = '/diyalog/transaction-hash';

export const NO_QUEUE_NOTICE =
  'Diyalog: DIYALOG_QUEUE_URL is not set, so no queue interaction is created and representatives will not be routed chats (D4: CreateInteraction before the help starts)';

type Env = Record<string, string | undefined>;
type Log = (message: string) => void;
const warn: Log = (m) => console.warn(`confab relay: ${m}`);

export interface DiyalogEnvParts {
  api: DiyalogApplicationApi | null;
  queue: QueuingService | null;
  /** Configuration mistakes (the relay refuses to start). */
  problems: string[];
}

/** Reads the variables; reports problems instead of throwing. */
export function diyalogPartsFromEnv(env: Env, log: Log = warn): DiyalogEnvParts {
  const problems: string[] = [];
  let api: DiyalogApplicationApi | null = null;
  let queue: QueuingService | null = null;
  try {
    const opts = diyalogApiFromEnv(env);
    if (opts) api = diyalogApplicationApi({ ...opts, log });
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (env.DIYALOG_QUEUE_URL) {
    try {
      secureBaseUrl(env.DIYALOG_QUEUE_URL, 'DIYALOG_QUEUE_URL');
      queue = httpQueuingService(env.DIYALOG_QUEUE_URL);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { api, queue, problems };
}

/**
 * The transaction-hash endpoint route when the API variables are set. `clientIp` is the relay's
 * proxy-aware reader (one call, so a different reader can replace it in one place).
 */
export function diyalogRoutesFromEnv(
  env: Env,
  opts: { allowedOrigins: readonly string[]; clientIp: (req: IncomingMessage) => string; log?: Log } & Pick<TransactionEndpointOptions, 'verifyCustomer' | 'rate' | 'now'>,
): { routes: RelayRoute[]; problems: string[] } {
  const log = opts.log ?? warn;
  const parts = diyalogPartsFromEnv(env, log);
  const path = env.DIYALOG_TRANSACTION_PATH ?? DEFAULT_TRANSACTION_PATH;
  if (!/^\/[\w/-]{1,200}$/.test(path) || /^\/(hook|files|ws|healthz|readyz)(\/|$)/.test(path))
    parts.problems.push('DIYALOG_TRANSACTION_PATH must be a plain path outside /hook, /files, /ws, /healthz and /readyz');
  if (parts.problems.length || !parts.api) return { routes: [], problems: parts.problems };
  if (!parts.queue) log(NO_QUEUE_NOTICE);
  const handle = createTransactionHashHandler({
    issuer: parts.api,
    allowedOrigins: opts.allowedOrigins,
    clientIp: opts.clientIp,
    log,
    ...(opts.verifyCustomer ? { verifyCustomer: opts.verifyCustomer } : {}),
    ...(opts.rate ? { rate: opts.rate } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { routes: [{ path, handle }], problems: [] };
}

/** The Diyalog adapter for a deployment that has a channel, the rest from the environment. */
export function diyalogAdapterFromEnv(env: Env, channel: DiyalogChannel, extra: Partial<DiyalogAdapterDeps> = {}) {
  const log = extra.log ?? warn;
  const parts = diyalogPartsFromEnv(env, log);
  if (parts.problems.length) throw new Error(parts.problems.join('\n'));
  return createDiyalogAdapterFactory({
    ...extra,
    channel,
    log,
    ...(parts.queue ? { queue: parts.queue } : {}),
    ...(parts.api ? { api: parts.api } : {}),
  });
}
