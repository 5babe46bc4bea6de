/**
 * WhosOn server frames (`{EventName, ChatUid, Data}`) → typed events. Pure: no socket, no
 * state, never throws. Anything that does not have the documented shape comes back as
 * `malformed` with a reason, so the transport can report it once and carry on.
 *
 * One tolerant reader (issue 19): the server is lenient in what it sends, and so are we.
 * - Property names are matched without regard to case, at every level: the document's
 *   examples spell `Classname`, `ChatUid`, `SessionID`; its own prose spells `ClassName`;
 *   Parker's client and library read `ChatUID` (notes W2, W3); which one a given server
 *   sends is settled nowhere public.
 * - `Data` that should be an object or a list may arrive as JSON text (the document:
 *   "Data will either be a single string, null or an object"): such text is parsed.
 * - Scalars are read leniently (IsBot is "False" in one place and a boolean in another,
 *   numbers may arrive as strings); shapes are not.
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
  /** Translation.ShowLanguageSelector: the visitor picks the chat's language. */
  showLanguageSelector: boolean;
  /** The ISO2 code of the language marked Selected, or ''. */
  selected: string;
}

export type WhosOnEvent =
  | {
      kind: 'connected';
      sessionId: string;
      /** The ChatUID the connected event carries (version 10, and a re-attached chat), or ''. */
      chatUid: string;
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

const isObjRaw = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/**
 * The same object with lower-case property names, so every read below is case-insensitive
 * (`d.classname` finds `Classname`, `ClassName` and `CLASSNAME`). When two spellings are
 * both present, the first non-null one wins.
 */
function lower(o: Obj): Obj {
  const out: Obj = {};
  for (const k in o) {
    const key = k.toLowerCase();
    if (out[key] == null) out[key] = o[k];
  }
  return out;
}
/** An object (with lower-case keys, see `lower`), or false. */
const isObj = (v: unknown): v is Obj => isObjRaw(v);
const asObj = (v: unknown): Obj | null => (isObjRaw(v) ? lower(v) : null);
/** Data that should be an object or a list may come as JSON text. */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!/^[[{]/.test(s)) return v;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return v;
  }
}
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
const obj = (v: unknown, event: string): Obj => asObj(parsed(v)) ?? bad(`${event}: Data is not an object`);

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

/**
 * A WhosOn survey field → SurveyField; null for a disabled or nameless field.
 *
 * - Password wins over MultiLine: a masked input is one line (a textarea cannot mask), so a
 *   field that is both is a single-line password input (issue 19; the document: "password
 *   masking should be used").
 * - ValidateLow/High exactly as documented: they apply to numeric fields; -1 is "no limit",
 *   every other value is an inclusive bound (so 0/0 admits only 0). A rating's ValidateHigh
 *   is the top of its scale (the example's post-chat Rating has 5); -1 or 0 → 5.
 */
export function toSurveyField(raw: unknown): SurveyField | null {
  const f = asObj(raw);
  if (!f || !str(f.fieldname) || (f.enabled !== undefined && !bool(f.enabled))) return null;
  const given = str(f.fieldtype).toLowerCase() as FieldType;
  // An unknown type degrades to a plain text box: the visitor can still answer.
  const type: FieldType = FIELD_TYPES.has(given) ? given : 'text';
  const field: SurveyField = {
    name: str(f.fieldname),
    type,
    label: str(f.prompt) || str(f.fieldname),
    required: bool(f.requiredfield),
  };
  const length = num(f.length, 0);
  if (length > 0) field.maxLength = length;
  const password = bool(f.password);
  if (bool(f.multiline) && !password) {
    field.multiline = true;
    const lines = num(f.lines, 0);
    if (lines > 0) field.lines = Math.floor(lines);
  }
  if (password) field.password = true;
  const cc = CHANGE_CASE[num(f.changecase, 0)];
  if (cc && cc !== 'none') field.changeCase = cc;
  if (str(f.mask)) field.mask = str(f.mask);
  if (str(f.defaultvalue)) field.defaultValue = str(f.defaultvalue);
  if ((type === 'date' && bool(f.defaultdatetoday)) || (type === 'time' && bool(f.defaulttimetoday))) {
    field.defaultNow = true;
  }
  if (type === 'select') {
    field.selectAs = str(f.selecttype).toLowerCase() === 'radio' ? 'radio' : 'select';
    const options = parsed(f.selectoptions);
    field.options = Array.isArray(options) ? bounded(options.map(str).filter(Boolean), 'SelectOptions') : [];
  }
  const low = num(f.validatelow, -1);
  const high = num(f.validatehigh, -1);
  if (type === 'numeric') {
    if (low !== -1) field.min = low;
    if (high !== -1) field.max = high;
  }
  if (type === 'rating') field.max = high > 0 ? high : 5;
  // A text field the document marks HTML5Type "email" is checked as one; its example's post-chat
  // `transEmail` ("...to receive a transcript of this chat") is where the transcript goes, so
  // the widget shows it instead of a second address box (issue 25 item 15).
  if (type === 'text' && str(f.html5type).toLowerCase() === 'email') field.type = 'email';
  if (field.type === 'email' && field.name.toLowerCase() === 'transemail') field.transcript = true;
  return field;
}

