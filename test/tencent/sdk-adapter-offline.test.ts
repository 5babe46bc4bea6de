/**
 * The real Tencent SDK behind our adapter, with the network made impossible: WebSocket,
 * XMLHttpRequest and fetch are stubs that only record where the SDK tried to go (it opens a
 * socket on create()). The SDK is then marked ready from the inside — it normally waits for
 * a login answer from Tencent — so it creates real Message objects we can inspect.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeskClient } from '../../src/transports/tencent/client';
import { DEFAULT_DESK_ACCOUNT } from '../../src/transports/tencent/client';
import { askRatingData, cardData, endData, selectionData, triggerData } from '../../src/transports/tencent/outgoing';
import { fromTencentSdk, type ChatSdk } from '../../src/transports/tencent/sdk-client';
import { docExample } from './fixtures';

const attempts: string[] = [];
const saved = { WebSocket: globalThis.WebSocket, XMLHttpRequest: globalThis.XMLHttpRequest, fetch: globalThis.fetch };
class NoSocket {
  readyState = 0;
  constructor(url: string) {
    attempts.push(String(url));
  }
  send() {}
  close() {}
  addEventListener() {}
  removeEventListener() {}
}
class NoXhr {
  open(_method: string, url: string) {
    attempts.push(String(url));
  }
  send() {}
  setRequestHeader() {}
  abort() {}
  addEventListener() {}
}

let chat: ChatSdk;
let client: DeskClient;
const readyFlags: Array<{ _isReady?: boolean }> = [];
const sendMessage = vi.fn(async (message: unknown, _options?: { onlineUserOnly?: boolean }) => ({ code: 0, data: { message } }));

beforeAll(async () => {
  Object.assign(globalThis, { WebSocket: NoSocket, XMLHttpRequest: NoXhr, fetch: async (u: unknown) => (attempts.push(String(u)), Promise.reject(new Error('offline'))) });
  // Catch the SDK's internal objects as they initialise their ready flag.
  Object.defineProperty(Object.prototype, '_isReady', {
    configurable: true,
    set(this: { _isReady?: boolean }, v: boolean) {
      readyFlags.push(this);
      Object.defineProperty(this, '_isReady', { value: v, writable: true, configurable: true, enumerable: true });
    },
  });
  try {
    const { default: TencentCloudChat } = await import('@tencentcloud/chat/index.es.js');
    const instance = TencentCloudChat.create({ SDKAppID: 1400000001 });
    instance.setLogLevel(4);
    chat = instance as unknown as ChatSdk;
  } finally {
    delete (Object.prototype as { _isReady?: unknown })._isReady;
  }
  client = fromTencentSdk(chat);
});

afterAll(() => {
  Object.assign(globalThis, saved);
});

describe('the SDK adapter over the real Tencent SDK, offline', () => {
  it('never reaches the network: the only attempts hit the stubs', () => {
    expect(attempts.some((u) => u.startsWith('wss://1400000001'))).toBe(true);
    expect(readyFlags.length).toBeGreaterThan(0);
  });

  it('before the SDK is ready a send rejects (code 2024) instead of throwing synchronously', async () => {
    await expect(client.sendCustom(DEFAULT_DESK_ACCOUNT, triggerData(), true)).rejects.toMatchObject({ code: 2024 });
  });

  it('creates custom messages with the exact desk payloads, flag messages online-only', async () => {
    for (const f of readyFlags) f._isReady = true;
    chat.sendMessage = sendMessage;
    const cases = [
      [triggerData(), 'src7-trigger.txt'],
      [askRatingData(), 'src24-ask-evaluation.txt'],
      [endData(), 'src27-end-manual.txt'],
      [selectionData('id', 'content', 'sessionId'), 'src10-selection.txt'],
    ] as const;
    for (const [data, fixture] of cases) {
      sendMessage.mockClear();
      await client.sendCustom(DEFAULT_DESK_ACCOUNT, data, true);
      const [message, options] = sendMessage.mock.calls[0]!;
      expect(message).toMatchObject({
        type: 'TIMCustomElem',
        to: DEFAULT_DESK_ACCOUNT,
        conversationType: 'C2C',
        payload: { data, description: '', extension: '' },
      });
      expect(JSON.parse((message as { payload: { data: string } }).payload.data)).toEqual(docExample(fixture));
      expect(options).toEqual({ onlineUserOnly: true });
    }
  });

  it('creates a plain text message for a branch choice (the desk matches the text exactly), stored', async () => {
    sendMessage.mockClear();
    const sent = await client.sendText(DEFAULT_DESK_ACCOUNT, 'Talk to a human');
    const [message, options] = sendMessage.mock.calls[0]!;
    expect(message).toMatchObject({ type: 'TIMTextElem', to: DEFAULT_DESK_ACCOUNT, payload: { text: 'Talk to a human' } });
    expect(options).toBeUndefined();
    expect(sent).toMatchObject({ type: 'TIMTextElem', payload: { text: 'Talk to a human' } });
  });

  it('reads the server clock in milliseconds', () => {
    expect(Math.abs((client.serverTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });
  it('creates the card the visitor sends (src 22) with the document\'s shape, stored like a chat line (not online-only)', async () => {
    sendMessage.mockClear();
    const card = {
      title: 'This is the title',
      description: 'This is the description',
      image: 'https://cloudcache.tencent-cloud.com/qcloud/portal/kit/images/presale.a4955999.jpeg',
      url: 'https://www.qcloud.com/',
    };
    const sent = await client.sendCustom(DEFAULT_DESK_ACCOUNT, cardData(card), false);
    const [message, options] = sendMessage.mock.calls[0]!;
    expect(message).toMatchObject({ type: 'TIMCustomElem', to: DEFAULT_DESK_ACCOUNT, conversationType: 'C2C' });
    expect(JSON.parse((message as { payload: { data: string } }).payload.data)).toEqual(docExample('src22-card.txt'));
    expect(options).toBeUndefined();
    // (Offline, with no user logged in, the SDK leaves `flow` and `conversationID` empty.)
    expect(sent).toMatchObject({ type: 'TIMCustomElem', payload: { data: cardData(card) } });
  });

  it('reads getMessageList\'s reply ({messageList, nextReqMessageID, isCompleted}) page by page', async () => {
    // The visitor's own stored line, as the SDK itself builds it, and a desk line shaped as
    // the SDK's Message (notes/tencent-sdk.md §1.3).
    const own = chat.createTextMessage({ to: DEFAULT_DESK_ACCOUNT, conversationType: 'C2C', payload: { text: 'Order status' } });
    const desk = {
      ID: 'desk-1', type: 'TIMCustomElem', flow: 'in', from: DEFAULT_DESK_ACCOUNT, to: 'visitor', conversationID: `C2C${DEFAULT_DESK_ACCOUNT}`,
      conversationType: 'C2C', time: 1691070000, nick: 'Desk', status: 'success', isRevoked: false,
      payload: { data: JSON.stringify(docExample('src15-branch.txt')), description: '', extension: '' },
    };
    const getMessageList = vi.fn(async (options: { conversationID: string; nextReqMessageID?: string }) =>
      options.nextReqMessageID
        ? { code: 0, data: { messageList: [desk], nextReqMessageID: '', isCompleted: true } }
        : { code: 0, data: { messageList: [own, 'not a message'], nextReqMessageID: 'desk-1', isCompleted: false } },
    );
    chat.getMessageList = getMessageList;

    const newest = await client.history(DEFAULT_DESK_ACCOUNT);
    expect(getMessageList).toHaveBeenLastCalledWith({ conversationID: `C2C${DEFAULT_DESK_ACCOUNT}` });
    expect(newest).toEqual({
      messages: [expect.objectContaining({ ID: (own as { ID: string }).ID, type: 'TIMTextElem', payload: expect.objectContaining({ text: 'Order status' }) })],
      next: 'desk-1',
      complete: false,
    });
    const older = await client.history(DEFAULT_DESK_ACCOUNT, newest.next);
    expect(getMessageList).toHaveBeenLastCalledWith({ conversationID: `C2C${DEFAULT_DESK_ACCOUNT}`, nextReqMessageID: 'desk-1' });
    expect(older).toEqual({
      messages: [{
        ID: 'desk-1', type: 'TIMCustomElem', flow: 'in', from: DEFAULT_DESK_ACCOUNT, conversationID: `C2C${DEFAULT_DESK_ACCOUNT}`, time: 1691070000, nick: 'Desk',
        avatar: undefined, status: 'success', payload: expect.objectContaining({ data: desk.payload.data }),
      }],
      complete: true,
    });
  });

  it('recalled messages: the SDK names MESSAGE_REVOKED onMessageRevoked, and the adapter passes them on as revoked', async () => {
    const { default: TencentCloudChat } = await import('@tencentcloud/chat/index.es.js');
    const events = (TencentCloudChat as unknown as { EVENT: Record<string, string> }).EVENT;
    expect(events.MESSAGE_REVOKED).toBe('onMessageRevoked');
    expect(events.MESSAGE_MODIFIED).toBe('onMessageModified');
    // The SDK only fires it on a server push; a stand-in with the SDK's `on` signature fires it here.
    const handlers = new Map<string, (e: { name?: string; data?: unknown }) => void>();
    const fake = { ...chat, on: (name: string, fn: (e: { name?: string; data?: unknown }) => void) => void handlers.set(name, fn) } as ChatSdk;
    const adapter = fromTencentSdk(fake);
    const seen: unknown[] = [];
    adapter.on((e) => seen.push(e));
    const revoked = { ID: 'r1', type: 'TIMTextElem', flow: 'in', conversationID: 'C2C@customer_service_account', isRevoked: true, payload: { text: 'x' } };
    handlers.get('onMessageRevoked')?.({ name: 'onMessageRevoked', data: [revoked] });
    expect(seen).toMatchObject([{ name: 'revoked', messages: [{ ID: 'r1', isRevoked: true }] }]);
  });
});
