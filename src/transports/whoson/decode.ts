/**
 * WhosOn server frames (`{EventName, ChatUid, Data}`) → typed events. Pure: no socket, no
 * state, never throws. Anything that does not have the documented shape comes back as
 * `malformed` with a reason, so the transport can report it once and carry on.
 *
 * The server is lenient in what it sends (IsBot is "False" in one place and a boolean in
 * another, numbers may arrive as strings), so scalars are read leniently; shapes are not.
 */
import { htmlToText } from '../../core/html-text';
import { capText, MAX_OPTIONS, type ChatConfig, type FieldType, type Language, type SurveyField } from '../../core/contract';
import { safeUrl } from '../../core/urls';

export interface WhosOnOperator {
  name: string;
  isBot: boolean;
  /** Online | Busy | Be Right Back | Away */
  status: string;
}

export interface WhosOnTranslation {
  enabled: boolean;
  defaultLanguage: string;
}

export type WhosOnEvent =
  | {
      kind: 'connected';
      sessionId: string;
      domain: string;
      /** Base URL of the Web Services (http/https only), ending in '/'; null if unusable. */
      webServicesUrl: string | null;
      translation: WhosOnTranslation;
      config: ChatConfig;
    }
  | { kind: 'error'; message: string }
  | { kind: 'accepted'; chatUid: string; text: string }
  | { kind: 'notaccepted'; chatUid: string; text: string }
  | { kind: 'newline'; chatUid: string; classes: string[]; content: string }
  | { kind: 'operatorjoined'; operator: WhosOnOperator }
  | { kind: 'typing'; on: boolean }
  | { kind: 'queue'; position: number }
  | { kind: 'requestfile'; types: string[] }
  | { kind: 'requestfield'; field: SurveyField }
  | { kind: 'quit' }
  | { kind: 'acknowledged' }
  | { kind: 'operators'; operators: WhosOnOperator[] }
  /** `url` is a checked data: URL, or null when the extension or data is not an image. */
  | { kind: 'image'; imageType: number; url: string | null }
  /** An event this version does not know: ignored, so a newer server does not break us. */
  | { kind: 'unknown'; name: string };

export type Decoded = WhosOnEvent | { kind: 'malformed'; reason: string };

/** The document caps a Message's line text at 4000 characters. */
export const MAX_LINE = 4000;

type Obj = Record<string, unknown>;

class Malformed extends Error {}
const bad = (reason: string): never => {
  throw new Malformed(reason);
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Every string is bounded here (capText), so a 1 MB line cannot reach the UI whole.
const str = (v: unknown): string =>
  typeof v === 'string' ? capText(v) : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
};
/** Data that should be a string: null counts as empty, anything else is malformed. */
const text = (v: unknown, event: string): string =>
  v == null ? '' : typeof v === 'string' || typeof v === 'number' ? str(v) : bad(`${event}: Data is not a string`);
/** A server list cut to MAX_OPTIONS entries; the rest are dropped with one warning. */
const bounded = <T>(items: readonly T[], what: string): T[] => {
  if (items.length <= MAX_OPTIONS) return [...items];
  console.warn(`[confab] whoson: ${what} cut to ${MAX_OPTIONS} of ${items.length}`);
  return items.slice(0, MAX_OPTIONS);
};
const obj = (v: unknown, event: string): Obj => (isObj(v) ? v : bad(`${event}: Data is not an object`));

/**
 * "pdf, doc, .DOCX" → ["pdf", "doc", "docx"]. Duplicates are dropped and the list is bounded
 * like every other server list: a 20,000-character string of commas could otherwise name
 * thousands of "types" for the file picker's accept attribute and the request's text.
 */
export function parseFileTypes(list: unknown): string[] {
  const types = str(list)
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/^\./, ''))
    .filter(Boolean);
  return bounded([...new Set(types)], 'file types');
}

const FIELD_TYPES = new Set<FieldType>([
  'text', 'name', 'numeric', 'date', 'time', 'boolean', 'select', 'rating', 'company', 'email', 'phone',
]);
const CHANGE_CASE = ['none', 'upper', 'words', 'lower'] as const;

