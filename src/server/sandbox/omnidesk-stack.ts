/**
 * The Omnidesk journey in the sandbox: the Omnidesk simulator behind a Confab relay (the
 * widget's `data-relay` is `attributes.relay`), with the fault hooks the e2e suite drives.
 *
 * `restart` stops the relay and starts it again on the same port with the same hook secret and
 * signing key, as a redeploy of one instance would: old session tokens still verify, Omnidesk's
 * `chatServer` URLs still reach it, but with the default memory store the sessions are gone.
 */
import { startRelay, type RelayHandle } from '../relay/server';
import type { ScriptedAgentOptions } from './agent';
import { omnideskAdapterFor, startOmnideskSimulator } from './omnidesk';
import { VisitorSocketCutter } from './visitor-socket-cutter';
import type { ReceivedFrame } from './types';

export interface OmnideskStack {
  attributes: Record<string, string>;
  received: ReceivedFrame[];
  /** Cut every visitor socket; the relay and its sessions stay. */
  dropClients(): number;
  /** Stop the relay, run `whileDown`, start it again on the same port (memory store: sessions lost). */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startOmnideskWithRelay(ctx: { agent: ScriptedAgentOptions; origin: string }): Promise<OmnideskStack> {
  // With an API key, as a real account has: the relay must send it on every call (the simulator checks).
  const sim = await startOmnideskSimulator({ agent: ctx.agent, apiKey: 'sandboxOmnideskApiKey' });
  const config = {
    hookSecret: `sandbox-${Math.random().toString(36).slice(2)}`,
    signingKey: `sandbox-${Math.random().toString(36).slice(2)}${Date.now()}`,
    allowedOrigins: [ctx.origin],
    // No requestChatConfig cache here: the sandbox flips agent availability between visitors
    // (production caches the answer for 15 s).
    adapters: [omnideskAdapterFor(sim, { retry: { attempts: 3, baseDelayMs: 50, timeoutMs: 5000 }, configCacheMs: 0 })],
    drainMs: 500,
    log: () => undefined,
  };
  let relay: RelayHandle;
  try {
    relay = await startRelay(config);
  } catch (err) {
    await sim.close();
    throw err;
  }
  const port = Number(new URL(relay.url).port);
  const visitors = new VisitorSocketCutter();
  visitors.watch(relay);
  return {
    attributes: { relay: relay.url },
    received: sim.received,
    dropClients: () => visitors.cut(),
    async restart(whileDown) {
      await relay.close();
      await whileDown?.();
      relay = await startRelay({ ...config, port });
      visitors.watch(relay);
    },
    async close() {
      await relay.close();
      await sim.close();
    },
  };
}
