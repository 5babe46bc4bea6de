/**
 * The socket to an ExpertFlow chat server, whichever socket.io generation it runs.
 *
 * ExpertFlow Hybrid Chat 3.x servers of the document's era run socket.io 2 (Engine.IO 3),
 * which a socket.io 4 client cannot reach (and the reverse). The site owner need not know:
 * - `data-socketio="2"` or `"4"` forces a generation;
 * - else the generation this page session last reached this server with (sessionStorage);
 * - else socket.io 4. When it fails to connect and the server answers as socket.io 2 (the
 *   client's own "v2.x server" error, or an Engine.IO 3 handshake to one probe request),
 *   the socket.io-client 2.x chunk is loaded (only then) and used instead. The probe decides
 *   the other way round too: a remembered 2 that meets an Engine.IO 4-only server goes to 4.
 *
 * A server that refuses us (CORS, a 4xx handshake, a wrong path, a generation that cannot be
 * bridged) is tried a bounded number of times, then the link gives up with the cause, named
 * once on the console; `retry()` starts over. socket.io's own backoff spaces the tries. Once a
 * socket has been open, the server has proven it lets us in: a restart or an outage after that
 * is waited out (the visitor sees "Reconnecting"), as before.
 */
import type { StorageLike } from '../../core/persistence';

export type Generation = 2 | 4;

