/**
 * A runtime check of ConfabEvent, written independently of every transport: what the UI may
 * assume about an event whatever a server sent. Returns the problems found (empty = valid).
 * Strings are bounded (20,000 characters, the decoders' documented cap), lists of options
 * to 100, and every URL must be a fixed point of safeUrl for its use (it went through it).
 */
import { safeUrl, type UrlUse } from '../../src/core/urls';

export const MAX_STRING = 20_000;
export const MAX_LIST = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SENDERS = ['visitor', 'agent', 'bot', 'system'];
const STATES = ['connecting', 'open', 'reconnecting', 'closed'];
const WAITING = ['paging', 'waiting', 'final', 'queue', 'info'];
const ENDED_BY = ['visitor', 'agent', 'timeout', 'system'];
const ACKS = ['postchat', 'transcript', 'leave-message'];
const KINDS = ['image', 'audio', 'video', 'file'];
const FIELD_TYPES = ['text', 'name', 'numeric', 'date', 'time', 'boolean', 'select', 'rating', 'company', 'email', 'phone'];

class Checker {
  problems: string[] = [];
  fail(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }
  str(v: unknown, path: string, optional = false): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'string') return this.fail(path, `not a string (${typeof v})`);
    if (v.length > MAX_STRING) this.fail(path, `string of ${v.length} chars`);
  }
  num(v: unknown, path: string, optional = false): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `not a finite number (${String(v)})`);
  }
  bool(v: unknown, path: string, optional = false): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'boolean') this.fail(path, 'not a boolean');
  }
  oneOf(v: unknown, values: string[], path: string, optional = false): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !values.includes(v)) this.fail(path, `not one of ${values.join('|')} (${String(v)})`);
  }
  url(v: unknown, use: UrlUse, path: string, optional = false): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || safeUrl(v, use) !== v) this.fail(path, `URL not allowlisted for ${use}: ${String(v).slice(0, 80)}`);
  }
  list(v: unknown, path: string, each: (item: unknown, path: string) => void, max = MAX_LIST, optional = false): void {
    if (v === undefined && optional) return;
    if (!Array.isArray(v)) return this.fail(path, 'not a list');
    if (v.length > max) this.fail(path, `list of ${v.length}`);
    v.forEach((item, i) => each(item, `${path}[${i}]`));
  }
  obj(v: unknown, path: string): Obj | null {
    if (!isObj(v)) {
      this.fail(path, 'not an object');
      return null;
    }
    return v;
  }
  choice(v: unknown, path: string): void {
    const o = this.obj(v, path);
    if (!o) return;
    this.str(o.id, `${path}.id`);
    this.str(o.label, `${path}.label`);
  }
  field(v: unknown, path: string): void {
    const f = this.obj(v, path);
    if (!f) return;
    this.str(f.name, `${path}.name`);
    this.oneOf(f.type, FIELD_TYPES, `${path}.type`);
    this.str(f.label, `${path}.label`);
    this.bool(f.required, `${path}.required`);
    for (const k of ['maxLength', 'lines', 'min', 'max']) this.num(f[k], `${path}.${k}`, true);
    for (const k of ['multiline', 'password', 'defaultNow']) this.bool(f[k], `${path}.${k}`, true);
    for (const k of ['mask', 'defaultValue']) this.str(f[k], `${path}.${k}`, true);
    this.oneOf(f.changeCase, ['none', 'upper', 'words', 'lower'], `${path}.changeCase`, true);
    this.oneOf(f.selectAs, ['select', 'radio'], `${path}.selectAs`, true);
    this.list(f.options, `${path}.options`, (o, p) => this.str(o, p), MAX_LIST, true);
  }
  attachment(v: unknown, path: string): void {
    const a = this.obj(v, path);
    if (!a) return;
    this.str(a.name, `${path}.name`);
    this.oneOf(a.kind, KINDS, `${path}.kind`);
    this.url(a.url, a.kind === 'image' ? 'image' : 'media', `${path}.url`);
    this.str(a.mime, `${path}.mime`, true);
    this.num(a.size, `${path}.size`, true);
    this.url(a.thumbnailUrl, 'image', `${path}.thumbnailUrl`, true);
  }
  agent(v: unknown, path: string): void {
    const a = this.obj(v, path);
    if (!a) return;
    this.str(a.name, `${path}.name`);
    this.bool(a.isBot, `${path}.isBot`);
    this.url(a.avatar, 'image', `${path}.avatar`, true);
  }
  config(v: unknown, path: string): void {
    const c = this.obj(v, path);
    if (!c) return;
    for (const k of ['siteName', 'welcomeHtml', 'closingText']) this.str(c[k], `${path}.${k}`, true);
    this.list(c.prechat, `${path}.prechat`, (f, p) => this.field(f, p));
    this.list(c.postchat, `${path}.postchat`, (f, p) => this.field(f, p));
    this.list(c.allowedFileTypes, `${path}.allowedFileTypes`, (x, p) => this.str(x, p));
    this.num(c.maxFileBytes, `${path}.maxFileBytes`, true);
    this.num(c.maxMessageLength, `${path}.maxMessageLength`, true);
    this.bool(c.leaveMessage, `${path}.leaveMessage`);
    this.bool(c.previewAllowed, `${path}.previewAllowed`);
    this.bool(c.agentsAvailable, `${path}.agentsAvailable`, true);
    this.url(c.forwardingUrl, 'link', `${path}.forwardingUrl`, true);
    this.list(c.languages, `${path}.languages`, (l, p) => {
      const o = this.obj(l, p);
      if (o) {
        this.str(o.code, `${p}.code`);
        this.str(o.name, `${p}.name`);
      }
    }, MAX_LIST, true);
  }
  json(v: unknown, path: string, depth = 0): void {
    if (depth > 20) return this.fail(path, 'JSON nested too deep');
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return;
    if (typeof v === 'number') return this.num(v, path);
    if (Array.isArray(v)) return v.forEach((x, i) => this.json(x, `${path}[${i}]`, depth + 1));
    if (isObj(v)) return Object.entries(v).forEach(([k, x]) => this.json(x, `${path}.${k}`, depth + 1));
    this.fail(path, `not JSON (${typeof v})`);
  }
}