function surveyFields(raw: unknown): SurveyField[] {
  const survey = asObj(parsed(raw));
  if (!survey || (survey.enabled !== undefined && !bool(survey.enabled))) return [];
  const fields = parsed(survey.fields);
  if (!Array.isArray(fields)) return [];
  return bounded(fields.map(toSurveyField).filter((f): f is SurveyField => f !== null), 'survey Fields');
}

function toOperator(o: unknown): WhosOnOperator {
  const d = asObj(o) ?? {};
  return { name: str(d.name), isBot: bool(d.isbot), status: str(d.status) };
}

function connected(d: Obj, frameUid: string): WhosOnEvent {
  const sessionId = str(d.sessionid) || bad('connected: no SessionID');
  const tr = asObj(parsed(d.translation)) ?? {};
  const list = parsed(tr.languages);
  const langs = bounded((Array.isArray(list) ? list : [])
    .map(asObj)
    .filter((l): l is Obj => l !== null)
    .map((l) => ({ code: str(l.iso2).toLowerCase(), name: str(l.displayas) || str(l.iso2), selected: bool(l.selected) }))
    .filter((l) => l.code), 'Languages');
  const languages: Language[] = langs.map(({ code, name }) => ({ code, name }));
  const config: ChatConfig = {
    prechat: surveyFields(d.prechatsurvey),
    postchat: surveyFields(d.postchatsurvey),
    allowedFileTypes: parseFileTypes(d.allowedfiletypes),
    leaveMessage: bool(d.leavemessageenabled),
    previewAllowed: bool(d.operatorpreview),
    maxMessageLength: MAX_LINE,
  };
  if (str(d.sitename)) config.siteName = str(d.sitename);
  if (str(d.openingmessage)) config.welcomeHtml = str(d.openingmessage);
  if (str(d.closingmessage)) config.closingText = str(d.closingmessage);
  const forwarding = safeUrl(str(d.forwardingurl) || null, 'link');
  if (forwarding) config.forwardingUrl = forwarding;
  if (languages.length) config.languages = languages;
  let ws = safeUrl(str(d.webservicesurl) || null, 'media');
  if (ws && !ws.endsWith('/')) ws += '/';
  return {
    kind: 'connected',
    sessionId,
    // Version 10 gives the ChatUID on the connected event (notes W1): on the frame or in Data.
    chatUid: (frameUid || str(d.chatuid)).slice(0, 256),
    domain: str(d.domain),
    webServicesUrl: ws,
    translation: {
      enabled: bool(tr.enabled),
      defaultLanguage: (str(tr.defaultlanguage) || str(d.lang)).toLowerCase(),
      showLanguageSelector: bool(tr.showlanguageselector),
      selected: langs.find((l) => l.selected)?.code ?? '',
    },
    config,
  };
}

const IMAGE_MIME: Record<string, string> = {
  png: 'png', gif: 'gif', jpg: 'jpeg', jpeg: 'jpeg', bmp: 'bmp', webp: 'webp',
};

function image(d: Obj): WhosOnEvent {
  const ext = str(d.ext).toLowerCase().replace(/^\./, '');
  const mime = IMAGE_MIME[ext];
  // Not capped like text: a logo is legitimately larger than a chat line; safeUrl checks it.
  const b64 = (typeof d.base64 === 'string' ? d.base64 : '').replace(/\s+/g, '');
  // safeUrl checks the data: URL is a base64 image and nothing else.
  const url = mime && b64 ? safeUrl(`data:image/${mime};base64,${b64}`, 'image') : null;
  return { kind: 'image', imageType: num(d.imagetype, 0), url };
}

function decodeEvent(name: string, chatUid: string, data: unknown): WhosOnEvent {
  switch (name) {
    case 'connected':
      return connected(obj(data, name), chatUid);
    case 'error':
      return { kind: 'error', message: text(data, name) };
    case 'accepted':
    case 'notaccepted':
      return { kind: name, chatUid, text: text(data, name) };
    case 'newline': {
      const d = obj(data, name);
      if (typeof d.classname !== 'string') bad('newline: no Classname');
      return {
        kind: 'newline',
        chatUid,
        // "lineo linewaiting1": classes are space-separated tokens; case and spacing vary.
        classes: str(d.classname).toLowerCase().split(/\s+/).filter(Boolean),
        content: text(d.content, name),
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
      const field = toSurveyField({ ...obj(data, name), enabled: true });
      return field ? { kind: 'requestfield', field } : bad('requestfield: no FieldName');
    }
    case 'quit':
    case 'acknowledged':
      return { kind: name };
    case 'operators': {
      const list = parsed(data);
      return Array.isArray(list)
        ? { kind: 'operators', operators: bounded(list.filter(isObj), 'operators').map(toOperator) }
        : bad('operators: Data is not a list');
    }
    case 'image':
      return image(obj(data, name));
    default:
      return { kind: 'unknown', name: name.slice(0, 64) };
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
    const f = asObj(frame);
    if (!f || typeof f.eventname !== 'string' || !f.eventname) return bad('no EventName');
    // ChatUid ends up in every line id: a real one is a short token, so 256 is generous.
    return decodeEvent(str(f.eventname).toLowerCase(), str(f.chatuid).slice(0, 256), f.data);
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
