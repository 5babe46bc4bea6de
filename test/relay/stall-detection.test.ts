/**
 * A relay connection that goes silent without closing is noticed by the transport's ping
 * and replaced; against the real relay, a ping is answered and the socket is kept.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Clock, ConfabEvent } from '../../src/core/contract';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { ORIGIN, startStack, waitFor } from './harness';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

/** Real time, but the liveness timers (≥ 10 s) shrunk to 20 ms. */
const fastClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms >= 10_000 ? 20 : ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

function widget(relay: string) {
  const sockets: WebSocket[] = [];
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: ORIGIN });
      sockets.push(this);
    }
  }
  const events: ConfabEvent[] = [];
  const transport = createRelayTransport(
    { options: { vendor: 'omnidesk', relay }, locale: 'en', pageUrl: 'https://shop.example.com/', referrer: '', userAgent: 'vitest', visitorId: 'v-s', clock: fastClock },
    { WebSocket: OriginSocket as unknown as WebSocketCtor, random: () => 0 },
  );
  transport.connect((e) => events.push(e));
  return { transport, events, sockets };
}

describe('relay transport: stalled connections', () => {
  it('pings a silent relay and, with no pong, drops the socket and resumes on a new one', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    closers.push(() => new Promise((r) => wss.close(r)));
    const frames: { conn: number; type: string }[] = [];
    let conns = 0;
    wss.on('connection', (ws) => {
      const conn = ++conns;
      ws.on('message', (d) => frames.push({ conn, type: (JSON.parse(String(d)) as { type: string }).type }));
      // Welcome, then the first connection stalls: it reads but never answers again.
      ws.send(JSON.stringify({ type: 'welcome', token: 't.s', capabilities: ['typing'], resumed: conn > 1 }));
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const w = widget(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
      await waitFor(() => frames.some((f) => f.conn === 2 && f.type === 'resume'), 'resume on a second socket');
      expect(frames.filter((f) => f.conn === 1).map((f) => f.type)).toEqual(['hello', 'ping']);
      const states = w.events.flatMap((e) => (e.type === 'connection' ? [e.state] : []));
      expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
      expect(w.sockets[0]?.readyState).toBeGreaterThanOrEqual(WebSocket.CLOSING);
      expect(warn).toHaveBeenCalledWith('[confab] relay: no answer to a ping; reconnecting');
      w.transport.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps a connection whose relay answers the ping', async () => {
    const stack = await startStack();
    closers.push(() => stack.close());
    const w = widget(stack.relay.url);
    await waitFor(() => w.events.some((e) => e.type === 'connection' && e.state === 'open'), 'open');
    const pongs: string[] = [];
    w.sockets[0]?.on('message', (d) => {
      if (String(d).includes('"pong"')) pongs.push(String(d));
    });
    await waitFor(() => pongs.length >= 3, 'three pongs');
    expect(w.sockets).toHaveLength(1);
    expect(w.events.filter((e) => e.type === 'connection' && e.state === 'reconnecting')).toHaveLength(0);
    w.transport.close();
  });
});
