/**
 * A relay connection that goes silent without closing is noticed by the transport's ping
 * and replaced; against the real relay, a ping is answered and the socket is kept.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConfabEvent } from '../../src/core/contract';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { steppedClock, type SteppedClock } from '../fixtures/manual-clock';
import { ORIGIN, startStack, waitFor } from './harness';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

/** The transport's liveness timers (ping after 15 s of silence, 10 s for the pong). */
const PING_IDLE_MS = 15_000;
const PONG_WAIT_MS = 10_000;

function widget(relay: string, clock: SteppedClock) {
  const sockets: WebSocket[] = [];
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: ORIGIN });
      sockets.push(this);
    }
  }
  const events: ConfabEvent[] = [];
  const transport = createRelayTransport(
    { options: { vendor: 'omnidesk', relay }, locale: 'en', pageUrl: 'https://shop.example.com/', referrer: '', userAgent: 'vitest', visitorId: 'v-s', clock },
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
      const clock = steppedClock();
      const w = widget(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, clock);
      await waitFor(() => w.events.some((e) => e.type === 'connection' && e.state === 'open'), 'open');
      clock.advance(PING_IDLE_MS);
      await waitFor(() => frames.some((f) => f.conn === 1 && f.type === 'ping'), 'a ping after the silence');
      clock.advance(PONG_WAIT_MS);
      expect(warn).toHaveBeenCalledWith('[confab] relay: no answer to a ping; reconnecting');
      // The reconnect waits its backoff on the same clock (random() = 0: at once).
      clock.advance(0);
      await waitFor(() => frames.some((f) => f.conn === 2 && f.type === 'resume'), 'resume on a second socket');
      expect(frames.filter((f) => f.conn === 1).map((f) => f.type)).toEqual(['hello', 'ping']);
      const states = w.events.flatMap((e) => (e.type === 'connection' ? [e.state] : []));
      expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
      expect(w.sockets[0]?.readyState).toBeGreaterThanOrEqual(WebSocket.CLOSING);
      w.transport.close();
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps a connection whose relay answers the ping', async () => {
    const stack = await startStack();
    closers.push(() => stack.close());
    const clock = steppedClock();
    const w = widget(stack.relay.url, clock);
    await waitFor(() => w.events.some((e) => e.type === 'connection' && e.state === 'open'), 'open');
    const pongs: string[] = [];
    w.sockets[0]?.on('message', (d) => {
      if (String(d).includes('"pong"')) pongs.push(String(d));
    });
    // Three silences, each answered: a pong (any frame) starts the next silence afresh.
    for (let n = 1; n <= 3; n++) {
      clock.advance(PING_IDLE_MS);
      await waitFor(() => pongs.length >= n, `pong ${n}`);
    }
    // The pong wait was called off: its time passes without a reconnect.
    clock.advance(PONG_WAIT_MS);
    expect(w.sockets).toHaveLength(1);
    expect(w.events.filter((e) => e.type === 'connection' && e.state === 'reconnecting')).toHaveLength(0);
    w.transport.close();
  });
});