/** A WhosOn survey field → SurveyField; null for a disabled or nameless field. */
export function toSurveyField(f: unknown): SurveyField | null {
  if (!isObj(f) || !str(f.FieldName) || (f.Enabled !== undefined && !bool(f.Enabled))) return null;
  const raw = str(f.FieldType).toLowerCase() as FieldType;
  // An unknown type degrades to a plain text box: the visitor can still answer.
  const type: FieldType = FIELD_TYPES.has(raw) ? raw : 'text';
  const field: SurveyField = {
    name: str(f.FieldName),
    type,
    label: str(f.Prompt) || str(f.FieldName),
    required: bool(f.RequiredField),
  };
  const length = num(f.Length, 0);
  if (length > 0) field.maxLength = length;
  if (bool(f.MultiLine)) {
    field.multiline = true;
    const lines = num(f.Lines, 0);
    if (lines > 0) field.lines = lines;
  }
  if (bool(f.Password)) field.password = true;
  const cc = CHANGE_CASE[num(f.ChangeCase, 0)];
  if (cc && cc !== 'none') field.changeCase = cc;
  if (str(f.Mask)) field.mask = str(f.Mask);
  if (str(f.DefaultValue)) field.defaultValue = str(f.DefaultValue);
  if ((type === 'date' && bool(f.DefaultDateToday)) || (type === 'time' && bool(f.DefaultTimeToday))) {
    field.defaultNow = true;
  }
  if (type === 'select') {
    field.selectAs = str(f.SelectType).toLowerCase() === 'radio' ? 'radio' : 'select';
    field.options = Array.isArray(f.SelectOptions) ? bounded(f.SelectOptions.map(str).filter(Boolean), 'SelectOptions') : [];
  }
  const low = num(f.ValidateLow, -1);
  const high = num(f.ValidateHigh, -1);
  if (type === 'numeric' && !(low === 0 && high === 0)) {
    // -1 means "no limit" (document). 0..0 is what the server sends for "not set" (see the
    // requestfield example), and a range admitting only 0 would be useless: treated as unset.
    if (low !== -1) field.min = low;
    if (high !== -1) field.max = high;
  }
  // Rating: ValidateHigh is the top of the scale (the example's post-chat Rating has 5).
  if (type === 'rating') field.max = high > 0 ? high : 5;
  return field;
}

function surveyFields(survey: unknown): SurveyField[] {
  if (!isObj(survey) || (survey.Enabled !== undefined && !bool(survey.Enabled))) return [];
  if (!Array.isArray(survey.Fields)) return [];
  return bounded(survey.Fields.map(toSurveyField).filter((f): f is SurveyField => f !== null), 'survey Fields');
}

function toOperator(o: unknown): WhosOnOperator {
  const d = isObj(o) ? o : {};
  return { name: str(d.Name), isBot: bool(d.IsBot), status: str(d.Status) };
}

function connected(d: Obj): WhosOnEvent {
  const sessionId = str(d.SessionID) || bad('connected: no SessionID');
  const tr = isObj(d.Translation) ? d.Translation : {};
  const languages: Language[] = bounded((Array.isArray(tr.Languages) ? tr.Languages : [])
    .filter(isObj)
    .map((l) => ({ code: str(l.ISO2).toLowerCase(), name: str(l.DisplayAs) || str(l.ISO2) }))
    .filter((l) => l.code), 'Languages');
  const config: ChatConfig = {
    prechat: surveyFields(d.PreChatSurvey),
    postchat: surveyFields(d.PostChatSurvey),
    allowedFileTypes: parseFileTypes(d.AllowedFileTypes),
    leaveMessage: bool(d.LeaveMessageEnabled),
    previewAllowed: bool(d.OperatorPreview),
    maxMessageLength: MAX_LINE,
  };
  if (str(d.SiteName)) config.siteName = str(d.SiteName);
  if (str(d.OpeningMessage)) config.welcomeHtml = str(d.OpeningMessage);
  if (str(d.ClosingMessage)) config.closingText = str(d.ClosingMessage);
  const forwarding = safeUrl(str(d.ForwardingURL) || null, 'link');
  if (forwarding) config.forwardingUrl = forwarding;
  if (languages.length) config.languages = languages;
  let ws = safeUrl(str(d.WebServicesURL) || null, 'media');
  if (ws && !ws.endsWith('/')) ws += '/';
  return {
    kind: 'connected',
    sessionId,
    domain: str(d.Domain),
    webServicesUrl: ws,
    translation: {
      enabled: bool(tr.Enabled),
      defaultLanguage: (str(tr.DefaultLanguage) || str(d.Lang)).toLowerCase(),
    },
    config,
  };
}

