/**
 * `DeskClient` over Tencent's real Chat SDK. This module (and the SDK it imports) is its own
 * lazy chunk: `TencentCloudChat.create()` opens a socket at once, so it must only run when
 * the visitor opens a Tencent-backed chat.
 *
 * Why `@tencentcloud/chat/index.es.js` and not lite-chat (sizes measured in
 * notes/tencent-sdk.md §1.4, gzip -9: this chunk about 123 KB; lite-chat basic 62.7 KB, or about
 * 77 KB with the message-enhancer plugin that history needs, standard 138 KB, professional
 * 160 KB): lite-chat is smaller, but has no `getServerTime()`, which the satisfaction expiry
 * check needs, and its plugin wiring is undocumented; the full SDK's ESM build is what the desk
 * docs and kits target. The bare `@tencentcloud/chat` import would pick the larger UMD build
 * (no `module` field, about 172 KB), hence the deep import.
 */
import type { DeskClient, DeskEvent } from './client';
import { toDeskMessage, toDeskMessages } from './client';

/** The SDK calls we use, loosely typed: the SDK's own typings are not assignable (TYPES enum). */
export interface ChatSdk {
  on(event: string, handler: (e: { name?: string; data?: unknown }) => void): void;
  login(options: { userID: string; userSig: string }): Promise<unknown>;
  createTextMessage(options: { to: string; conversationType: string; payload: { text: string } }): unknown;
  createCustomMessage(options: {
    to: string;
    conversationType: string;
    payload: { data: string; description: string; extension: string };
    cloudCustomData?: string;
  }): unknown;
  sendMessage(message: unknown, options?: { onlineUserOnly?: boolean }): Promise<unknown>;
  getMessageList(options: { conversationID: string; nextReqMessageID?: string }): Promise<unknown>;
  getServerTime?(): unknown;
  destroy(): Promise<unknown>;
}

const C2C = 'C2C';
const get = (v: unknown, key: string): unknown =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;

/** Wrap an SDK instance (already created) as a DeskClient. */
export function fromTencentSdk(chat: ChatSdk): DeskClient {
  const listeners = new Set<(e: DeskEvent) => void>();
  const emit = (e: DeskEvent): void => listeners.forEach((l) => l(e));
  chat.on('sdkStateReady', () => emit({ name: 'ready' }));
  chat.on('sdkStateNotReady', () => emit({ name: 'not-ready' }));
  chat.on('onMessageReceived', (e) => emit({ name: 'received', messages: toDeskMessages(e.data) }));
  chat.on('onMessageModified', (e) => emit({ name: 'modified', messages: toDeskMessages(e.data) }));
  chat.on('onMessageRevoked', (e) => emit({ name: 'revoked', messages: toDeskMessages(e.data) }));
  chat.on('kickedOut', (e) => emit({ name: 'kicked', reason: String(get(e.data, 'type') ?? '') }));
  chat.on('netStateChange', (e) => {
    const state = get(e.data, 'state');
    if (state === 'connected' || state === 'connecting' || state === 'disconnected') emit({ name: 'net', state });
  });
  chat.on('error', (e) => {
    // Typed checks, not coercion: the payload comes from the network.
    const code = get(e.data, 'code');
    const message = get(e.data, 'message');
    emit({ name: 'error', code: typeof code === 'number' ? code : NaN, message: typeof message === 'string' ? message : '' });
  });

  // Before SDK_READY the full SDK returns a rejected Promise and lite-chat throws: one path.
  const send = async (create: () => unknown, onlineUserOnly: boolean) => {
    const message = await Promise.resolve().then(create);
    const result = await chat.sendMessage(message, onlineUserOnly ? { onlineUserOnly: true } : undefined);
    const sent = toDeskMessage(get(get(result, 'data'), 'message'));
    if (!sent) throw new Error('sendMessage resolved without a message');
    return sent;
  };

  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async login(credentials) {
      await chat.login(credentials);
    },
    sendText: (to, text) => send(() => chat.createTextMessage({ to, conversationType: C2C, payload: { text } }), false),
    sendCustom: (to, data, onlineUserOnly, cloudCustomData) =>
      send(
        () =>
          chat.createCustomMessage({
            to,
            conversationType: C2C,
            payload: { data, description: '', extension: '' },
            ...(cloudCustomData && { cloudCustomData }),
          }),
        onlineUserOnly,
      ),
    async history(peer, next) {
      const r = await chat.getMessageList({ conversationID: C2C + peer, ...(next && { nextReqMessageID: next }) });
      const data = get(r, 'data');
      const nextId = get(data, 'nextReqMessageID');
      return {
        messages: toDeskMessages(get(data, 'messageList') ?? []),
        ...(typeof nextId === 'string' && nextId && { next: nextId }),
        complete: get(data, 'isCompleted') !== false,
      };
    },
    serverTime() {
      // getServerTime() is in ms despite its `Number` typing; lite-chat lacks it.
      const ms = Number(chat.getServerTime?.());
      return Number.isFinite(ms) && ms > 0 ? ms : undefined;
    },
    async destroy() {
      listeners.clear();
      await chat.destroy();
    },
  };
}

/** Import the SDK (lazy chunk), create the per-SDKAppID instance and wrap it. */
export async function createSdkClient(sdkAppId: string): Promise<DeskClient> {
  const { default: TencentCloudChat } = await import('@tencentcloud/chat/index.es.js');
  const chat = TencentCloudChat.create({ SDKAppID: Number(sdkAppId) });
  if (!chat) throw new Error(`Tencent Chat refused SDKAppID ${sdkAppId}`);
  chat.setLogLevel(1);
  return fromTencentSdk(chat as unknown as ChatSdk);
}
