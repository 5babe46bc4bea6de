/** A transport wired to a real simulator over loopback sockets, and its event log. */
import { io } from 'socket.io-client';
import io2 from 'socket.io-client-v2';
import type { Clock, Command, ConfabEvent, EventOf, EventType, Json, Transport } from '../../src/core/contract';
import type { IoFactory, SocketLike } from '../../src/transports/expertflow/link';
import { createExpertFlowTransport, type ExpertFlowDeps } from '../../src/transports/expertflow/transport';

/** Both socket.io generations the suites run against (the real npm servers and clients). */
export const GENERATIONS = [4, 2] as const;

/** Fast reconnection keeps the restart tests short; everything else is the real client. */
const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 200 };
export const fastIo4: IoFactory = (uri, opts) => io(uri, { ...opts, ...FAST }) as unknown as SocketLike;
export const fastIo2: IoFactory = (uri, opts) => io2(uri, { ...opts, ...FAST });

export class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem = (key: string): string | null => this.data.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.data.set(key, value);
  removeItem = (key: string): void => void this.data.delete(key);
}

export interface Harness {
  transport: Transport;
  events: ConfabEvent[];
  of<T extends EventType>(type: T): EventOf<T>[];
  send(command: Command): void;
  saved: Array<{ pdf: Blob; name: string }>;
}

export function connectTransport(
  server: string,
  extra: { options?: Record<string, string>; resume?: Json; deps?: ExpertFlowDeps; clock?: Clock; locale?: string } = {},
): Harness {
  const saved: Harness['saved'] = [];
  const transport = createExpertFlowTransport(
    {
      options: { server, ...extra.options },
      locale: extra.locale ?? 'en',
      pageUrl: 'http://127.0.0.1:5173/shop',
      referrer: '',
      userAgent: 'vitest',
      visitorId: 'visitor-1',
      resume: extra.resume,
      clock: extra.clock,
    },
    {
      io: fastIo4,
      loadIo2: async () => fastIo2,
      storage: new MemoryStorage(),
      save: (pdf, name) => saved.push({ pdf, name }),
      ...extra.deps,
    },
  );
  const events: ConfabEvent[] = [];
  transport.connect((e) => events.push(e));
  return {
    transport,
    events,
    saved,
    of: <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    send: (c) => transport.send(c),
  };
}

/** Polls until `check` returns a truthy value, or fails with `what` after the deadline. */
export async function until<T>(what: string, check: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function messageTexts(h: Harness): string[] {
  return h.of('message').map((e) => e.message.text ?? '');
}

export const START: Command = {
  type: 'start',
  visitor: {},
  answers: { name: 'Alice', email: 'alice@example.com' },
};

export { manualClock } from '../fixtures/manual-clock';
