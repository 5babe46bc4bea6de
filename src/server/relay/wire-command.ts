/**
 * A browser's command, checked field by field before any adapter sees it: the socket is the
 * internet. Unknown command types and wrong field types are refused (the relay answers with
 * one non-fatal `bad-frame` error); known fields are copied, unknown ones dropped, so keys
 * such as `__proto__` never travel further.
 */
import type { WireCommand } from '../../protocol/relay';

/**
 * 's' string, 'S' optional string, 'b' boolean, 'n' finite number, 'r' string→string record,
 * 'A' optional attributes (a bounded string→string record: the site's `update`), 'c' card.
 */
const FIELDS: Record<string, Record<string, string>> = {
  start: { visitor: 'r', answers: 'r', department: 'S', attributes: 'A' },
  send: { clientId: 's', text: 's' },
  'send-file': { clientId: 's', name: 's', mime: 's', size: 'n', data: 's' },
  'send-card': { clientId: 's', card: 'c' },
  typing: { on: 'b' },
  preview: { text: 's' },
  choose: { promptId: 's', optionId: 's', label: 's' },
  'submit-form': { promptId: 's', fieldName: 's', value: 's' },
  rate: { ratingId: 's', optionId: 's' },
  'ask-rating': {},
  cancel: {},
  end: {},
  postchat: { answers: 'r' },
  transcript: { format: 's', email: 'S' },
  window: { open: 'b' },
  'leave-message': { name: 's', email: 'S', phone: 'S', message: 's', department: 'S' },
};
const CARD: Record<string, string> = { title: 's', description: 'S', image: 'S', url: 'S' };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function record(v: unknown): Record<string, string> | null {
  if (!isObj(v)) return null;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return null;
    out[k] = x;
  }
  return { ...out };
}

/** The widget's own bounds (src/core/chat-context.ts): more is not a widget talking. */
const MAX_ATTRIBUTES = 50;
const ATTRIBUTE_NAME = /^[A-Za-z_][\w.-]{0,63}$/;
function attributes(v: unknown): Record<string, string> | null {
  const r = record(v);
  const entries = r ? Object.entries(r) : [];
  return r && entries.length <= MAX_ATTRIBUTES && entries.every(([k, x]) => ATTRIBUTE_NAME.test(k) && x.length <= 1000) ? r : null;
}

function fields(spec: Record<string, string>, o: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(spec)) {
    const v = own(o, key);
    if (v === undefined && (kind === 'S' || kind === 'A')) continue;
    const ok =
      kind === 's' || kind === 'S' ? typeof v === 'string'
      : kind === 'b' ? typeof v === 'boolean'
      : kind === 'n' ? typeof v === 'number' && Number.isFinite(v) && v >= 0
      : kind === 'r' ? (out[key] = record(v)) !== null
      : kind === 'A' ? (out[key] = attributes(v)) !== null
      : kind === 'c' ? isObj(v) && (out[key] = fields(CARD, v)) !== null
      : false;
    if (!ok) return null;
    if (kind !== 'r' && kind !== 'c' && kind !== 'A') out[key] = v;
  }
  return out;
}

/** The command rebuilt from its known fields, or null when it is not one. */
export function parseWireCommand(raw: unknown): WireCommand | null {
  if (!isObj(raw) || typeof raw.type !== 'string' || !Object.prototype.hasOwnProperty.call(FIELDS, raw.type)) return null;
  const body = fields(FIELDS[raw.type]!, raw);
  if (!body) return null;
  if (raw.type === 'transcript' && body.format !== 'email' && body.format !== 'pdf') return null;
  return { type: raw.type, ...body } as WireCommand;
}
