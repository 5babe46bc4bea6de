/**
 * The whole Diyalog journey over real sockets on 127.0.0.1: the browser transport's
 * handshake against the site's transaction-hash endpoint (which calls Diyalog's signed REST
 * API), the relay with the Diyalog adapter (which queues the interaction first), and the
 * Diyalog simulator driven by the scripted agent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDiyalogWithRelay, type DiyalogStack } from '../../src/server/sandbox/diyalog-stack';
import { DOC_PARAMS, DOC_SAMPLE } from './doc-fixtures';
import { memoryStorage, ORIGIN, waitFor, widget } from './harness';

let fast: DiyalogStack;
/** An agent slow enough (seconds) that the visitor is surely still on the wait screen. */
let slow: DiyalogStack;
/** A relay whose channel has its own device hash, as one running a real SDK would. */
let sdk: DiyalogStack;
const SDK_HASH = 'c2RrLW93bi1kZXZpY2UtaGFzaC1mb3ItdGVzdHMhIQ==';
/** D1's sample device hash. */
const D1_DEVICE = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';

beforeAll(async () => {
  [fast, slow, sdk] = await Promise.all([
    startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN }),
    startDiyalogWithRelay({ agent: { delayScale: 5 }, origin: ORIGIN }),
    startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN, sdkDeviceHash: SDK_HASH }),
  ]);
});
afterAll(async () => {
  // Nothing broke Diyalog's documented rules (D3's order: queued before started).
  expect([...fast.violations, ...slow.violations, ...sdk.violations]).toEqual([]);
  await Promise.all([fast?.close(), slow?.close(), sdk?.close()]);
});

const frames = (stack: DiyalogStack, name: string) => stack.received.filter((r) => r.name === name);
/** The stack's attributes without the site's customer name: the name comes from the pre-chat form. */
const nameless = (stack: DiyalogStack) => Object.fromEntries(Object.entries(stack.attributes).filter(([k]) => k !== 'customerName'));

