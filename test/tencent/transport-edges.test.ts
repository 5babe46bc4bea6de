/**
 * Edge behaviour the simulator never produces on its own (bad frames, a slow SDK, duplicate
 * pushes, network drops), driven through the transport's public factory with a scripted
 * DeskClient and an injected clock.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock, ConfabEvent } from '../../src/core/contract';
import type { DeskClient, DeskEvent, DeskMessage } from '../../src/transports/tencent/client';
import { createTencentTransport } from '../../src/transports/tencent/transport';
import { deskCustom } from './fixtures';
import { waitFor } from './harness';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let sigServer: Server;
let sigUrl = '';
/** How the site's userSig endpoint answers its next requests (then: 200, userID u1). */
let sigAnswers: Array<{ status: number; userID?: string }> = [];
beforeAll(async () => {
  sigServer = createServer((_req, res) => {
    const answer = sigAnswers.shift() ?? { status: 200 };
    res.statusCode = answer.status;
    res.end(JSON.stringify({ userID: answer.userID ?? 'u1', userSig: 'sig' }));
  });
  await new Promise<void>((r) => sigServer.listen(0, '127.0.0.1', r));
  sigUrl = `http://127.0.0.1:${(sigServer.address() as AddressInfo).port}/sig`;
});
afterAll(() => new Promise<void>((r) => sigServer.close(() => r())));

function scripted() {
  let listener: ((e: DeskEvent) => void) | undefined;
  const sent: Array<{ kind: string; body: string; onlineUserOnly: boolean }> = [];
  let n = 0;
  let logins = 0;
  const echo = (type: string, payload: DeskMessage['payload']): DeskMessage => ({
    ID: `out-${++n}`, type, flow: 'out', from: 'u1', conversationID: 'C2C@customer_service_account', time: 1, payload,
  });
  const client: DeskClient = {
    on: (l) => ((listener = l), () => {}),
    login: async () => void logins++,
    sendText: async (_to, text) => (sent.push({ kind: 'text', body: text, onlineUserOnly: false }), echo('TIMTextElem', { text })),
    sendCustom: async (_to, data, onlineUserOnly) => (sent.push({ kind: 'custom', body: data, onlineUserOnly }), echo('TIMCustomElem', { data })),
    history: async () => ({ messages: [], complete: true }),
    serverTime: () => undefined,
    destroy: async () => {},
  };
  return { client, sent, fire: (e: DeskEvent) => listener?.(e), subscribed: () => listener !== undefined, logins: () => logins };
}

function fakeClock() {
  let now = 1_000_000;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance };
}

async function open(desk = scripted(), clock?: Clock) {
  const events: ConfabEvent[] = [];
  const t = createTencentTransport(
    { options: { sdkAppId: '1400000000', userSigUrl: sigUrl }, locale: 'en', pageUrl: '', referrer: '', userAgent: '', visitorId: 'v', ...(clock && { clock }) },
    async () => desk.client,
  );
  t.connect((e) => events.push(e));
  await waitFor(() => desk.subscribed(), 'the transport to subscribe');
  return { t, events, desk };
}

