/**
 * The sandbox's tiny JSON protocol between `tencent-loopback-client.ts` (browser) and the Tencent
 * desk simulator (src/server/sandbox/tencent.ts). It mirrors the SDK calls the transport
 * makes, nothing more; typing travels as the desk's own src 12 custom messages. Types only.
 *
 * client → server: login, send, history (each with a `seq` the reply echoes)
 * server → client: reply, message (MESSAGE_RECEIVED), modified (MESSAGE_MODIFIED),
 *                   revoked (MESSAGE_REVOKED), kicked
 */
import type { DeskMessage } from '../../transports/tencent/client';

export type LoopbackOutgoing =
  | { op: 'text'; text: string }
  | { op: 'custom'; data: string; cloudCustomData?: string };

export type LoopbackRequest =
  | { op: 'login'; seq: number; userID: string; userSig: string }
  | { op: 'send'; seq: number; to: string; message: LoopbackOutgoing; onlineUserOnly: boolean }
  | { op: 'history'; seq: number; peer: string; next?: string };

export type LoopbackReply =
  | { op: 'reply'; seq: number; ok: true; message?: DeskMessage; page?: { messages: DeskMessage[]; next?: string; complete: boolean }; serverTime?: number }
  | { op: 'reply'; seq: number; ok: false; code: number; error: string };

export type LoopbackPush =
  | LoopbackReply
  | { op: 'message'; message: DeskMessage; serverTime: number }
  | { op: 'modified'; message: DeskMessage; serverTime: number }
  | { op: 'revoked'; message: DeskMessage; serverTime: number }
  | { op: 'kicked'; reason: string };
