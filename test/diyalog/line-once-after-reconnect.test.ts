/**
 * The widget sends a visitor line again on each new connection until it has seen the line's echo
 * (core/outbox.ts). When the socket drops while the echo is on its way, the relay's Diyalog
 * adapter gets the same client id twice: Diyalog must get the line once, and the widget the
 * same echo again. Over real sockets: browser transport → relay → Diyalog simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConfabEvent, ConfabEventBody } from '../../src/core/contract';
import type { AdapterContext } from '../../src/server/relay/adapter';
import { createDiyalogAdapterFactory } from '../../src/server/relay/adapters/diyalog';
import type { DiyalogChannel, OnlineHelpEvents } from '../../src/server/relay/adapters/diyalog-channel';
import { startDiyalogWithRelay, type DiyalogStack } from '../../src/server/sandbox/diyalog-stack';
import { createDiyalogTransport } from '../../src/transports/diyalog/transport';
import type { WebSocketCtor } from '../../src/transports/relay/transport';
import { browserDeps, ORIGIN, waitFor } from './harness';

let stack: DiyalogStack;
beforeAll(async () => {
  stack = await startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN });
});
afterAll(() => stack?.close());

const sentToDiyalog = (text: string) =>
  stack.received.filter((r) => r.name === 'sendMessage' && (r.payload as { text?: unknown }).text === text);

describe('Diyalog: a line sent again after a reconnect', () => {
  it('reaches Diyalog once, and the widget gets the same echo again', async () => {
    const sockets: WebSocket[] = [];
    class Socket extends WebSocket {
      constructor(url: string) {
        super(url, { origin: ORIGIN });
        sockets.push(this);
      }
    }
    const events: ConfabEvent[] = [];
    const transport = createDiyalogTransport(
      { options: { vendor: 'diyalog', ...stack.attributes }, locale: 'en', pageUrl: `${ORIGIN}/help`, referrer: '', userAgent: 'vitest', visitorId: 'v-9' },
      { ...browserDeps(), WebSocket: Socket as unknown as WebSocketCtor },
    );
    transport.connect((e) => events.push(e));
    transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await waitFor(() => events.some((e) => e.type === 'agent'), 'representative joined', 8000);

    const line = { type: 'send', clientId: 'c-once', text: 'Is my card blocked?' } as const;
    transport.send(line);
    // The line is at Diyalog (through the relay)…
    await waitFor(() => sentToDiyalog(line.text).length === 1, 'the line at Diyalog', 8000);
    sockets[0]!.close(); // …and the socket drops, the echo perhaps not seen yet
    const opens = () => events.filter((e) => e.type === 'connection' && e.state === 'open').length;
    await waitFor(() => opens() === 2, 'reconnected', 8000);
    transport.send(line); // what the outbox does on the new connection with a line it has no echo for

    const echoes = () =>
      events.flatMap((e) => (e.type === 'message' && e.message.clientId === 'c-once' ? [e.message] : []));
    await waitFor(() => echoes().length === 2, 'the echo again', 8000);
    // A later line on the same session: once its echo is back, any second copy of the first was handled before it.
    transport.send({ type: 'send', clientId: 'c-after', text: 'Thanks.' });
    await waitFor(() => events.some((e) => e.type === 'message' && e.message.clientId === 'c-after'), 'the later line echoed', 8000);
    expect(sentToDiyalog('Is my card blocked?')).toHaveLength(1);
    expect(new Set(echoes().map((m) => m.id)).size).toBe(1);
    expect(echoes()[1]).toMatchObject({ sender: 'visitor', text: 'Is my card blocked?' });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    transport.close();
  });

  it('a line Diyalog refused is sent again on Retry', async () => {
    let refuse = true;
    const sent: string[] = [];
    let events: OnlineHelpEvents | null = null;
    const channel: DiyalogChannel = {
      async startAnonymousOnlineHelp(_params, ev) {
        events = ev;
        return {
          success: true,
          help: {
            sendMessage: async (text: string) => {
              if (refuse) throw new Error('refused');
              sent.push(text);
              return { id: `srv-${sent.length}` };
            },
            closeMessaging: async () => undefined,
            dispose: () => undefined,
          },
        };
      },
    };
    const emitted: ConfabEventBody[] = [];
    const ctx: AdapterContext = {
      sessionId: 's-1',
      page: { url: `${ORIGIN}/`, referrer: '', locale: 'en', userAgent: 'vitest', visitorId: 'v-1' },
      hookpointBase: 'http://relay/hook/x/diyalog',
      emit: (e) => emitted.push(e),
      storeFile: () => 'http://relay/files/x',
      touch: () => undefined,
      files: { allowedTypes: [], maxBytes: 0 },
      log: () => undefined,
    };
    const adapter = createDiyalogAdapterFactory({ channel, log: () => undefined }).create(ctx);
    await adapter.handle({
      type: 'start',
      visitor: { customerId: '1', customerName: 'Ann', transactionHash: 'h', deviceHash: 'device-hash-0001' },
      answers: {},
    });
    events!.state('CHAT_INPROGRESS', { agentName: 'Deniz' });

    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'hello' });
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'send-failed' });
    refuse = false;
    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'hello' });
    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'hello' });
    expect(sent).toEqual(['hello']);
    const echoes = emitted.filter((e) => e.type === 'message');
    expect(echoes).toEqual([
      { type: 'message', message: { id: 'srv-1', sender: 'visitor', text: 'hello', clientId: 'c-1' } },
      { type: 'message', message: { id: 'srv-1', sender: 'visitor', text: 'hello', clientId: 'c-1' } },
    ]);
  });
});