export function validateEvent(ev: unknown): string[] {
  const c = new Checker();
  const e = c.obj(ev, 'event');
  if (!e) return c.problems;
  c.num(e.at, 'at');
  const p = e.type;
  switch (p) {
    case 'connection':
      c.oneOf(e.state, STATES, 'state');
      c.num(e.attempt, 'attempt', true);
      c.str(e.reason, 'reason', true);
      break;
    case 'config':
      c.config(e.config, 'config');
      break;
    case 'queue':
      c.num(e.position, 'position');
      c.num(e.total, 'total', true);
      break;
    case 'waiting':
      c.oneOf(e.kind, WAITING, 'kind');
      c.str(e.text, 'text');
      break;
    case 'accepted':
      c.str(e.chatId, 'chatId', true);
      break;
    case 'rejected':
      c.str(e.reason, 'reason');
      c.url(e.forwardingUrl, 'link', 'forwardingUrl', true);
      break;
    case 'agent':
      c.oneOf(e.action, ['joined', 'left'], 'action');
      c.agent(e.agent, 'agent');
      break;
    case 'message': {
      const m = c.obj(e.message, 'message');
      if (!m) break;
      c.str(m.id, 'message.id');
      c.oneOf(m.sender, SENDERS, 'message.sender');
      for (const k of ['authorName', 'text', 'html', 'translationOf', 'clientId']) c.str(m[k], `message.${k}`, true);
      c.num(m.sentAt, 'message.sentAt', true);
      c.list(m.attachments, 'message.attachments', (a, path) => c.attachment(a, path), MAX_LIST, true);
      break;
    }
    case 'typing':
      c.bool(e.on, 'on');
      break;
    case 'branch': {
      const b = c.obj(e.branch, 'branch');
      if (!b) break;
      c.str(b.id, 'branch.id');
      c.str(b.header, 'branch.header');
      c.list(b.options, 'branch.options', (o, path) => c.choice(o, path));
      c.str(b.tail, 'branch.tail', true);
      c.str(b.selected, 'branch.selected', true);
      break;
    }
    case 'form': {
      const f = c.obj(e.form, 'form');
      if (!f) break;
      c.str(f.id, 'form.id');
      c.str(f.header, 'form.header');
      c.field(f.field, 'form.field');
      c.str(f.submitted, 'form.submitted', true);
      break;
    }
    case 'card': {
      c.str(e.id, 'id');
      c.oneOf(e.sender, SENDERS, 'sender');
      c.str(e.clientId, 'clientId', true);
      const card = c.obj(e.card, 'card');
      if (!card) break;
      c.str(card.title, 'card.title');
      c.str(card.description, 'card.description', true);
      c.url(card.image, 'image', 'card.image', true);
      c.url(card.url, 'link', 'card.url', true);
      break;
    }
    case 'rating': {
      const r = c.obj(e.rating, 'rating');
      if (!r) break;
      c.str(r.id, 'rating.id');
      c.str(r.title, 'rating.title', true);
      c.str(r.closing, 'rating.closing', true);
      c.oneOf(r.scale, ['stars', 'numeric'], 'rating.scale');
      c.list(r.options, 'rating.options', (o, path) => c.choice(o, path));
      c.num(r.expiresAt, 'rating.expiresAt', true);
      c.num(r.serverSkew, 'rating.serverSkew', true);
      c.str(r.selected, 'rating.selected', true);
      break;
    }
    case 'rating-policy': {
      const pol = c.obj(e.policy, 'policy');
      if (pol) for (const k of ['autoAtEnd', 'agentMaySend', 'visitorMayAsk']) c.bool(pol[k], `policy.${k}`);
      break;
    }
    case 'file-request':
      c.list(e.allowedTypes, 'allowedTypes', (x, path) => c.str(x, path));
      break;
    case 'ended':
      c.oneOf(e.by, ENDED_BY, 'by');
      c.str(e.text, 'text', true);
      break;
    case 'ack':
      c.oneOf(e.what, ACKS, 'what');
      c.str(e.detail, 'detail', true);
      break;
    case 'image':
      c.oneOf(e.role, ['logo'], 'role');
      c.url(e.url, 'image', 'url');
      break;
    case 'resume':
      c.json(e.token, 'token');
      break;
    case 'error':
      c.str(e.code, 'code');
      c.str(e.message, 'message');
      c.bool(e.fatal, 'fatal');
      c.bool(e.retryable, 'retryable', true);
      break;
    default:
      c.fail('type', `unknown event type ${String(p).slice(0, 40)}`);
  }
  return c.problems;
}
