/**
 * The whole Diyalog journey over real sockets on 127.0.0.1: the browser transport's
 * handshake against the site's transaction-hash endpoint, the relay with the Diyalog adapter,
 * and the Diyalog simulator driven by the scripted agent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDiyalogWithRelay, type DiyalogStack } from '../../src/server/sandbox/diyalog-stack';
import { DOC_PARAMS, DOC_SAMPLE } from './doc-fixtures';
import { memoryStorage, ORIGIN, waitFor, widget } from './harness';

let fast: DiyalogStack;
/** An agent slow enough (seconds) that the visitor is surely still on the wait screen. */
let slow: DiyalogStack;

beforeAll(async () => {
  [fast, slow] = await Promise.all([
    startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN }),
    startDiyalogWithRelay({ agent: { delayScale: 5 }, origin: ORIGIN }),
  ]);
});
afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close()]);
});

const frames = (stack: DiyalogStack, name: string) => stack.received.filter((r) => r.name === name);

describe('Diyalog online help through the relay', () => {
  it('gives the demo page the attributes a site owner sets', () => {
    expect(fast.attributes).toMatchObject({
      relay: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/),
      transactionUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      customerId: DOC_SAMPLE.customerId,
      helpType: 'chat',
    });
  });

  it('handshake → wait screen → Cancel: closeMessaging reaches Diyalog', async () => {
    const before = slow.received.length;
    const w = widget(slow.attributes);
    await waitFor(() => w.of('config')[0], 'config');
    w.transport.send({ type: 'start', visitor: { name: 'Ann' }, answers: {} });
    await waitFor(() => w.of('waiting')[0], 'wait screen');
    expect(w.of('accepted')).toHaveLength(1);
    expect(w.of('waiting')[0]).toMatchObject({ kind: 'paging', text: slow.attributes.waitText });
    expect(w.transport.capabilities.has('cancel')).toBe(true);

    // Steps 1–4: the site's endpoint was asked, with the customer and this browser's device hash.
    expect(w.fetches).toHaveLength(1);
    expect(w.fetches[0]!.url).toBe(slow.attributes.transactionUrl);
    expect(w.fetches[0]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    const asked = JSON.parse(String(w.fetches[0]!.init.body)) as { customerId: string; deviceHash: string };
    expect(asked).toEqual({ customerId: '123458', deviceHash: expect.stringMatching(/^[0-9a-f]{40}$/) });

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
    await waitFor(() => slow.received.slice(before).some((r) => r.name === 'closeMessaging'), 'closeMessaging at Diyalog');
    expect(w.of('agent')).toEqual([]);
    w.transport.close();
  });

  it('handshake → representative connects → lines both ways → ended', async () => {
    const w = widget(fast.attributes);
    w.transport.send({ type: 'start', visitor: { name: 'Ann', customerId: 'cust-77', email: 'ann@example.com' }, answers: {} });
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
    expect(error).toMatchObject({ code: 'start-failed', fatal: false, retryable: true });
    expect(error.message).toMatch(/Security check failed.*\(code TRANSACTION_INVALID\)/);
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
    expect(error).toMatchObject({ code: 'start-failed', message: expect.stringContaining('TRANSACTION_INVALID') });
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
