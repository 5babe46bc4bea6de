/**
 * Two tabs holding one session token (Chrome's "Duplicate tab" copies sessionStorage): the relay
 * closes the older socket with 4409 each time the other resumes. The replaced tab must stop
 * reconnecting, say the chat continues in another tab, and take the session back only when the
 * visitor acts in it. Real relay and Omnidesk simulator, browser transports over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConfabEvent, Json } from '../../src/core/contract';
import { en } from '../../src/core/i18n';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { steppedClock } from '../fixtures/manual-clock';
import { calls, ORIGIN, startStack, waitFor, type Stack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** One browser tab: its own window and document to dispatch focus and visibility on. */
function tab(resume?: Json) {
  const sockets: WebSocket[] = [];
  class OriginSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: ORIGIN });
      sockets.push(this);
    }
  }
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const events: ConfabEvent[] = [];
  const clock = steppedClock();
  const transport = createRelayTransport(
    {
      options: { vendor: 'omnidesk', relay: stack.relay.url },
      locale: 'en',
      pageUrl: `${ORIGIN}/support`,
      referrer: '',
      userAgent: 'vitest',
      visitorId: 'v-1',
      resume,
      clock,
    },
    { WebSocket: OriginSocket as unknown as WebSocketCtor, wake: { window, document } },
  );
  transport.connect((e) => events.push(e));
  const of = <T extends ConfabEvent['type']>(type: T) => events.filter((e) => e.type === type) as Extract<ConfabEvent, { type: T }>[];
  return {
    transport,
    clock,
    sockets,
    window,
    document,
    of,
    opens: () => of('connection').filter((e) => e.state === 'open').length,
    kicked: () => of('error').filter((e) => e.code === 'kicked'),
    token: () => of('resume').at(-1)?.token,
  };
}

/**
 * Let the tabs' time pass (their transports' timers: reconnect backoff, resends): whatever a
 * tab had scheduled runs now. Under 15 s, so the open tab's ping (after 15 s of silence) does
 * not fall due with its answer still on the wire.
 */
const timePasses = (...tabs: { clock: { advance(ms: number): void } }[]) => tabs.forEach((t) => t.clock.advance(14_000));

/** Tab A with a chat going, and tab B, its duplicate, resuming A's token. */
async function duplicatedTab() {
  const a = tab();
  a.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
  await waitFor(() => a.of('accepted')[0], 'accepted');
  await waitFor(() => a.token(), 'token');
  const b = tab(a.token());
  await waitFor(() => a.kicked()[0], 'tab A told the chat went on elsewhere');
  return { a, b };
}

describe('two tabs sharing one relay session', () => {
  it("the replaced tab stops reconnecting: no eviction loop while the tabs' time passes", async () => {
    const { a, b } = await duplicatedTab();
    timePasses(a, b);
    expect(a.sockets).toHaveLength(1);
    expect(b.sockets).toHaveLength(1);
    expect(a.opens()).toBe(1);
    expect(b.opens()).toBe(1);
    expect(a.of('connection').filter((e) => e.state === 'reconnecting')).toEqual([]);
    // Told in the Tencent transport's words, without ending the chat.
    expect(a.kicked()).toEqual([expect.objectContaining({ message: en['error.otherTab'], fatal: false })]);
    expect(a.of('connection').at(-1)).toMatchObject({ state: 'closed', reason: 'replaced' });
    expect(a.of('ended')).toEqual([]);
    expect(b.kicked()).toEqual([]);
    a.transport.close();
    b.transport.close();
  });

  it("the core's own signals in the replaced tab (typing stopping on its idle timer, preview, window) do not take the chat back", async () => {
    const { a, b } = await duplicatedTab();
    a.transport.send({ type: 'typing', on: false });
    a.transport.send({ type: 'preview', text: 'half a thou' });
    a.transport.send({ type: 'window', open: false });
    timePasses(a, b);
    expect(a.sockets).toHaveLength(1);
    expect(b.kicked()).toEqual([]);
    a.transport.close();
    b.transport.close();
  });

  it('takes the chat back once when the visitor returns to the tab, and the other tab then waits', async () => {
    const { a, b } = await duplicatedTab();
    a.window.dispatchEvent(new Event('focus'));
    await waitFor(() => a.opens() === 2, 'tab A reconnected');
    await waitFor(() => b.kicked()[0], 'tab B told');
    timePasses(a, b);
    expect([a.sockets.length, b.sockets.length]).toEqual([2, 1]);

    // Tab B comes back into view: it takes over once, and A waits again.
    b.document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => b.opens() === 2 && a.kicked().length === 2, 'tab B took over');
    timePasses(a, b);
    expect([a.sockets.length, b.sockets.length]).toEqual([2, 2]);
    a.transport.close();
    b.transport.close();
  });

  it('a line sent from the replaced tab reconnects it and is delivered once', async () => {
    const { a, b } = await duplicatedTab();
    const chatId = a.of('accepted')[0]!.chatId;
    a.transport.send({ type: 'send', clientId: 'from-a', text: 'sent from the first tab' });
    await waitFor(() => a.of('message').find((e) => e.message.clientId === 'from-a'), 'echo in tab A');
    timePasses(a, b);
    const mine = calls(stack.sim, '/chat/notifyUserNewChatMessage').filter(
      (m) => m.chatSessionID === chatId && m.message === 'sent from the first tab',
    );
    expect(mine).toHaveLength(1);
    expect(a.sockets).toHaveLength(2);
    expect(b.sockets).toHaveLength(1);
    a.transport.close();
    b.transport.close();
  });

  it('a hidden tab does not take the session back when it is merely hidden', async () => {
    const { a, b } = await duplicatedTab();
    a.document.visibilityState = 'hidden';
    a.document.dispatchEvent(new Event('visibilitychange'));
    timePasses(a, b);
    expect(a.sockets).toHaveLength(1);
    a.transport.close();
    b.transport.close();
  });
});