describe('Tencent transport edges', () => {
  it('an expired userSig the site cannot renew (endpoint error, or a sig for another userID) ends the chat with one fatal error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const answer of [{ status: 500 }, { status: 200, userID: 'someone-else' }]) {
      const { t, events, desk } = await open();
      desk.fire({ name: 'ready' });
      sigAnswers = [answer];
      desk.fire({ name: 'not-ready' });
      desk.fire({ name: 'kicked', reason: 'userSigExpired' });
      await waitFor(() => events.some((e) => e.type === 'connection' && e.state === 'closed'), 'the chat to end');
      expect(events.filter((e) => e.type === 'error')).toMatchObject([{ code: 'kicked', fatal: true, message: expect.stringContaining('expired') }]);
      expect(events.filter((e) => e.type === 'connection').map((e) => e.state)).toEqual(['connecting', 'open', 'reconnecting', 'closed']);
      t.close();
    }
    warn.mockRestore();
  });

  it('queues commands until the SDK is ready, then sends them in order (trigger first)', async () => {
    const { t, events, desk } = await open();
    t.send({ type: 'start', visitor: {}, answers: {} });
    t.send({ type: 'send', clientId: 'early', text: 'hello' });
    // Signed in: the transport has nothing left to do of its own until the SDK says ready.
    await waitFor(() => desk.logins() === 1, 'the login');
    expect(desk.sent).toEqual([]);
    desk.fire({ name: 'ready' });
    await waitFor(() => events.find((e) => e.type === 'message'), 'the echo');
    expect(desk.sent.map((s) => [s.kind, s.onlineUserOnly])).toEqual([['custom', true], ['text', false]]);
    expect(events.find((e) => e.type === 'message')).toMatchObject({ message: { clientId: 'early', sender: 'visitor', text: 'hello' } });
    t.close();
  });

  it('a malformed desk message gives one non-fatal error and one console.warn, and the chat goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { t, events, desk } = await open();
    desk.fire({ name: 'ready' });
    desk.fire({ name: 'received', messages: [deskCustom('{"customerServicePlugin":0,"src":"15",')] });
    desk.fire({ name: 'received', messages: [deskCustom({ customerServicePlugin: 0, src: 19 })] });
    expect(events.filter((e) => e.type === 'error')).toEqual([expect.objectContaining({ code: 'bad-frame', fatal: false })]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(events.at(-1)).toMatchObject({ type: 'ended', by: 'agent' });
    warn.mockRestore();
    t.close();
  });

  it('drops a message pushed twice (same ID) and messages of other conversations', async () => {
    const { t, events, desk } = await open();
    desk.fire({ name: 'ready' });
    const branch = deskCustom({ customerServicePlugin: 0, src: '15', content: { header: 'H', items: [{ content: 'A' }] } });
    desk.fire({ name: 'received', messages: [branch, branch] });
    desk.fire({ name: 'received', messages: [{ ...branch, ID: 'other', conversationID: 'C2Csomeone' }] });
    expect(events.filter((e) => e.type === 'branch')).toHaveLength(1);
    t.close();
  });

  it('agent typing clears itself after a few seconds, and at once on the next desk line', async () => {
    const { clock, advance } = fakeClock();
    const { t, events, desk } = await open(scripted(), clock);
    desk.fire({ name: 'ready' });
    const typing = () => events.filter((e) => e.type === 'typing').map((e) => e.type === 'typing' && e.on);
    desk.fire({ name: 'received', messages: [deskCustom({ customerServicePlugin: 0, src: '12' })] });
    advance(5000);
    expect(typing()).toEqual([true]);
    advance(1500);
    expect(typing()).toEqual([true, false]);
    desk.fire({ name: 'received', messages: [deskCustom({ customerServicePlugin: 0, src: '12' })] });
    desk.fire({ name: 'received', messages: [{ ...deskCustom({}), type: 'TIMTextElem', payload: { text: 'Hi' } }] });
    expect(typing()).toEqual([true, false, true, false]);
    t.close();
  });

  it('network state changes become reconnecting and open again; ask-rating is refused unless the desk allows it', async () => {
    const { t, events, desk } = await open();
    desk.fire({ name: 'ready' });
    desk.fire({ name: 'net', state: 'disconnected' });
    desk.fire({ name: 'net', state: 'connected' });
    expect(events.filter((e) => e.type === 'connection').map((e) => e.type === 'connection' && e.state)).toEqual([
      'connecting', 'open', 'reconnecting', 'open',
    ]);
    desk.fire({ name: 'received', messages: [deskCustom({ customerServicePlugin: 0, src: '23', content: { menuSendRuleFlag: 3 } })] });
    t.send({ type: 'ask-rating' });
    await waitFor(() => events.find((e) => e.type === 'error'), 'refusal');
    expect(desk.sent).toEqual([]);
    t.close();
  });

  it("a rating without a desk sessionId is echoed with '' (as Tencent's plugin), never our message ID", async () => {
    const { t, events, desk } = await open();
    desk.fire({ name: 'ready' });
    await waitFor(() => events.some((e) => e.type === 'connection' && e.state === 'open'), 'open');
    const menu = [{ id: '1', content: 'Bad' }, { id: '2', content: 'Good' }];
    desk.fire({ name: 'received', messages: [deskCustom({ customerServicePlugin: 0, src: '9', menuContent: { head: 'Rate us', type: 1, menu } }, { ID: 'rating-msg' })] });
    const rating = await waitFor(() => events.find((e) => e.type === 'rating'), 'the rating');
    expect(rating.rating.id).toBe('rating-msg');
    t.send({ type: 'rate', ratingId: 'rating-msg', optionId: '2' });
    await waitFor(() => desk.sent.length === 1, 'the selection');
    expect(JSON.parse(desk.sent[0]!.body)).toEqual({ customerServicePlugin: 0, src: '10', menuSelected: { id: '2', content: 'Good', sessionId: '' } });
    t.close();
  });
});
