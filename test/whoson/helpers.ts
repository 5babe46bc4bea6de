/** Shared test plumbing: fixtures, a polling wait, a transport wired to `ws`, a scripted server. */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocket as WS, WebSocketServer } from 'ws';
import type { ConfabEvent, EventOf, EventType, TransportOptions } from '../../src/core/contract';
import {
  createWhosOnTransport,
  type WebSocketConstructor,
  type WhosOnDeps,
  type WhosOnTransport,
} from '../../src/transports/whoson/transport';

const FIXTURES = new URL('../fixtures/whoson/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** Poll until `check` returns something truthy; fail with `what` after the deadline. */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `ws`'s client, recording every socket the transport opens (so a test can cut one). */
export function recordingWebSocket(): { Ctor: WebSocketConstructor; sockets: WS[] } {
  const sockets: WS[] = [];
  class Recording extends WS {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { Ctor: Recording as unknown as WebSocketConstructor, sockets };
}

export interface Harness {
  transport: WhosOnTransport;
  events: ConfabEvent[];
  sockets: WS[];
  of<T extends EventType>(type: T): EventOf<T>[];
  next<T extends EventType>(type: T, match?: (e: EventOf<T>) => boolean, what?: string): Promise<EventOf<T>>;
}

export function harness(
  options: Record<string, string>,
  extra: Partial<TransportOptions> = {},
  deps: WhosOnDeps = {},
): Harness {
  const { Ctor, sockets } = recordingWebSocket();
  const transport = createWhosOnTransport(
    {
      options,
      locale: 'en-GB',
      pageUrl: 'https://shop.example/page',
      referrer: 'https://www.google.com',
      userAgent: 'TestAgent/1.0',
      visitorId: '287-3882882',
      ...extra,
    },
    { WebSocket: Ctor, reconnectBaseMs: 5, ...deps },
  );
  const events: ConfabEvent[] = [];
  const of = <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  const h: Harness = {
    transport,
    events,
    sockets,
    of,
    next: (type, match = () => true, what = type) =>
      waitFor(() => of(type).find(match), what),
  };
  transport.connect((e) => events.push(e));
  return h;
}

/** A bare WebSocket server whose frames the test writes by hand (for fixtures and garbage). */
export interface ScriptServer {
  url: string;
  /** Commands received, parsed. */
  received: { Command: string; Parameters: string[] | null }[];
  clients: WS[];
  send(frame: unknown): void;
  sendRaw(data: string | Buffer, binary?: boolean): void;
  close(): Promise<void>;
}

export async function startScriptServer(onConnect?: (s: ScriptServer) => void): Promise<ScriptServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const clients: WS[] = [];
  const s: ScriptServer = {
    url: `ws://127.0.0.1:${port}`,
    received: [],
    clients,
    send: (frame) => s.sendRaw(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    sendRaw: (data, binary = false) => {
      const c = clients[clients.length - 1];
      if (!c) throw new Error('no client');
      c.send(data, { binary });
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  wss.on('connection', (c) => {
    clients.push(c);
    c.on('message', (d) => {
      s.received.push(JSON.parse(d.toString()) as ScriptServer['received'][number]);
      if (s.received.at(-1)?.Command === 'Connect') onConnect?.(s);
    });
  });
  return s;
}

export const SCRIPT_OPTIONS = { domain: 'www.mycompany.com', auth: 'myauthstring', apiKey: 'abcdefg124567' };
