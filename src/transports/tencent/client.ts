/**
 * The small slice of a Tencent Chat client the desk transport needs. Two implementations:
 * `sdk-client.ts` over the real SDK (lazy chunk) and, sandbox only (never in dist/), the
 * loopback client over the simulator's WebSocket (src/server/sandbox/tencent-loopback-client.ts,
 * served by the sandbox at `sandbox/tencent-loopback.js` next to the built assets). The
 * transport and its tests never import the SDK itself.
 */
import { capText, MAX_OPTIONS } from '../../core/contract';

/** The desk's IM agent virtual number used by Tencent's own kits when a site sets none. */
export const DEFAULT_DESK_ACCOUNT = '@customer_service_account';

export interface DeskCredentials {
  userID: string;
  userSig: string;
}

export type DeskNetState = 'connected' | 'connecting' | 'disconnected';

export interface DeskImageInfo {
  url: string;
  /** 0 original, 1 big, 2 thumbnail (SDK convention). */
  type?: number;
}

/** The fields of the SDK's `Message` we read; everything in it is untrusted. */
export interface DeskMessage {
  ID: string;
  /** 'TIMTextElem' | 'TIMCustomElem' | 'TIMImageElem' | 'TIMFileElem' | … */
  type: string;
  /** 'in' from the desk, 'out' from this user (also from another tab). */
  flow: string;
  from: string;
  conversationID: string;
  /** seconds */
  time: number;
  nick?: string;
  avatar?: string;
  /**
   * The SDK's delivery state of a message this user sent ('unSend' | 'success' | 'fail'). Its
   * local message list (what getMessageList answers from) keeps lines that never reached the
   * server, marked 'fail' or still 'unSend'.
   */
  status?: string;
  /** Recalled by its sender: history keeps it marked so (the SDK's `isRevoked`). */
  isRevoked?: boolean;
  payload: {
    text?: string;
    data?: string;
    description?: string;
    extension?: string;
    imageInfoArray?: DeskImageInfo[];
    fileUrl?: string;
    fileName?: string;
    fileSize?: number;
  };
}

export type DeskEvent =
  | { name: 'ready' }
  | { name: 'not-ready' }
  | { name: 'received'; messages: DeskMessage[] }
  | { name: 'modified'; messages: DeskMessage[] }
  /** MESSAGE_REVOKED: the sender recalled these messages. */
  | { name: 'revoked'; messages: DeskMessage[] }
  | { name: 'kicked'; reason: string }
  | { name: 'net'; state: DeskNetState }
  | { name: 'error'; code: number; message: string };

export interface DeskHistoryPage {
  messages: DeskMessage[];
  next?: string;
  complete: boolean;
}

export interface DeskClient {
  /** Subscribe before `login`; returns the unsubscribe function. */
  on(listener: (event: DeskEvent) => void): () => void;
  login(credentials: DeskCredentials): Promise<void>;
  sendText(to: string, text: string): Promise<DeskMessage>;
  /**
   * `data` is the desk JSON, already serialized. `cloudCustomData`: the message's extra data
   * (the SDK's createCustomMessage option), here the site's attributes on the trigger.
   */
  sendCustom(to: string, data: string, onlineUserOnly: boolean, cloudCustomData?: string): Promise<DeskMessage>;
  /** One page of the C2C conversation with `peer`, newest page first. */
  history(peer: string, next?: string): Promise<DeskHistoryPage>;
  /** Server clock in ms, when the client knows it. */
  serverTime(): number | undefined;
  destroy(): Promise<void>;
}

export interface DeskClientInit {
  sdkAppId: string;
  /** Sandbox only: the simulator's ws:// URL. */
  sandbox?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? capText(v) : undefined);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A message from the SDK or the sandbox, checked field by field at the edge so the mapper
 * can trust the types (not the content). Undefined when it is not a message at all.
 */
export function toDeskMessage(raw: unknown): DeskMessage | undefined {
  // A real message ID is a short token; one past 256 characters is not a message.
  if (!isObj(raw) || typeof raw.ID !== 'string' || raw.ID.length > 256 || typeof raw.type !== 'string') return undefined;
  const p = isObj(raw.payload) ? raw.payload : {};
  const images = Array.isArray(p.imageInfoArray)
    ? p.imageInfoArray.slice(0, MAX_OPTIONS).filter(isObj).map((i) => ({ url: optStr(i.url) ?? '', type: finite(i.type) }))
    : undefined;
  return {
    ID: raw.ID,
    type: raw.type,
    flow: optStr(raw.flow) ?? 'in',
    from: optStr(raw.from) ?? '',
    conversationID: optStr(raw.conversationID) ?? '',
    // Seconds; past year 5000 it is garbage (and ×1000 could overflow to Infinity).
    time: Math.abs(finite(raw.time) ?? 0) < 1e11 ? (finite(raw.time) ?? 0) : 0,
    nick: optStr(raw.nick),
    avatar: optStr(raw.avatar),
    ...(typeof raw.status === 'string' && raw.status.length <= 16 && { status: raw.status }),
    ...(raw.isRevoked === true && { isRevoked: true }),
    payload: {
      text: optStr(p.text),
      // Not capped: it is JSON the mapper parses (and bounds field by field).
      data: typeof p.data === 'string' ? p.data : undefined,
      description: optStr(p.description),
      extension: optStr(p.extension),
      imageInfoArray: images,
      fileUrl: optStr(p.fileUrl),
      fileName: optStr(p.fileName),
      fileSize: finite(p.fileSize),
    },
  };
}

export const toDeskMessages = (raw: unknown): DeskMessage[] =>
  (Array.isArray(raw) ? raw : [raw]).map(toDeskMessage).filter((m): m is DeskMessage => m !== undefined);
