/**
 * ExpertFlow CX's CIM messages (`{id, header, body}`), its widget configuration and its
 * form definitions, read at the edge into typed values. Pure: no socket, no DOM. Anything
 * unreadable is `null`, and the transport turns that into one `error` event.
 *
 * Shapes, all from ExpertFlow's own customer-side code (sources as in transport.ts):
 * - a CIM message: `header.sender.{id, type, senderName, additionalDetail}`, `header.conversationId`,
 *   `header.intent` ('UPDATE' with `header.originalMessageId` edits a line), `body.type` one of
 *   PLAIN (`markdownText`), BUTTON (`buttons[{title, payload}]`), CAROUSEL
 *   (`elements[{text, buttons, additionalCarouselElementDetails{id, title, image_url}}]`),
 *   FILE / IMAGE / VIDEO / AUDIO (`attachment{mediaUrl, mimeType, size}`, `caption`,
 *   `additionalDetails.fileName`), NOTIFICATION (`notificationType` TYPING_STARTED, or a participant
 *   change in `notificationData.data.{agentParticipant|conversationParticipant}.participant.keycloakUser`),
 *   DELIVERYNOTIFICATION (`messageId`, `status` READ | FAILED), FORM_DATA (W, widget.component.ts).
 * - a form: `{id, formTitle, sections[{attributes[{key, label, valueType, isRequired,
 *   attributeOptions.attributeData[{values[{label, value}]}]}]}]}` (W, createFormValidationControls).
 * - a widget configuration: `{title, subTitle, enableFileTransfer, form, language.code}` (E4 README, W).
 */
import { capText, MAX_OPTIONS, type Attachment, type AttachmentKind, type FieldType, type SurveyField } from '../../core/contract';
import { safeUrl } from '../../core/urls';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, MAX_OPTIONS) : []);
const upper = (v: unknown): string => (str(v) ?? '').toUpperCase();

export type SenderType = 'CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM';

export interface Button {
  title: string;
  payload: string;
}

export interface CarouselCard {
  id: string;
  title: string;
  text: string;
  image?: string;
  buttons: Button[];
}

interface Base {
  id: string;
  conversationId?: string;
  sender: SenderType;
  senderName?: string;
  sentAt?: number;
  /** Set when the line edits (intent UPDATE) or answers (a button choice) another one. */
  originalId?: string;
  update: boolean;
}

export type Cim =
  | (Base & { kind: 'text'; text: string })
  | (Base & { kind: 'buttons'; text: string; buttons: Button[] })
  | (Base & { kind: 'carousel'; text: string; cards: CarouselCard[] })
  | (Base & { kind: 'media'; text: string; attachment: Attachment })
  | (Base & { kind: 'typing' })
  | (Base & { kind: 'participant'; joined: boolean; name: string; isBot: boolean })
  | (Base & { kind: 'receipt'; messageId: string; status: string })
  | (Base & { kind: 'other'; text: string });

function senderType(v: unknown): SenderType {
  const t = upper(v);
  // APP and CONNECTOR lines speak for the customer side (the widget's own form activity, a
  // connector relaying the customer): W counts CONNECTOR as the customer's.
  if (t === 'CUSTOMER' || t === 'CONNECTOR') return 'CUSTOMER';
  if (t === 'AGENT' || t === 'BOT') return t;
  return 'SYSTEM';
}

/** "First Last" of a keycloak user, as W's getAgentDisplayName builds it. */
export function displayName(user: unknown, fallback: string): string {
  const u = obj(user);
  const parts = [str(u?.firstName), str(u?.lastName)].filter(Boolean);
  return capText(parts.join(' ') || str(u?.username) || fallback);
}

function buttons(v: unknown): Button[] {
  const out: Button[] = [];
  for (const b of list(v)) {
    const o = obj(b);
    const title = str(o?.title)?.trim();
    if (title) out.push({ title: capText(title), payload: str(o?.payload) ?? title });
  }
  return out;
}

const MEDIA_KINDS: Record<string, AttachmentKind> = { IMAGE: 'image', VIDEO: 'video', AUDIO: 'audio', FILE: 'file' };

function attachment(body: Obj, kind: AttachmentKind): Attachment | null {
  const a = obj(body.attachment);
  const url = safeUrl(a?.mediaUrl, 'media');
  if (!url) return null;
  const details = obj(body.additionalDetails);
  // FILE names itself in additionalDetails.fileName, media in the caption (W constructCimMessage).
  const name = capText(str(details?.fileName) || (kind !== 'file' ? str(body.caption) : '') || kind);
  const out: Attachment = { name, url, kind };
  const mime = str(a?.mimeType) ?? str(a?.type);
  if (mime) out.mime = mime.slice(0, 100);
  if (typeof a?.size === 'number' && Number.isFinite(a.size) && a.size >= 0) out.size = a.size;
  return out;
}

