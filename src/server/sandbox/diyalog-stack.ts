/**
 * The Diyalog journey in the sandbox, three servers as in production:
 *   - the Diyalog simulator (stands in for Diyalog's SDK backend and REST API),
 *   - the Confab relay with the Diyalog adapter (holds the channel to "Diyalog"),
 *   - the site's own server with its transaction-hash endpoint (holds the credentials),
 * and the data-* attributes a site owner would put on the script tag.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDiyalogAdapterFactory } from '../relay/adapters/diyalog';
import { createTransactionHashHandler, diyalogCredentialsFromEnv } from '../relay/adapters/diyalog-transaction';
import { startRelay } from '../relay/server';
import { newId } from '../relay/tokens';
import type { ScriptedAgentOptions } from './agent';
import { startDiyalogSimulator } from './diyalog';
import type { ReceivedFrame } from './types';

export const TRANSACTION_PATH = '/diyalog/transaction-hash';

export interface DiyalogStack {
  attributes: Record<string, string>;
  received: ReceivedFrame[];
  close(): Promise<void>;
}

export async function startDiyalogWithRelay(ctx: { agent: ScriptedAgentOptions; origin: string }): Promise<DiyalogStack> {
  const sim = await startDiyalogSimulator({ agent: ctx.agent, credentials: diyalogCredentialsFromEnv() ?? undefined });
  const closers: Array<() => Promise<void>> = [() => sim.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const relay = await startRelay({
      hookSecret: newId(),
      signingKey: newId(32),
      allowedOrigins: [ctx.origin],
      adapters: [createDiyalogAdapterFactory({ channel: sim.channel })],
      drainMs: 500,
      log: () => undefined,
    });
    closers.push(() => relay.close());

    const handle = createTransactionHashHandler({ issuer: sim.channel, allowedOrigins: [ctx.origin] });
    const site = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== TRANSACTION_PATH) {
        req.resume();
        res.writeHead(404).end();
        return;
      }
      handle(req, res).catch(() => {
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
        // The document's sample customer.
        customerId: '123458',
        helpType: 'chat',
        waitText: 'Please wait. Our representative will start the chat soon.',
      },
      received: sim.received,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
