/**
 * The edge of the ExpertFlow transport: untrusted socket.io / REST payloads in, typed
 * values out, or `null` when a payload is malformed (the transport turns that into one
 * `error` event). Nothing here emits events or keeps state, so every example payload of
 * the vendor document can be fed through it in unit tests.
 */
import { capText, MAX_OPTIONS, type Attachment, type AttachmentKind } from '../../core/contract';
import { safeUrl } from '../../core/urls';

export interface Participant {
  id: string;
  name: string;
  /**
   * Only from an undocumented extra (`type`, `role`, `participantType`): true for a bot, false
   * for a person, undefined when the server says nothing (the document's `{ id, name }`).
   */
  isBot?: boolean;
}

export interface ChatLine {
  type: 'ChatMessage';
  /** Stable across the live echo and the `conversationInfo` copy of the same line. */
  id: string;
  conversationId?: string;
  from: Participant;
  text: string;
  attachments: Attachment[];
  /** Names of attachments whose URL is not allowed (file:, javascript:, …): shown as text. */
  blocked: string[];
  whisper: boolean;
  timestamp?: string;
  sentAt?: number;
}

export interface Activity {
  type: 'ActivityMessage';
  id: string;
  conversationId?: string;
  activityType: string;
  from?: Participant;
  info: Record<string, unknown>;
  /** A human line carried by the activity, when it has one (`text`, `info.text`, `info.message`). */
  text?: string;
}

export type Arrived = ChatLine | Activity;

export interface InitReply {
  conversationId: string;
  participant: Participant;
}