/** One CIM message, or null when it is not one. */
export function decodeCim(raw: unknown): Cim | null {
  const m = obj(raw);
  const header = obj(m?.header);
  const body = obj(m?.body);
  if (!m || !header || !body) return null;
  const type = upper(body.type);
  if (!type) return null;
  const sender = obj(header.sender);
  // Ids are only compared and keyed on: a bounded length is enough for both.
  const id = str(m.id)?.slice(0, 200);
  const base: Base = {
    id: id ?? '',
    sender: senderType(sender?.type),
    update: upper(header.intent) === 'UPDATE',
  };
  const conversationId = str(header.conversationId);
  if (conversationId) base.conversationId = conversationId;
  const name = str(sender?.senderName) ?? '';
  // An agent is named as W names it: first and last name, else the user name.
  const shown = base.sender === 'AGENT' ? displayName(sender?.additionalDetail, name) : capText(name);
  if (shown) base.senderName = shown;
  const ts = header.timestamp;
  const sentAt = typeof ts === 'number' ? ts : typeof ts === 'string' && ts ? Date.parse(ts) : NaN;
  if (Number.isFinite(sentAt)) base.sentAt = sentAt;
  const original = str(header.originalMessageId)?.slice(0, 200);
  if (original) base.originalId = original;
  const text = capText(str(body.markdownText) ?? '');

  switch (type) {
    case 'PLAIN':
      return id ? { ...base, kind: 'text', text } : null;
    case 'BUTTON': {
      const b = buttons(body.buttons);
      return id ? (b.length ? { ...base, kind: 'buttons', text, buttons: b } : { ...base, kind: 'text', text }) : null;
    }
    case 'CAROUSEL': {
      if (!id) return null;
      const cards: CarouselCard[] = [];
      list(body.elements).forEach((e, i) => {
        const el = obj(e);
        const d = obj(el?.additionalCarouselElementDetails);
        const card: CarouselCard = {
          id: str(d?.id)?.slice(0, 100) ?? String(i),
          title: capText(str(d?.title) ?? ''),
          text: capText(str(el?.text) ?? ''),
          buttons: buttons(el?.buttons),
        };
        const image = safeUrl(d?.image_url, 'image');
        if (image) card.image = image;
        if (card.title || card.text || card.image) cards.push(card);
      });
      return { ...base, kind: 'carousel', text, cards };
    }
    case 'NOTIFICATION': {
      const nt = upper(body.notificationType);
      if (nt === 'TYPING_STARTED') return { ...base, kind: 'typing' };
      const data = obj(obj(body.notificationData)?.data);
      const participant = obj(obj(data?.agentParticipant ?? data?.conversationParticipant)?.participant);
      if (participant) {
        // The type names a join or a leave; W reads only the participant, so the name of the
        // type is matched loosely (…JOINED / …SUBSCRIBED vs …LEFT / …UNSUBSCRIBED / …REMOVED).
        const left = /LEFT|LEAVE|UNSUBSCRIB|REMOVED|ENDED/.test(nt);
        const joined = !left && /JOIN|SUBSCRIB|ADDED|ASSIGNED/.test(nt);
        if (left || joined) {
          const kind = upper(participant.type);
          const agentName = displayName(participant.keycloakUser, str(participant.displayName) ?? 'Agent');
          return { ...base, kind: 'participant', joined, name: agentName, isBot: kind === 'BOT' };
        }
      }
      return { ...base, kind: 'other', text };
    }
    case 'DELIVERYNOTIFICATION': {
      const messageId = str(body.messageId)?.slice(0, 200);
      return messageId ? { ...base, kind: 'receipt', messageId, status: upper(body.status) } : null;
    }
  }
  const media = MEDIA_KINDS[type];
  if (media) {
    if (!id) return null;
    const a = attachment(body, media);
    return a ? { ...base, kind: 'media', text, attachment: a } : { ...base, kind: 'other', text };
  }
  return id ? { ...base, kind: 'other', text } : null;
}

/** CX form value types → our field types (W's dictionary of valueTypes). */
const VALUE_TYPES: Record<string, FieldType> = {
  email: 'email',
  phonenumber: 'phone',
  number: 'numeric',
  positivenumber: 'numeric',
  date: 'date',
  time: 'time',
  boolean: 'boolean',
  dropdown: 'select',
  mcq: 'select',
};

export interface CxForm {
  id: string;
  fields: SurveyField[];
}

/** A CX form definition → pre-chat fields (attribute `key` is the field name). */
export function decodeForm(raw: unknown): CxForm | null {
  const f = obj(raw);
  if (!f || !Array.isArray(f.sections)) return null;
  const fields: SurveyField[] = [];
  for (const s of list(f.sections)) {
    for (const a of list(obj(s)?.attributes)) {
      const at = obj(a);
      const key = str(at?.key)?.trim();
      if (!at || !key || fields.some((x) => x.name === key) || fields.length >= MAX_OPTIONS) continue;
      const valueType = (str(at.valueType) ?? '').toLowerCase();
      let type: FieldType = VALUE_TYPES[valueType] ?? 'text';
      const options: string[] = [];
      for (const d of list(obj(at.attributeOptions)?.attributeData)) {
        for (const v of list(obj(d)?.values)) {
          const label = str(obj(v)?.label) ?? str(obj(v)?.value);
          if (label && options.length < MAX_OPTIONS) options.push(capText(label));
        }
      }
      // Checkboxes, files and ratings have no field of ours: asked as text only when optional.
      if (valueType === 'checkbox' || valueType === 'file') {
        if (at.isRequired === true) return null;
        continue;
      }
      if (type === 'select' && !options.length) type = 'text';
      const field: SurveyField = { name: key, type, label: capText(str(at.label) ?? key), required: at.isRequired === true };
      if (type === 'select') {
        field.options = options;
        field.selectAs = valueType === 'dropdown' ? 'select' : 'radio';
      }
      if (valueType === 'paragraph') field.multiline = true;
      // Our name field (autocomplete, the agent's greeting) for W's usual `name` key.
      if (key === 'name' && type === 'text') field.type = 'name';
      fields.push(field);
    }
  }
  return { id: str(f.id) ?? str(f._id) ?? '', fields };
}

export interface WidgetConfig {
  formId?: string;
  fileTransfer: boolean;
  title?: string;
}

export function decodeWidgetConfig(raw: unknown): WidgetConfig | null {
  const c = obj(raw);
  if (!c) return null;
  const out: WidgetConfig = { fileTransfer: c.enableFileTransfer === true };
  const form = str(c.form)?.trim();
  if (form) out.formId = form;
  const title = str(c.title)?.trim();
  if (title) out.title = capText(title);
  return out;
}
