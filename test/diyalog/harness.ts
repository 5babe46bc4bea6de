/** The Diyalog stack (simulator + relay + site endpoint) and a widget talking to it over real sockets. */
import WebSocket from 'ws';
import type { ConfabEvent, Transport } from '../../src/core/contract';
import { createDiyalogTransport, type DiyalogDeps } from '../../src/transports/diyalog/transport';
import type { WebSocketCtor } from '../../src/transports/relay/transport';

export const ORIGIN = 'https://shop.example.com';

/** A Storage that lives in a Map, like one browser profile's localStorage. */
export function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

// One polling helper for all relay-based tests.
export { waitFor } from '../relay/harness';

export interface Widget {
  transport: Transport;
  events: ConfabEvent[];
  fetches: Array<{ url: string; init: RequestInit }>;
  of<T extends ConfabEvent['type']>(type: T): Extract<ConfabEvent, { type: T }>[];
}

/** What a browser gives the transport — Node's `ws` and fetch, both sending the page's Origin. */
export function browserDeps(opts: { storage?: Storage; fetch?: typeof fetch } = {}): DiyalogDeps & { fetches: Widget['fetches'] } {
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: ORIGIN });
    }
  }
  const fetches: Widget['fetches'] = [];
  const realFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: ORIGIN } });
  const storage = opts.storage ?? memoryStorage();
  return {
    fetches,
    WebSocket: OriginSocket as unknown as WebSocketCtor,
    storage: () => storage,
    fetch: (input, init) => {
      fetches.push({ url: String(input), init: init ?? {} });
      return (opts.fetch ?? realFetch)(input, init);
    },
  };
}

/** The browser `diyalog` transport, as the loader would create it from the stack's data-* attributes. */
export function widget(
  attributes: Record<string, string>,
  opts: { storage?: Storage; fetch?: typeof fetch; visitorId?: string } = {},
): Widget {
  const deps = browserDeps(opts);
  const events: ConfabEvent[] = [];
  const transport = createDiyalogTransport(
    {
      options: { vendor: 'diyalog', ...attributes },
      locale: 'en',
      pageUrl: `${ORIGIN}/help`,
      referrer: '',
      userAgent: 'vitest',
      visitorId: opts.visitorId ?? 'v-1',
    },
    deps,
  );
  transport.connect((e) => events.push(e));
  return { transport, events, fetches: deps.fetches, of: (type) => events.filter((e) => e.type === type) as never };
}
