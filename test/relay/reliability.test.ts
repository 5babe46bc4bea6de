import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { calls, startStack, visitor, waitFor } from './harness';
import { describeEachStore } from './stores';

const servers: { close(): unknown }[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describeEachStore((newStore) => {
  describe('relay reliability', () => {
    it('does not resend a line whose answer was lost (issue 17): it is reported, and the visitor’s Retry sends it with the same messageNumber', async () => {
      let dropped = false;
      const flaky: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (!dropped && String(input).endsWith('notifyUserNewChatMessage') && init?.body instanceof FormData && init.body.get('messageNumber') === '2') {
          dropped = true;
          throw new TypeError('socket hang up'); // Omnidesk got it; we never heard back
        }
        return res;
      };
      const stack = await startStack({ store: newStore() }, flaky);
      onTestFinished(() => stack.close());
      const v = visitor(stack.relay.url);
      v.transport.send({ type: 'start', visitor: {}, answers: {} });
      await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting');
      v.transport.send({ type: 'send', clientId: 'x1', text: 'only once please' });
      await waitFor(() => v.of('error').find((e) => e.code === 'send-failed'), 'send-failed');
      expect(calls(stack.sim, '/chat/notifyUserNewChatMessage').map((m) => m.messageNumber)).toEqual([1, 2]);
      v.transport.send({ type: 'send', clientId: 'x1', text: 'only once please' });
      await waitFor(() => v.of('message').some((e) => e.message.clientId === 'x1'), 'echo after Retry');
      expect(calls(stack.sim, '/chat/notifyUserNewChatMessage').map((m) => m.messageNumber)).toEqual([1, 2, 2]);
      expect(v.of('message').filter((e) => e.message.clientId === 'x1')).toHaveLength(1);
      expect(stack.sim.violations).toEqual([]);
      v.transport.close();
    });

    it('drains on close: a call already in flight to the vendor completes before the relay stops', async () => {
      let inFlight = false;
      // The call is held until the relay has begun closing: it is in flight across the close.
      let closeBegun!: () => void;
      const held = new Promise<void>((r) => (closeBegun = r));
      const slow: typeof fetch = async (input, init) => {
        if (init?.body instanceof FormData && init.body.get('message') === 'last words') {
          inFlight = true;
          await held;
        }
        return fetch(input, init);
      };
      const stack = await startStack({ store: newStore() }, slow);
      const v = visitor(stack.relay.url);
      v.transport.send({ type: 'start', visitor: {}, answers: {} });
      await waitFor(() => v.of('accepted')[0], 'accepted');
      v.transport.send({ type: 'send', clientId: 'd1', text: 'last words' });
      await waitFor(() => inFlight, 'call in flight');
      const closed = stack.relay.close();
      closeBegun();
      await closed;
      expect(calls(stack.sim, '/chat/notifyUserNewChatMessage').some((m) => m.message === 'last words')).toBe(true);
      await waitFor(() => v.of('connection').some((e) => e.state === 'reconnecting'), 'widget noticed the relay went away');
      v.transport.close();
      await stack.sim.close();
    });
  });
});

describe('relay transport reliability', () => {
  it('turns an unreadable relay frame into one non-fatal error and one warning, keeps going, and ignores replayed seqs', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    servers.push({ close: () => new Promise((r) => wss.close(r)) });
    wss.on('connection', (ws) => {
      ws.send('{not json');
      ws.send(JSON.stringify({ type: 'welcome', token: 't.s', capabilities: ['typing'], resumed: false }));
      ws.send(JSON.stringify({ type: 'event', seq: 1, event: { type: 'typing', on: true } }));
      ws.send(JSON.stringify({ type: 'event', seq: 1, event: { type: 'typing', on: true } })); // a replay
      ws.send(JSON.stringify({ type: 'event', seq: 2, event: { type: 'typing', on: false } }));
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const v = visitor(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
      await waitFor(() => v.of('typing').length === 2, 'events after the bad frame');
      expect(v.of('typing').map((e) => e.on)).toEqual([true, false]); // seq 1 replayed: handled once
      expect(v.of('error')).toHaveLength(1);
      expect(v.of('error')[0]).toMatchObject({ code: 'bad-frame', fatal: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect([...v.transport.capabilities]).toEqual(['typing']);
      v.transport.close();
    } finally {
      warn.mockRestore();
    }
  });
});