export interface ConversationInfo {
  messages: Arrived[];
  participants: Participant[];
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
// Strings are bounded here (capText): a 1 MB line reaches the UI as 20,000 characters.
const str = (v: unknown): string | undefined => (typeof v === 'string' ? capText(v) : undefined);

/** Some servers emit JSON text rather than objects; both are accepted. */
function parsed(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/** A list that the document's own sample writes as a string (`"messages": "[]"`). */
function list(raw: unknown): unknown[] | null {
  if (raw == null) return [];
  const v = parsed(raw);
  return Array.isArray(v) ? v : null;
}

export function decodeParticipant(raw: unknown): Participant | null {
  const o = obj(raw);
  const id = o && (str(o.id) ?? str(o._id));
  if (!o || !id) return null;
  // The document's Participant has only id and name; a server may add a role/type that tells
  // bots apart: an optional extra, honoured when present (the transport has its own reading).
  const name = str(o.name) ?? str(o.displayName) ?? '';
  const kind = roleOf(`${str(o.type) ?? ''} ${str(o.role) ?? ''} ${str(o.participantType) ?? ''}`);
  return kind === undefined ? { id, name } : { id, name, isBot: kind };
}

/** true: a bot; false: a person (agent, supervisor); undefined: the text says neither. */
function roleOf(kind: string): boolean | undefined {
  if (/bot/i.test(kind)) return true;
  if (/agent|human|supervisor|user/i.test(kind)) return false;
  return undefined;
}

function hash(s: string): string {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (h * 33) ^ s.charCodeAt(i);
  return (h >>> 0).toString(36);
}

/**
 * The protocol gives a line no id. A server-given id wins; otherwise sender, timestamp and
 * text identify a line (the echo and the history copy carry the client's timestamp).
 */
function lineId(o: Obj, from: string, text: string): string {
  const own = str(o.id) ?? str(o._id) ?? str(o.messageId);
  if (own) return own;
  const ts = str(o.timestamp);
  // Two lines of one sender in one millisecond differ by their attachments at least (a file
  // and a picture sent together, each with no text): without them in the key one was lost.
  return `ef-${hash(JSON.stringify(ts ? [from, ts, text, o.attachments] : o))}`;
}

function kindOf(type: string): AttachmentKind {
  const k = type.toLowerCase().split('/')[0];
  return k === 'image' || k === 'audio' || k === 'video' ? k : 'file';
}

function decodeAttachments(raw: unknown, base: string, blocked: string[]): Attachment[] | null {
  const items = list(raw);
  if (!items) return null;
  const out: Attachment[] = [];
  // More attachments than MAX_OPTIONS on one line is not a chat line: the rest are dropped.
  for (const item of items.slice(0, MAX_OPTIONS)) {
    const a = obj(item);
    if (!a) return null;
    const mime = str(a.type) ?? '';
    const kind = kindOf(mime);
    const name = str(a.name) ?? '';
    // The document allows File and Data URLs; only http(s), and data: for images, are safe here.
    const url = safeUrl(a.contentUrl, kind === 'image' ? 'image' : 'media', base);
    if (!url) {
      blocked.push(name || mime || 'attachment');
      continue;
    }
    // "The widget could display the thumbnail image instead of the document": for a document
    // (not an image, a sound or a video, which show themselves), when the image is safe.
    const thumbnailUrl = kind === 'file' ? safeUrl(a.thumbnailUrl, 'image', base) : null;
    out.push({ name, url, kind, ...(mime.includes('/') ? { mime } : {}), ...(thumbnailUrl ? { thumbnailUrl } : {}) });
  }
  return out;
}

/** One `messageArrived` payload (or one entry of `conversationInfo.messages`). */
export function decodeArrived(raw: unknown, base: string): Arrived | null {
  const o = obj(parsed(raw));
  if (!o) return null;
  const conversationId = str(o.conversationId);
  const fromRaw = o.from;
  const from = fromRaw == null ? undefined : decodeParticipant(fromRaw);
  if (from === null) return null;
  if (o.type === 'ChatMessage') {
    const text = o.text == null ? '' : str(o.text);
    const blocked: string[] = [];
    const attachments = decodeAttachments(o.attachments, base, blocked);
    if (!from || text === undefined || !attachments) return null;
    const timestamp = str(o.timestamp);
    const sentAt = timestamp ? Date.parse(timestamp) : NaN;
    return {
      type: 'ChatMessage',
      id: lineId(o, from.id, text),
      conversationId,
      from,
      text,
      attachments,
      blocked,
      whisper: o.tag === 'whisper',
      timestamp,
      sentAt: Number.isFinite(sentAt) ? sentAt : undefined,
    };
  }
  if (o.type === 'ActivityMessage') {
    const activityType = str(o.activityType);
    const info = o.info == null ? {} : obj(parsed(o.info));
    if (!activityType || !info) return null;
    const text = str(o.text) || str(info.text) || str(info.message) || undefined;
    return {
      type: 'ActivityMessage',
      id: lineId(o, from?.id ?? '', activityType),
      conversationId,
      activityType,
      from,
      info,
      text,
    };
  }
  return null;
}

/** The body of a 200 reply to `POST /api/customer/init`. */
export function decodeInit(raw: unknown): InitReply | null {
  const o = obj(parsed(raw));
  const conversationId = o && str(o.conversationId);
  const participant = o && decodeParticipant(o.participant);
  return conversationId && participant ? { conversationId, participant } : null;
}

/** `conversationInfo`: history and participants, sent on every join. */
export function decodeInfo(raw: unknown, base: string): ConversationInfo | null {
  const o = obj(parsed(raw));
  const msgs = o && list(o.messages);
  // The document names the field `participant`; `participants` is accepted too.
  const people = o && list(o.participant ?? o.participants);
  if (!msgs || !people) return null;
  const messages: Arrived[] = [];
  for (const m of msgs) {
    const a = decodeArrived(m, base);
    if (!a) return null;
    messages.push(a);
  }
  const participants: Participant[] = [];
  for (const p of people) {
    // Entries are Participant objects, or wrappers holding one (`{ participant, role }`).
    const w = obj(p);
    const d = decodeParticipant(w && obj(w.participant) ? w.participant : p);
    if (!d) return null;
    if (w && d.isBot === undefined) {
      const kind = roleOf(str(w.role) ?? '');
      if (kind !== undefined) d.isBot = kind;
    }
    participants.push(d);
  }
  return { messages, participants };
}