/** The part of a socket.io client socket (2.x or 4.x) the transport uses. */
export interface SocketLike {
  readonly connected: boolean;
  readonly io: {
    on(event: string, listener: (...args: never[]) => void): unknown;
    /** The manager's bound on reconnection attempts (both generations have it). */
    reconnectionAttempts(attempts: number): unknown;
  };
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

export interface IoOptions {
  path: string;
  forceNew: boolean;
  reconnectionAttempts: number;
  reconnectionDelayMax: number;
  randomizationFactor: number;
}

export type IoFactory = (uri: string, opts: IoOptions) => SocketLike;

/** Connection tries (the first and the reconnections) before the link gives up. */
export const CONNECT_TRIES = 5;

export interface LinkOptions {
  /** The chat server's base URL (a path in it is where the server is mounted). */
  server: URL;
  forced?: Generation;
  storage: StorageLike | null;
  fetch: typeof fetch;
  io4: IoFactory;
  loadIo2: () => Promise<IoFactory>;
}

export interface LinkEvents {
  /** A new socket exists: subscribe to the application's events on it. */
  socket(sock: SocketLike): void;
  open(): void;
  down(reason: string): void;
  attempt(n: number): void;
  /** Every try failed; `cause` is the last connect error's message. */
  gaveUp(cause: string): void;
}

export interface Link {
  readonly socket: SocketLike | undefined;
  readonly generation: Generation;
  /** Start over after giving up (the visitor's Retry, a new start). */
  retry(): void;
  /** The network came back or the page became visible: try now instead of waiting. */
  wake(): void;
  close(): void;
}

const storageKey = (server: URL) => `confab:expertflow:socketio:${server.origin}${server.pathname.replace(/\/$/, '')}`;

/** What one Engine.IO 3 handshake request says about the server: 2, 4, or nothing known. */
export async function probeGeneration(doFetch: typeof fetch, origin: string, path: string): Promise<Generation | null> {
  try {
    const res = await doFetch(`${origin}${path}/?EIO=3&transport=polling&b64=1&t=confab${Date.now().toString(36)}`, {
      credentials: 'omit',
    });
    const body = (await res.text()).slice(0, 2000);
    // Engine.IO 3 answers with a length-prefixed open packet: `96:0{"sid":…}`.
    if (res.ok && /^\d+:0\{[^]*"sid"/.test(body)) return 2;
    // Engine.IO 4 servers refuse protocol 3: HTTP 400, `{"code":5,"message":"Unsupported protocol version"}`.
    if (res.status === 400 && /"code"\s*:\s*5\b/.test(body)) return 4;
  } catch {
    // CORS, network: nothing learned.
  }
  return null;
}

export function createLink(o: LinkOptions, on: LinkEvents): Link {
  const path = `${o.server.pathname.replace(/\/$/, '')}/socket.io`;
  const key = storageKey(o.server);
  const remembered = (): Generation | undefined => {
    try {
      const v = o.storage?.getItem(key);
      return v === '2' ? 2 : v === '4' ? 4 : undefined;
    } catch {
      return undefined;
    }
  };
  const remember = (g: Generation): void => {
    try {
      o.storage?.setItem(key, String(g));
    } catch {
      // Storage full or blocked: detection simply runs again next time.
    }
  };

  let generation: Generation = o.forced ?? remembered() ?? 4;
  let sock: SocketLike | undefined;
  let closed = false;
  let gaveUp = false;
  let warned = false;
  /** Generations this link has already tried to switch to: never back and forth. */
  const switched = new Set<Generation>();

  const options: IoOptions = {
    path,
    // Each transport owns its manager: closing one never closes another's connection.
    forceNew: true,
    reconnectionAttempts: CONNECT_TRIES - 1,
    // The shared policy (core/backoff.ts) as far as socket.io allows: capped at 30 s, ±50 %.
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
  };

  function giveUp(cause: string): void {
    if (closed || gaveUp) return;
    gaveUp = true;
    if (!warned) {
      warned = true;
      console.warn(`[confab] expertflow: the chat server ${o.server.origin}${path} refused the connection (socket.io ${generation}): ${cause}`);
    }
    sock?.disconnect();
    on.gaveUp(cause);
  }

  async function open(g: Generation): Promise<void> {
    generation = g;
    const old = sock;
    sock = undefined;
    old?.disconnect();
    let factory: IoFactory;
    try {
      factory = g === 4 ? o.io4 : await o.loadIo2();
    } catch (err) {
      return giveUp(`socket.io-client 2 could not be loaded (${String(err)})`);
    }
    if (closed) return;
    const s = factory(o.server.origin, options);
    sock = s;
    let probed = false;
    /** While the probe is out, a retry of this generation is no news for the visitor. */
    let probing = false;
    let cause = '';
    const mine = () => sock === s && !closed;
    const switchTo = (next: Generation): void => {
      if (!mine() || s.connected || switched.has(next) || next === generation) return;
      switched.add(next);
      void open(next);
    };
    s.on('connect', () => {
      if (!mine()) return;
      gaveUp = false;
      s.io.reconnectionAttempts(Infinity);
      remember(generation);
      on.open();
    });
    s.on('connect_error', (err: unknown) => {
      if (!mine()) return;
      cause = err instanceof Error ? err.message : String(err);
      if (o.forced) return;
      // socket.io-client 3+ says so itself when a v2 server answers its websocket.
      if (generation === 4 && /v2\.x/.test(cause)) return switchTo(2);
      if (probed) return;
      probed = true;
      probing = true;
      void probeGeneration(o.fetch, o.server.origin, path).then((g) => {
        probing = false;
        if (g) switchTo(g);
      });
    });
    s.on('disconnect', (reason: string) => {
      if (mine()) on.down(reason);
    });
    s.io.on('reconnect_attempt', (n: number) => {
      if (mine() && !probing) on.attempt(n);
    });
    s.io.on('reconnect_failed', () => {
      if (mine()) giveUp(cause || 'no answer');
    });
    on.socket(s);
  }

  void open(generation);

  return {
    get socket() {
      return sock;
    },
    get generation() {
      return generation;
    },
    retry() {
      if (closed || !gaveUp) return;
      gaveUp = false;
      switched.clear();
      void open(o.forced ?? remembered() ?? 4);
    },
    wake() {
      if (closed || gaveUp || !sock || sock.connected) return;
      // Restarting the manager skips the rest of its current backoff wait.
      sock.disconnect();
      sock.connect();
    },
    close() {
      closed = true;
      sock?.disconnect();
    },
  };
}
