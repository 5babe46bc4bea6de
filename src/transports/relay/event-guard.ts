/**
 * The relay's events are checked here before the UI sees them: the relay is our own server,
 * but a socket is a socket (a proxy, a bug, an attacker on a misconfigured deployment). Each
 * event type has a small schema; what does not fit is rejected whole (one `error` event), and
 * what fits is rebuilt from its known keys only, strings capped (capText), lists cut to
 * MAX_OPTIONS and every URL passed through safeUrl (an unsafe optional URL is dropped).
 */
import { capText, MAX_OPTIONS, type ConfabEventBody } from '../../core/contract';
import { safeUrl } from '../../core/urls';

/**
 * 's' string, 'n' finite number, 'b' boolean, 'j' any JSON, 'l'/'i'/'m' a link / image /
 * media URL, 'u' an attachment URL (image when its `kind` is), 'a|b|c' one of those words;
 * a trailing '?' makes a field optional. `[x]` is a list of x; `{…}` an object.
 */
type Schema = string | Schema[] | { [key: string]: Schema } | OptionalObject;
interface OptionalObject {
  opt: Schema;
}

const opt = (s: Schema): OptionalObject => ({ opt: s });
const SENDER = 'visitor|agent|bot|system';
const CHOICE = { id: 's', label: 's' };
const FIELD = {
  name: 's', type: 'text|name|numeric|date|time|boolean|select|rating|company|email|phone', label: 's',
  required: 'b', maxLength: 'n?', multiline: 'b?', lines: 'n?', password: 'b?',
  changeCase: 'none|upper|words|lower?', mask: 's?', defaultValue: 's?', defaultNow: 'b?',
  selectAs: 'select|radio?', options: opt(['s']), min: 'n?', max: 'n?',
};
const SCHEMAS: Record<string, Schema> = {
  connection: { state: 'connecting|open|reconnecting|closed', attempt: 'n?', reason: 's?' },
  config: {
    config: {
      siteName: 's?', welcomeHtml: 's?', closingText: 's?', prechat: [FIELD], postchat: [FIELD],
      allowedFileTypes: ['s'], maxFileBytes: 'n?', leaveMessage: 'b', forwardingUrl: 'l?',
      languages: opt([{ code: 's', name: 's' }]), previewAllowed: 'b', agentsAvailable: 'b?', maxMessageLength: 'n?', deviceHash: 's?',
    },
  },
  queue: { position: 'n', total: 'n?' },
  waiting: { kind: 'paging|waiting|final|queue|info', text: 's' },
  accepted: { chatId: 's?' },
  rejected: { reason: 's', forwardingUrl: 'l?' },
  agent: { action: 'joined|left', agent: { name: 's', avatar: 'i?', isBot: 'b' } },
  message: {
    message: {
      id: 's', sender: SENDER, authorName: 's?', text: 's?', html: 's?', translationOf: 's?', clientId: 's?', sentAt: 'n?',
      attachments: opt([{ name: 's', url: 'u', kind: 'image|audio|video|file', mime: 's?', size: 'n?', thumbnailUrl: 'i?' }]),
    },
  },
  typing: { on: 'b' },
  branch: { branch: { id: 's', header: 's', options: [CHOICE], tail: 's?', selected: 's?' } },
  form: { form: { id: 's', header: 's', field: FIELD, submitted: 's?' } },
  card: { id: 's', sender: SENDER, clientId: 's?', card: { title: 's', description: 's?', image: 'i?', url: 'l?' } },
  rating: {
    rating: {
      id: 's', title: 's?', closing: 's?', scale: 'stars|numeric', options: [CHOICE],
      expiresAt: 'n?', serverSkew: 'n?', selected: 's?',
    },
  },
  'rating-policy': { policy: { autoAtEnd: 'b', agentMaySend: 'b', visitorMayAsk: 'b' } },
  'file-request': { allowedTypes: ['s'] },
  ended: { by: 'visitor|agent|timeout|system', text: 's?' },
  ack: { what: 'postchat|transcript|leave-message', detail: 's?' },
  image: { role: 'logo', url: 'i' },
  resume: { token: 'j' },
  error: { code: 's', message: 's', fatal: 'b', retryable: 'b?' },
};

/** Thrown inside `check`: the value does not fit its schema. */
const REJECT = {};
const USES = { l: 'link', i: 'image', m: 'media' } as const;

function check(schema: Schema, v: unknown, parent: Record<string, unknown>, depth: number): unknown {
  if (depth > 12) throw REJECT;
  if (typeof schema === 'string') {
    const code = schema.replace(/\?$/, '');
    if (code === 's' && typeof v === 'string') return capText(v);
    if (code === 'n' && typeof v === 'number' && Number.isFinite(v)) return v;
    if (code === 'b' && typeof v === 'boolean') return v;
    if (code === 'j') return JSON.parse(JSON.stringify(v ?? null)) as unknown;
    if (code === 'u') return safeUrl(v, parent.kind === 'image' ? 'image' : 'media') ?? '';
    if (code in USES) return safeUrl(v, USES[code as keyof typeof USES]);
    if (code.includes('|') || code === 'logo') {
      if (typeof v === 'string' && code.split('|').includes(v)) return v;
    }
    throw REJECT;
  }
  if (Array.isArray(schema)) {
    if (!Array.isArray(v)) throw REJECT;
    return v.slice(0, MAX_OPTIONS).map((x) => check(schema[0]!, x, {}, depth + 1));
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw REJECT;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(schema as Record<string, Schema>)) {
    const optional = typeof sub === 'string' ? sub.endsWith('?') : 'opt' in (sub as object);
    const raw = Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
    if (raw === undefined) {
      if (optional) continue;
      throw REJECT;
    }
    const value = check(typeof sub === 'object' && 'opt' in sub ? (sub as OptionalObject).opt : sub, raw, o, depth + 1);
    if (value === null && typeof sub === 'string' && /^[lim]/.test(sub)) {
      if (optional) continue;
      throw REJECT;
    }
    if (value === '' && sub === 'u') throw REJECT;
    out[key] = value;
  }
  return out;
}

/** The event rebuilt from what its schema allows, or null when it does not fit. */
export function guardEvent(raw: unknown): ConfabEventBody | null {
  const type = (raw as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, type) ? SCHEMAS[type] : undefined;
  if (!schema) return null;
  try {
    return { type, ...(check(schema, raw, {}, 0) as object) } as ConfabEventBody;
  } catch {
    // REJECT, or a token too deep for JSON.stringify: either way the frame is unreadable.
    return null;
  }
}
