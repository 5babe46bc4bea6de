import { WebSocket as NodeWebSocket } from 'ws';
import type { StorageLike } from '../../src/core/persistence';
import type { Command, ConfabEvent, EventOf, EventType, Transport } from '../../src/core/contract';
import { startTencentSimulator, type TencentSimulatorHandle, type TencentSimulatorOptions } from '../../src/server/sandbox/tencent';
import type { SimulatorHandle } from '../../src/server/sandbox/types';
import type { TransportFactory } from '../../src/core/contract';
import { createTencentTransport } from '../../src/transports/tencent/transport';
import { createLoopbackClient } from '../../src/server/sandbox/tencent-loopback-client';

// Node 20 has no global WebSocket; the loopback client uses the browser API, which ws provides.
if (typeof globalThis.WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = NodeWebSocket;
}

/**
 * The Tencent transport as the sandbox page gets it: over the real loopback client (which the
 * browser imports from the sandbox server; Node cannot import over http, so it is passed in).
 */
export const createTransport: TransportFactory = (options) =>
  createTencentTransport(options, async (init) => createLoopbackClient(init.sandbox ?? ''));

export async function waitFor<T>(probe: () => T | undefined | false | null, what: string, ms = 12000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sims: TencentSimulatorHandle[] = [];
export async function simulator(opts: TencentSimulatorOptions = {}): Promise<TencentSimulatorHandle> {
  const sim = await startTencentSimulator({ agent: { delayScale: 0.02 }, ...opts });
  sims.push(sim);
  return sim;
}
/** Stops every simulator; fails the test if any saw a frame that breaks the desk's rules. */
export async function closeSimulators(): Promise<void> {
  const closing = sims.splice(0);
  await Promise.all(closing.map((s) => s.close()));
  const violations = closing.flatMap((s) => s.violations);
  if (violations.length) throw new Error(`the desk simulator saw violations: ${violations.join('; ')}`);
}

export interface Widget {
  transport: Transport;
  events: ConfabEvent[];
  send(c: Command): void;
  all<T extends EventType>(type: T): EventOf<T>[];
  next<T extends EventType>(type: T, match?: (e: EventOf<T>) => boolean, what?: string): Promise<EventOf<T>>;
  /** Call `fn` with each event as the transport emits it (`next` only sees it at its next poll); returns the unsubscribe. */
  on(fn: (e: ConfabEvent) => void): () => void;
}

const widgets: Transport[] = [];
export function widget(sim: SimulatorHandle, visitorId: string, resume?: ConfabEvent & { type: 'resume' }): Widget {
  const events: ConfabEvent[] = [];
  const transport = createTransport({
    options: sim.options,
    locale: 'en',
    pageUrl: 'http://127.0.0.1/',
    referrer: '',
    userAgent: 'vitest',
    visitorId,
    ...(resume && { resume: resume.token }),
  });
  widgets.push(transport);
  const listeners = new Set<(e: ConfabEvent) => void>();
  transport.connect((e) => {
    events.push(e);
    listeners.forEach((fn) => fn(e));
  });
  const all = <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  let cursor = 0;
  return {
    transport,
    events,
    send: (c) => transport.send(c),
    all,
    on: (fn) => (listeners.add(fn), () => void listeners.delete(fn)),
    /** The next event of `type` (matching) after the last one this returned. */
    async next(type, match = () => true, what = type) {
      const found = await waitFor(() => {
        for (let i = cursor; i < events.length; i++) {
          const e = events[i]!;
          if (e.type === type && match(e as EventOf<typeof type>)) {
            cursor = i + 1;
            return e as EventOf<typeof type>;
          }
        }
        return undefined;
      }, what);
      return found;
    },
  };
}
export const closeWidgets = () => widgets.splice(0).forEach((t) => t.close());

export const frames = (sim: SimulatorHandle, name: string) =>
  sim.received.filter((f) => f.channel === 'tencent' && f.name === name).map((f) => f.payload as Record<string, unknown>);

/** sessionStorage for a session under test; `dump` is everything it holds, for assertions. */
export function memory(): StorageLike & { dump(): string } {
  const data = new Map<string, string>();
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
    dump: () => [...data.values()].join('\n'),
  };
}
