/** A relay wired to the Omnidesk simulator, and browser transports that talk to it over real sockets. */
import WebSocket from 'ws';
import type { Clock, ConfabEvent, Json, Transport } from '../../src/core/contract';
import type { OmnideskConfig } from '../../src/server/relay/adapters/omnidesk';
import { startRelay, type RelayConfig, type RelayHandle } from '../../src/server/relay/server';
import {
  omnideskAdapterFor,
  startOmnideskSimulator,
  type OmnideskSimulatorHandle,
  type OmnideskSimulatorOptions,
} from '../../src/server/sandbox/omnidesk';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';

export const ORIGIN = 'https://shop.example.com';
export const SECRET = 'hook-secret-0123456789abcdef';

export interface Stack {
  sim: OmnideskSimulatorHandle;
  relay: RelayHandle;
  available: { value: boolean };
  close(): Promise<void>;
}

export async function startStack(
  overrides: Partial<RelayConfig> = {},
  adapterFetch?: typeof fetch,
  adapter: Partial<OmnideskConfig> = {},
  simulator: Partial<OmnideskSimulatorOptions> = {},
): Promise<Stack> {
  const available = { value: true };
  const sim = await startOmnideskSimulator({ agent: { delayScale: 0.02, available: () => available.value }, apiKey: 'test-omnidesk-api-key', ...simulator });
  const relay = await startRelay({
    hookSecret: SECRET,
    signingKey: 'test-signing-key',
    allowedOrigins: [ORIGIN],
    adapters: [
      // No requestChatConfig cache by default: tests flip availability between visitors.
      omnideskAdapterFor(sim, { retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 }, fetch: adapterFetch, configCacheMs: 0, ...adapter }),
    ],
    drainMs: 300,
    log: () => undefined,
    ...overrides,
  });
  return {
    sim,
    relay,
    available,
    async close() {
      await relay.close();
      await sim.close();
    },
  };
}

export async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Visitor {
  transport: Transport;
  events: ConfabEvent[];
  sockets: WebSocket[];
  /** The latest `resume` token the transport asked the core to keep. */
  resume(): Json | undefined;
  of<T extends ConfabEvent['type']>(type: T): Extract<ConfabEvent, { type: T }>[];
}

/** A widget: the browser relay transport over Node's `ws`, sending the page's Origin. */
export function visitor(relayUrl: string, opts: { resume?: Json; origin?: string; clock?: Clock } = {}): Visitor {
  const sockets: WebSocket[] = [];
  const origin = opts.origin ?? ORIGIN;
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
      sockets.push(this);
    }
  }
  const events: ConfabEvent[] = [];
  const transport = createRelayTransport(
    {
      options: { vendor: 'omnidesk', relay: relayUrl },
      locale: 'en',
      pageUrl: 'https://shop.example.com/support',
      referrer: '',
      userAgent: 'vitest',
      visitorId: 'v-1',
      resume: opts.resume,
      clock: opts.clock,
    },
    { WebSocket: OriginSocket as unknown as WebSocketCtor },
  );
  transport.connect((e) => events.push(e));
  return {
    transport,
    events,
    sockets,
    resume: () => {
      const r = events.filter((e) => e.type === 'resume').at(-1);
      return r && r.type === 'resume' ? r.token : undefined;
    },
    of: (type) => events.filter((e) => e.type === type) as never,
  };
}

/** Bodies the simulator received on one REST path. */
export function calls(sim: OmnideskSimulatorHandle, path: string): Record<string, unknown>[] {
  return sim.received.filter((r) => r.name.endsWith(path)).map((r) => r.payload as Record<string, unknown>);
}

/**
 * A chat's hookpoint URL on a given relay instance: that relay's base, the chat's own token (the
 * last segment of the `chatServer` Omnidesk holds), the route. Every instance derives the same token.
 */
export function hookUrlOn(relay: RelayHandle, sim: OmnideskSimulatorHandle, chatSessionID: string, route: string): string {
  const token = hookUrl(sim, chatSessionID, route).split('/').at(-2)!;
  return `${relay.hookpointBase}/omnidesk/${token}/${route}`;
}

/** A chat's own hookpoint URL (its `chatServer` as Omnidesk holds it, per-session token included). */
export function hookUrl(sim: OmnideskSimulatorHandle, chatSessionID: string, route: string): string {
  const chatServer = sim.chatServerOf(chatSessionID);
  if (!chatServer) throw new Error(`Omnidesk knows no chat ${chatSessionID}`);
  return `${chatServer}/${route}`;
}
