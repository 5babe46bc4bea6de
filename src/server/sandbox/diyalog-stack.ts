/**
 * The Diyalog journey in the sandbox, as in production:
 *   - the Diyalog simulator: Diyalog's documented REST API (signed calls), the SDK stand-in,
 *     and the customer's queuing service (CreateInteraction / DELETE);
 *   - the Confab relay with the Diyalog adapter (holds the channel, creates and withdraws the
 *     queue interaction, may call finishonlinehelp);
 *   - the site's own server with its transaction-hash endpoint, calling Diyalog's
 *     gettransactionhashforonlinehelp through the real signed client (holds the keys),
 * and the data-* attributes a site owner would put on the script tag.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDiyalogAdapterFactory } from '../relay/adapters/diyalog';
import { httpQueuingService } from '../relay/adapters/diyalog-queue';
import { createTransactionHashHandler } from '../relay/adapters/diyalog-transaction';
import { diyalogApplicationApi } from '../relay/adapters/transaction-hash-issuer';
import { startRelay } from '../relay/server';
import { VisitorSocketCutter } from './visitor-socket-cutter';
import { newId } from '../relay/tokens';
import type { ScriptedAgentOptions } from './agent';
import { connectSandboxDiyalog, startDiyalogSimulator } from './diyalog';
import type { ReceivedFrame } from './types';

export const TRANSACTION_PATH = '/diyalog/transaction-hash';
/**
 * Test-only: a misbehaving (or compromised) site endpoint that answers every visitor with the
 * document's sample hash, which Diyalog never issued: the security check must refuse it.
 */
export const FORGED_TRANSACTION_PATH = '/diyalog/forged-transaction-hash';
export const DOCUMENT_SAMPLE_HASH = '4222f1c04f35dc6b419f4ef5a0c9f2aadc26fc34';
/** D1's sample device hash (standard base64, with `+` and `=`). */
export const DOCUMENT_SAMPLE_DEVICE_HASH = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';

export interface DiyalogStack {
  attributes: Record<string, string>;
  received: ReceivedFrame[];
  /** Requests that broke Diyalog's documented rules (none is expected). */
  violations: string[];
  /** The site's next transaction-hash POST fails with this HTTP status (then succeeds again). */
  failNextStart(status?: number): void;
  /** Fault hook: cut the relay's channel to Diyalog (every SDK connection); Diyalog keeps held chats. */
  dropHelps(): number;
  /** Fault hook: cut every visitor socket; the relay and its sessions stay. */
  dropClients(): number;
  /**
   * Fault hook: stop the relay, run `whileDown`, start it again on the same port with the same
   * keys (a redeploy): tokens still verify, but with the memory store the sessions are gone.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startDiyalogWithRelay(ctx: {
  agent: ScriptedAgentOptions;
  origin: string;
  /** Make the channel behave like a real SDK with its own device hash. */
  sdkDeviceHash?: string;
}): Promise<DiyalogStack> {
  const sim = await startDiyalogSimulator({ agent: ctx.agent });
  const quiet = () => undefined;
  // The site's server and the relay hold the keys; the calls are signed as D2 says.
  const api = diyalogApplicationApi({
    apiBase: sim.apiBase,
    credentials: { ...sim.keys, requesterUserId: 'confab-sandbox' },
    log: quiet,
  });
  const closers: Array<() => Promise<void>> = [() => sim.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const relayConfig = {
      hookSecret: newId(),
      signingKey: newId(32),
      allowedOrigins: [ctx.origin],
      adapters: [createDiyalogAdapterFactory({ channel: ctx.sdkDeviceHash ? connectSandboxDiyalog(sim.apiBase, { sdkDeviceHash: ctx.sdkDeviceHash }) : sim.channel, queue: httpQueuingService(sim.queueUrl), api, log: quiet })],
      drainMs: 500,
      log: () => undefined,
    };
    let relay = await startRelay(relayConfig);
    const visitors = new VisitorSocketCutter();
    visitors.watch(relay);
    const relayPort = Number(new URL(relay.url).port);
    closers.push(() => relay.close());

    // Anonymous help: the sandbox has no signed-in customers to verify.
    const handle = createTransactionHashHandler({ issuer: api, allowedOrigins: [ctx.origin], log: quiet });
    const forged = createTransactionHashHandler({
      issuer: { getTransactionHashForOnlineHelp: async () => DOCUMENT_SAMPLE_HASH },
      allowedOrigins: [ctx.origin],
      log: quiet,
    });
    const failures: number[] = [];
    const site = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      const handler = path === TRANSACTION_PATH ? handle : path === FORGED_TRANSACTION_PATH ? forged : null;
      if (!handler) {
        req.resume();
        res.writeHead(404).end();
        return;
      }
      const failure = req.method === 'POST' ? failures.shift() : undefined;
      if (failure !== undefined) {
        // Readable by the widget (CORS), so it fails on the status, not on a network error.
        req.resume();
        res.writeHead(failure, { 'access-control-allow-origin': ctx.origin, vary: 'Origin' }).end();
        return;
      }
      handler(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          site.closeAllConnections();
          site.close(() => resolve());
        }),
    );
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    return {
      attributes: {
        relay: relay.url,
        transactionUrl: `${siteUrl}${TRANSACTION_PATH}`,
        // The document's sample customer (D3's sample name, so the pre-chat form has nothing to ask).
        customerId: '123458',
        customerName: 'Name of Customer',
        helpType: 'chat',
        waitText: 'Please wait. Our representative will start the chat soon.',
      },
      received: sim.received,
      violations: sim.violations,
      failNextStart: (status = 503) => void failures.push(status),
      dropClients: () => visitors.cut(),
      dropHelps: () => sim.dropHelps(),
      async restart(whileDown) {
        await relay.close();
        await whileDown?.();
        relay = await startRelay({ ...relayConfig, port: relayPort });
        visitors.watch(relay);
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