const IMAGE_MIME: Record<string, string> = {
  png: 'png', gif: 'gif', jpg: 'jpeg', jpeg: 'jpeg', bmp: 'bmp', webp: 'webp',
};

function image(d: Obj): WhosOnEvent {
  const ext = str(d.Ext).toLowerCase().replace(/^\./, '');
  const mime = IMAGE_MIME[ext];
  // Not capped like text: a logo is legitimately larger than a chat line; safeUrl checks it.
  const b64 = (typeof d.Base64 === 'string' ? d.Base64 : '').replace(/\s+/g, '');
  // safeUrl checks the data: URL is a base64 image and nothing else.
  const url = mime && b64 ? safeUrl(`data:image/${mime};base64,${b64}`, 'image') : null;
  return { kind: 'image', imageType: num(d.ImageType, 0), url };
}

function decodeEvent(name: string, chatUid: string, data: unknown): WhosOnEvent {
  switch (name) {
    case 'connected':
      return connected(obj(data, name));
    case 'error':
      return { kind: 'error', message: text(data, name) };
    case 'accepted':
    case 'notaccepted':
      return { kind: name, chatUid, text: text(data, name) };
    case 'newline': {
      const d = obj(data, name);
      if (typeof d.Classname !== 'string') bad('newline: no Classname');
      return {
        kind: 'newline',
        chatUid,
        // "lineo linewaiting1": classes are space-separated tokens; case and spacing vary.
        classes: str(d.Classname).toLowerCase().split(/\s+/).filter(Boolean),
        content: text(d.Content, name),
      };
    }
    case 'operatorjoined':
      return { kind: 'operatorjoined', operator: toOperator(obj(data, name)) };
    case 'typing':
    case 'typingstop':
      return { kind: 'typing', on: name === 'typing' };
    case 'queue': {
      const position = num(text(data, name), NaN);
      return Number.isInteger(position) && position >= 0 ? { kind: 'queue', position } : bad('queue: Data is not a number');
    }
    case 'requestfile':
      return { kind: 'requestfile', types: parseFileTypes(text(data, name)) };
    case 'requestfield': {
      // A requested field is asked for now, whatever its Enabled flag says.
      const field = toSurveyField({ ...obj(data, name), Enabled: true });
      return field ? { kind: 'requestfield', field } : bad('requestfield: no FieldName');
    }
    case 'quit':
    case 'acknowledged':
      return { kind: name };
    case 'operators':
      return Array.isArray(data)
        ? { kind: 'operators', operators: bounded(data.filter(isObj), 'operators').map(toOperator) }
        : bad('operators: Data is not a list');
    case 'image':
      return image(obj(data, name));
    default:
      return { kind: 'unknown', name };
  }
}

/** One text frame from the socket → a typed event, or `malformed` with the reason. */
export function decodeFrame(raw: unknown): Decoded {
  try {
    if (typeof raw !== 'string') return bad('binary frame');
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return bad('not JSON');
    }
    if (!isObj(frame) || typeof frame.EventName !== 'string' || !frame.EventName) bad('no EventName');
    const f = frame as Obj;
    // ChatUid ends up in every line id: a real one is a short token, so 256 is generous.
    return decodeEvent(str(f.EventName).toLowerCase(), str(f.ChatUid).slice(0, 256), f.Data);
  } catch (e) {
    return { kind: 'malformed', reason: e instanceof Malformed ? e.message : String(e) };
  }
}

/** "Thank you for waiting. You are in position 3 of 10." → {position: 3, total: 10} */
export function queuePosition(line: string): { position: number; total: number } | null {
  const m = /position\s+(\d{1,6})\s+of\s+(\d{1,6})/i.exec(line);
  return m ? { position: Number(m[1]), total: Number(m[2]) } : null;
}

/** "Howard Williams says:" → "Howard Williams" */
export function authorOf(says: string): string {
  return htmlToText(says).replace(/\s*says:?\s*$/i, '').trim();
}
