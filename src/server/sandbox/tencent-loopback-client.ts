/**
 * SANDBOX ONLY. A `DeskClient` over the Tencent desk simulator's WebSocket, used when the
 * widget is configured with `data-sandbox="ws://127.0.0.1:<port>"` instead of Tencent's SDK
 * (the demo page and the tests). It behaves like the SDK where the transport can tell:
 * ready after login, network state changes, a kick when the same userID logs in elsewhere,
 * server time, and history in pages of 15. It reconnects (and logs in again) after a drop,
 * on the shared policy (core/backoff.ts), as the SDK does on its own.
 */
import { createReconnector } from '../../core/backoff';
import { toDeskMessages } from '../../transports/tencent/client';
import type { DeskClient, DeskCredentials, DeskEvent, DeskMessage } from '../../transports/tencent/client';
import type { LoopbackPush, LoopbackRequest } from './tencent-loopback-protocol';

type Pending = { resolve: (r: LoopbackPush & { op: 'reply'; ok: true }) => void; reject: (e: Error) => void };
type Request = LoopbackRequest extends infer R ? (R extends LoopbackRequest ? Omit<R, 'seq'> : never) : never;

export function createLoopbackClient(url: string): DeskClient {
  const listeners = new Set<(e: DeskEvent) => void>();
  const pending = new Map<number, Pending>();
  let seq = 0;
  let socket: WebSocket | undefined;
  let credentials: DeskCredentials | undefined;
  let offset: number | undefined;
  let destroyed = false;
  let kicked = false;
  const retry = createReconnector({ baseMs: 250, run: () => void reconnect() });

  const emit = (e: DeskEvent): void => listeners.forEach((l) => l(e));
  const clock = (serverTime: unknown): void => {
    if (typeof serverTime === 'number') offset = serverTime - Date.now();
  };

  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      emit({ name: 'net', state: 'connecting' });
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => {
        retry.reset();
        emit({ name: 'net', state: 'connected' });
        resolve();
      };
      ws.onerror = () => reject(new Error(`sandbox socket ${url} failed`));
      ws.onmessage = (ev: MessageEvent) => onFrame(String(ev.data));
      ws.onclose = () => {
        for (const p of pending.values()) p.reject(new Error('socket closed'));
        pending.clear();
        if (destroyed || kicked || socket !== ws) return;
        emit({ name: 'net', state: 'disconnected' });
        emit({ name: 'not-ready' });
        retry.schedule();
      };
    });

  const reconnect = async (): Promise<void> => {
    if (destroyed || !credentials) return;
    try {
      await open();
      await login(credentials);
    } catch {
      /* onclose schedules the next attempt */
    }
  };

  const onFrame = (raw: string): void => {
    let frame: LoopbackPush;
    try {
      frame = JSON.parse(raw) as LoopbackPush;
    } catch {
      return emit({ name: 'error', code: -1, message: 'unreadable sandbox frame' });
    }
    if (frame.op === 'reply') {
      const p = pending.get(frame.seq);
      pending.delete(frame.seq);
      if (frame.ok) p?.resolve(frame);
      else p?.reject(Object.assign(new Error(frame.error), { code: frame.code }));
    } else if (frame.op === 'message' || frame.op === 'modified' || frame.op === 'revoked') {
      clock(frame.serverTime);
      const name = frame.op === 'message' ? 'received' : frame.op;
      emit({ name, messages: toDeskMessages(frame.message) });
    } else if (frame.op === 'kicked') {
      kicked = true;
      emit({ name: 'not-ready' });
      emit({ name: 'kicked', reason: frame.reason });
    }
  };

  const request = (body: Request) =>
    new Promise<LoopbackPush & { op: 'reply'; ok: true }>((resolve, reject) => {
      if (!socket || socket.readyState !== 1) return reject(Object.assign(new Error('not connected'), { code: 2024 }));
      const n = ++seq;
      pending.set(n, { resolve, reject });
      socket.send(JSON.stringify({ ...body, seq: n }));
    });

  const login = async (c: DeskCredentials): Promise<void> => {
    credentials = c;
    const r = await request({ op: 'login', userID: c.userID, userSig: c.userSig });
    clock(r.serverTime);
    emit({ name: 'ready' });
  };

  const sent = (r: { message?: DeskMessage }): DeskMessage => {
    if (!r.message) throw new Error('sandbox reply without message');
    return r.message;
  };

  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async login(c) {
      kicked = false; // logging in again after a kick (a renewed userSig) is allowed, as with the SDK
      if (!socket || socket.readyState > 1) await open();
      await login(c);
    },
    sendText: async (to, text) => sent(await request({ op: 'send', to, message: { op: 'text', text }, onlineUserOnly: false })),
    sendCustom: async (to, data, onlineUserOnly, cloudCustomData) =>
      sent(await request({ op: 'send', to, message: { op: 'custom', data, ...(cloudCustomData && { cloudCustomData }) }, onlineUserOnly })),
    async history(peer, next) {
      const r = await request({ op: 'history', peer, ...(next && { next }) });
      return r.page ?? { messages: [], complete: true };
    },
    serverTime: () => (offset === undefined ? undefined : Date.now() + offset),
    async destroy() {
      destroyed = true;
      retry.stop();
      socket?.close();
      listeners.clear();
    },
  };
}