describe('Diyalog online help through the relay', () => {
  it('gives the demo page the attributes a site owner sets', () => {
    expect(fast.attributes).toMatchObject({
      relay: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      transactionUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      customerId: DOC_SAMPLE.customerId,
      customerName: DOC_SAMPLE.customerName,
      helpType: 'chat',
    });
  });

  it('handshake → queued → wait screen → Cancel: closeMessaging, and the interaction is DELETEd', async () => {
    const before = slow.received.length;
    const w = widget(nameless(slow));
    await waitFor(() => w.of('config')[0], 'config');
    w.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: { name: 'Ann' } });
    await waitFor(() => w.of('waiting')[0], 'wait screen');
    expect(w.of('accepted')).toHaveLength(1);
    expect(w.of('waiting')[0]).toMatchObject({ kind: 'paging', text: slow.attributes.waitText });
    expect(w.transport.capabilities.has('cancel')).toBe(true);

    // Steps 1–4: the site's endpoint was asked, with the customer and this browser's device hash.
    expect(w.fetches).toHaveLength(1);
    expect(w.fetches[0]!.url).toBe(slow.attributes.transactionUrl);
    expect(w.fetches[0]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    const asked = JSON.parse(String(w.fetches[0]!.init.body)) as { customerId: string; deviceHash: string };
    expect(asked).toEqual({ customerId: '123458', deviceHash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) });

    // Step 5: every documented parameter, the widget managing the wait screen.
    const mine = slow.received.slice(before);
    const start = mine.find((r) => r.name === 'startAnonymousOnlineHelp')!.payload as Record<string, unknown>;
    expect(Object.keys(start)).toEqual(expect.arrayContaining([...DOC_PARAMS, 'deviceHash']));
    expect(start).toMatchObject({
      customerId: '123458',
      customerName: 'Ann',
      helpType: 'chat',
      isBackground: true,
      isLoggedIn: false,
      waitDisplayText: slow.attributes.waitText,
      deviceHash: asked.deviceHash,
    });
    expect(mine.find((r) => r.name === 'gettransactionhashforonlinehelp')!.payload).toEqual(asked);

    w.transport.send({ type: 'cancel' });
    await waitFor(() => w.of('ended')[0], 'ended');
    expect(w.of('ended')).toEqual([expect.objectContaining({ by: 'visitor' })]);
    await waitFor(() => slow.received.slice(before).some((r) => r.name === 'DeleteInteraction'), 'DELETE at the queue');
    const names = slow.received.slice(before).map((r) => r.name);
    expect(names).toEqual(['gettransactionhashforonlinehelp', 'CreateInteraction', 'startAnonymousOnlineHelp', 'closeMessaging', 'DeleteInteraction']);
    const created = slow.received.slice(before).find((r) => r.name === 'CreateInteraction')!.payload;
    expect(created).toEqual({
      identityNumber: '',
      customerId: '123458',
      attachedData: { channel: 'web', helpType: 'chat', customerName: 'Ann', pageUrl: `${ORIGIN}/help` },
    });
    expect(w.of('agent')).toEqual([]);
    w.transport.close();
  });

  it('handshake → representative connects → lines both ways → ended', async () => {
    const w = widget(nameless(fast));
    w.transport.send({ type: 'start', visitor: { name: 'Ann', customerId: 'cust-77', email: 'ann@example.com' }, answers: { name: 'Ann' } });
    const joined = await waitFor(() => w.of('agent')[0], 'representative joined');
    expect(joined).toMatchObject({ action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    const agentLines = () => w.of('message').filter((e) => e.message.sender === 'agent').map((e) => e.message.text ?? '');
    await waitFor(() => agentLines().some((t) => t.startsWith('Hello Ann')), 'greeting');
    expect(w.of('typing').map((e) => e.on)).toEqual([true, false]);

    w.transport.send({ type: 'send', clientId: 'c-1', text: 'My card is blocked' });
    const echo = await waitFor(() => w.of('message').find((e) => e.message.clientId === 'c-1'), 'echo');
    expect(echo.message).toMatchObject({ sender: 'visitor', text: 'My card is blocked' });
    await waitFor(() => agentLines().some((t) => t.includes('My card is blocked')), 'reply');

    w.transport.send({ type: 'send', clientId: 'c-2', text: 'Thanks, bye' });
    const ended = await waitFor(() => w.of('ended')[0], 'ended');
    expect(ended.by).toBe('agent');
    expect(agentLines().at(-1)).toMatch(/Goodbye/);
    expect(w.of('error')).toEqual([]);

    const sent = fast.received.filter((r) => r.name === 'sendMessage').map((r) => (r.payload as { text: string }).text);
    expect(sent).toEqual(expect.arrayContaining(['My card is blocked', 'Thanks, bye']));
    const start = frames(fast, 'startAnonymousOnlineHelp').at(-1)!.payload as Record<string, unknown>;
    expect(start).toMatchObject({ customerId: 'cust-77', email: 'ann@example.com' });
    w.transport.close();
  });

  it("a forged transactionHash (the document's sample, never issued) is a clear error", async () => {
    const forged: typeof fetch = async () =>
      new Response(JSON.stringify({ transactionHash: DOC_SAMPLE.transactionHash }), { headers: { 'content-type': 'application/json' } });
    const w = widget(fast.attributes, { fetch: forged });
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    const error = await waitFor(() => w.of('error')[0], 'error');
    // D3's code, said in the visitor's language.
    expect(error).toMatchObject({ code: 'DLGEXCP_AUTH_REQUEST', fatal: false, retryable: true });
    expect(error.message).toBe('The security check for this chat failed. Please try again.');
    expect(w.of('accepted')).toEqual([]);
    w.transport.close();
  });

  it("a hash issued for another device is refused (the trio must match)", async () => {
    const stolen = await (
      await fetch(fast.attributes.transactionUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: '123458', deviceHash: 'someone-elses-device' }),
      })
    ).json() as { transactionHash: string };
    const w = widget(fast.attributes, {
      fetch: async () => new Response(JSON.stringify(stolen), { headers: { 'content-type': 'application/json' } }),
    });
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    const error = await waitFor(() => w.of('error')[0], 'error');
    expect(error).toMatchObject({ code: 'DLGEXCP_AUTH_REQUEST' });
    w.transport.close();
  });

  it('a failing transaction endpoint is a retryable error and nothing reaches Diyalog', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const starts = frames(fast, 'startAnonymousOnlineHelp').length;
    const w = widget({ ...fast.attributes, transactionUrl: `${fast.attributes.transactionUrl}-missing` });
    await waitFor(() => w.of('config')[0], 'config');
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    const error = await waitFor(() => w.of('error')[0], 'error');
    expect(error).toMatchObject({ code: 'transaction-hash', fatal: false, retryable: true, message: 'The chat could not be started right now. Please try again.' });
    expect(frames(fast, 'startAnonymousOnlineHelp')).toHaveLength(starts);
    expect(w.of('error')).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    w.transport.close();
  });

  it("Diyalog refusing the site's signed call is a plain sentence for the visitor, by kind", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const answering = (reason: string, status: number): typeof fetch => async () =>
      new Response(JSON.stringify({ error: 'Diyalog did not issue a transaction hash', reason }), { status, headers: { 'content-type': 'application/json' } });
    const cases: Array<[string, number, string]> = [
      ['config', 503, 'Online help is not available right now. Please try again later.'],
      ['clock', 503, 'Online help is not available right now. Please try again later.'],
      ['refused', 502, 'The security check for this chat failed. Please try again.'],
      ['unreachable', 504, 'The chat could not be started right now. Please try again.'],
    ];
    for (const [reason, status, words] of cases) {
      const w = widget(fast.attributes, { fetch: answering(reason, status) });
      w.transport.send({ type: 'start', visitor: {}, answers: {} });
      const error = await waitFor(() => w.of('error')[0], `error for ${reason}`);
      expect(error).toMatchObject({ code: 'transaction-hash', retryable: true, message: words });
      w.transport.close();
    }
    warn.mockRestore();
  });

  it('Cancel while the handshake is still running: no online help is started', async () => {
    const starts = frames(fast, 'startAnonymousOnlineHelp').length;
    let aborted = false;
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    const w = widget(fast.attributes, { fetch: hanging });
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => w.fetches.length === 1, 'transaction request');
    w.transport.send({ type: 'cancel' });
    await waitFor(() => w.of('ended')[0], 'ended');
    expect(aborted).toBe(true);
    expect(w.of('ended')).toEqual([expect.objectContaining({ by: 'visitor' })]);
    expect(w.of('error')).toEqual([]);
    expect(frames(fast, 'startAnonymousOnlineHelp')).toHaveLength(starts);
    w.transport.close();
  });

  it("D1's sample device hash is accepted end to end: site endpoint, Diyalog's REST API, the start", async () => {
    const storage = memoryStorage();
    storage.setItem('confab.diyalog.deviceHash', D1_DEVICE);
    const before = fast.received.length;
    const w = widget(fast.attributes, { storage });
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => w.of('agent')[0], 'representative joined');
    const mine = fast.received.slice(before);
    expect(mine.find((r) => r.name === 'gettransactionhashforonlinehelp')!.payload).toEqual({ customerId: '123458', deviceHash: D1_DEVICE });
    expect(mine.find((r) => r.name === 'startAnonymousOnlineHelp')!.payload).toMatchObject({ deviceHash: D1_DEVICE });
    expect(w.of('error')).toEqual([]);
    w.transport.send({ type: 'end' });
    await waitFor(() => w.of('ended')[0], 'ended');
    w.transport.close();
  });

  it('a visitor without a name is asked for one, and a start without it is refused in their words', async () => {
    const before = fast.received.length;
    const w = widget(nameless(fast));
    const config = await waitFor(() => w.of('config')[0], 'config');
    expect(config.config.prechat).toEqual([{ name: 'customerName', type: 'name', label: 'Your name', required: true, maxLength: 100 }]);
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    const error = await waitFor(() => w.of('error')[0], 'error');
    expect(error).toMatchObject({ code: 'DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY', retryable: true, message: 'Please enter your name to start the chat.' });
    // Nothing was queued or started for a visitor Diyalog would refuse.
    expect(fast.received.slice(before).map((r) => r.name)).toEqual(['gettransactionhashforonlinehelp']);
    w.transport.close();
    // With the site's name, the form asks nothing.
    const named = widget(fast.attributes);
    expect((await waitFor(() => named.of('config')[0], 'config')).config.prechat).toEqual([]);
    named.transport.close();
  });

  it("a channel with its own device hash (a real SDK's): the transaction is requested for that hash", async () => {
    const before = sdk.received.length;
    const w = widget(sdk.attributes);
    await waitFor(() => w.of('config')[0], 'config');
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => w.of('agent')[0], 'representative joined');
    expect(JSON.parse(String(w.fetches[0]!.init.body))).toEqual({ customerId: '123458', deviceHash: SDK_HASH });
    const mine = sdk.received.slice(before);
    expect(mine.find((r) => r.name === 'startAnonymousOnlineHelp')!.payload).toMatchObject({ deviceHash: SDK_HASH });
    w.transport.close();
  });

  it("the relay's channel lost mid-conversation: finishonlinehelp ends what Diyalog still holds", async () => {
    const before = fast.received.length;
    const w = widget(fast.attributes);
    w.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => w.of('agent')[0], 'representative joined');
    expect(fast.dropHelps()).toBeGreaterThan(0);
    const ended = await waitFor(() => w.of('ended')[0], 'ended');
    expect(ended).toMatchObject({ by: 'system' });
    const finish = await waitFor(() => fast.received.slice(before).find((r) => r.name === 'finishonlinehelp'), 'finishonlinehelp');
    expect(finish.payload).toEqual({ customerId: '123458', staffId: '45186' });
    w.transport.close();
  });

  it('the same browser presents the same device hash on every chat', async () => {
    const storage = memoryStorage();
    const a = widget(fast.attributes, { storage });
    const b = widget(fast.attributes, { storage });
    for (const w of [a, b]) w.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => a.of('accepted')[0] && b.of('accepted')[0], 'both accepted');
    const device = (w: typeof a) => (JSON.parse(String(w.fetches[0]!.init.body)) as { deviceHash: string }).deviceHash;
    expect(device(a)).toBe(device(b));
    expect(storage.getItem('confab.diyalog.deviceHash')).toBe(device(a));
    for (const w of [a, b]) w.transport.close();
  });
});
