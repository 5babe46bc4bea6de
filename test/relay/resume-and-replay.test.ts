import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/core/i18n';
import type { SessionStore } from '../../src/server/relay/store';
import { steppedClock } from '../fixtures/manual-clock';
import { calls, startStack, visitor, waitFor } from './harness';
import { startRedis, type RedisServer } from './redis';
import { stackPerSuite } from './stores';

// The same suite against both session stores: memory (one process) and Redis (shared).
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(['memory', 'redis'] as const)('with the %s session store', (kind) => {
  const newStore = (): SessionStore | undefined => (kind === 'redis' ? redis.store() : undefined);
  const stack = stackPerSuite(() => ({ store: newStore() }));

  async function startedChat() {
    const v = visitor(stack().relay.url);
    v.transport.send({ type: 'start', visitor: { name: 'Di' }, answers: {} });
    const accepted = await waitFor(() => v.of('accepted')[0], 'accepted');
    await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting');
    // the widget has acknowledged and persisted what it saw
    await waitFor(() => (v.resume() as { seq: number } | undefined)?.seq === v.events.filter((e) => e.type !== 'connection' && e.type !== 'resume').length, 'ack');
    return { v, chatId: String(accepted.chatId) };
  }

  describe('relay sessions survive the visitor going away', () => {
    it('delivers a burst of 200 agent messages sent while the visitor was offline, in order, once, on resume', async () => {
      const { v, chatId } = await startedChat();
      const token = v.resume();
      v.transport.close();
      await waitFor(() => v.sockets[0]!.readyState === v.sockets[0]!.CLOSED, 'socket closed');

      for (let i = 1; i <= 200; i++) void stack().sim.agentSay(chatId, `burst ${i}`);
      await stack().sim.agentSay(chatId, 'burst done');

      const back = visitor(stack().relay.url, { resume: token });
      await waitFor(() => back.of('message').some((e) => e.message.text === 'burst done'), 'burst delivered', 10_000);
      const got = back.of('message').map((e) => e.message.text);
      expect(got).toEqual([...Array.from({ length: 200 }, (_, i) => `burst ${i + 1}`), 'burst done']);
      expect(back.of('message').filter((e) => e.message.text?.startsWith('Hello'))).toEqual([]);
      back.transport.close();
    });

    it('lets the visitor reconnect with its token after a dropped socket and carry on the same conversation', async () => {
      const { v, chatId } = await startedChat();
      v.transport.send({ type: 'send', clientId: 'r1', text: 'first line' });
      await waitFor(() => v.of('message').find((e) => e.message.clientId === 'r1'), 'echo r1');

      v.sockets[0]!.terminate(); // the network drops, the page stays
      await waitFor(() => v.of('connection').some((e) => e.state === 'reconnecting'), 'reconnecting');
      v.transport.send({ type: 'send', clientId: 'r2', text: 'after the drop' }); // queued while away
      await waitFor(() => v.sockets.length === 2 && v.of('connection').filter((e) => e.state === 'open').length === 2, 'reopened', 8000);
      await waitFor(() => v.of('message').some((e) => e.message.text?.includes('after the drop') && e.message.sender === 'agent'), 'reply after drop');

      const mine = calls(stack().sim, '/chat/notifyUserNewChatMessage').filter((m) => m.chatSessionID === chatId);
      expect(mine.map((m) => m.messageNumber)).toEqual([1, 2, 3]);
      const ids = v.of('message').map((e) => e.message.id);
      expect(new Set(ids).size).toBe(ids.length);
      v.transport.close();
    });

    it('after a page navigation the new page resumes with the persisted token and continues numbering', async () => {
      const { v, chatId } = await startedChat();
      v.transport.send({ type: 'send', clientId: 'n1', text: 'before navigating' });
      await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('before navigating')), 'reply');
      await waitFor(() => (v.resume() as { seq: number }).seq === v.events.filter((e) => e.type !== 'connection' && e.type !== 'resume').length, 'ack');
      const token = v.resume();
      v.transport.close();

      const next = visitor(stack().relay.url, { resume: token });
      await waitFor(() => next.of('connection').some((e) => e.state === 'open'), 'open');
      next.transport.send({ type: 'send', clientId: 'n2', text: 'on the next page' });
      await waitFor(() => next.of('message').some((e) => e.message.sender === 'agent' && e.message.text?.includes('on the next page')), 'reply on next page');
      expect(next.of('message').some((e) => e.message.text?.includes('before navigating'))).toBe(false);
      const mine = calls(stack().sim, '/chat/notifyUserNewChatMessage').filter((m) => m.chatSessionID === chatId);
      expect(mine.map((m) => m.messageNumber)).toEqual([1, 2, 3]);
      next.transport.close();
    });

    it('ends the chat of a widget whose session expired, and opens a fresh session only for a new start', async () => {
      const relayClock = steppedClock();
      const short = await startStack({ sessionIdleMs: 60_000, clock: relayClock, store: newStore() });
      try {
        const v = visitor(short.relay.url);
        v.transport.send({ type: 'start', visitor: {}, answers: {} });
        await waitFor(() => v.of('accepted')[0], 'accepted');
        const token = v.resume();
        v.transport.close();
        // The relay's sweeper runs every idleMs / 4: time moves on a sweep at a time until one ends it.
        await waitFor(() => (relayClock.advance(15_000), calls(short.sim, '/chat/notifyUserEndChat').length === 1), 'expiry ends the chat upstream');
        const widgetClock = steppedClock();
        const back = visitor(short.relay.url, { resume: token, clock: widgetClock });
        const ended = await waitFor(() => back.of('ended')[0], 'the chat ends');
        expect(ended).toMatchObject({ by: 'system', text: en['transport.chatLost'] });
        expect(back.of('connection').at(-1)).toMatchObject({ state: 'closed', reason: 'session-unknown' });
        // No session is opened behind the visitor's back: nothing is scheduled that would, however long they wait…
        widgetClock.advance(10 * 60_000);
        expect(back.sockets).toHaveLength(1);
        // …until they start a new chat.
        back.transport.send({ type: 'start', visitor: {}, answers: {} });
        await waitFor(() => back.of('accepted')[0], 'a new chat on a fresh session');
        expect(back.sockets).toHaveLength(2);
        back.transport.close();
      } finally {
        await short.close();
      }
    });
  });
});
