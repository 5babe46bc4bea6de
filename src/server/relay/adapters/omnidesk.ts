/**
 * Omnidesk's chat API (vendor-docs/omnidesk-chat-api.txt) as a relay adapter.
 *
 * The wire itself (form bodies, the API key, `result` answers, no resend, the end path, the
 * cached requestChatConfig) is ./omnidesk-api.ts, after Omnidesk's API specification.
 *
 * Choices where the documents are silent or ambiguous, written down:
 * - The guide lists POST fields as "Path Parameters"; the specification says multipart/form-data,
 *   which we send (a secret token in a query string ends up in access logs). Hookpoint fields
 *   are accepted from JSON, form, multipart AND the query string, and the session's id under
 *   `sessionID`, `SessionID` or `chatSessionID`.
 * - `chatAccountToken` is sent on every API call, also where the document does not list it
 *   (notifyUserNewChatEvent, notifyUserEndChat): the calls are made on this account's behalf.
 * - `chatServer` is the chat's own hookpoint base (`https://relay/hook/<secret>/omnidesk/<token>`,
 *   ../hook-tokens.ts), since Omnidesk POSTs to `{{ chatServer }}/messageForCustomer`: the global
 *   secret and this chat's token travel inside it, both from `[A-Za-z0-9-]` so that it matches
 *   the specification's `^[a-zA-Z0-9.:/-]+$`.
 * - chatSessionID is a fresh random id per conversation (`confab-` + 32 hex digits), not the
 *   relay's session id, so nothing Omnidesk knows can be turned into a visitor token.
 * - Starting a chat: requestChatConfig again (agents may have left since the widget opened; the
 *   answer is shared for 15 s, ./omnidesk-api.ts),
 *   then the pre-chat answers go to `message/chatbot` as the escalation's history (only when
 *   the visitor gave an email or phone: `from` is that address), and message #1 of the
 *   conversation carries the same answers, because that first message is what creates the
 *   Omnidesk session and the agent sees it in the chat itself.
 * - Leave-a-message (no agents) goes to `message/chatbot` as a chatbot log: it creates a
 *   ticket addressed to the visitor's email/phone. A `notifyUserNewChatMessage` would open a
 *   live chat that nobody is there to answer.
 * - Agent messages may contain HTML (the ticket interface is a rich editor): a message that
 *   looks like markup is carried in `html` (sanitized where the UI renders it), with a
 *   tag-stripped `text`.
 * - Window state (`expandedchat` / `minimizedchat`) comes from the additive `window` command.
 * - Relay shutdown does not end chats upstream; session expiry does (notifyUserEndChat).
 * - The visitor's End ends the chat at once; telling Omnidesk happens behind it (logged and
 *   retried in the background when it fails), so an unreachable Omnidesk never leaves a chat
 *   that cannot be ended.
 * - No call is repeated by the relay once it may have reached Omnidesk: a line that timed out
 *   is reported as not delivered and the widget leaves it unconfirmed with Retry, which the
 *   visitor may press (the line keeps its messageNumber).
 * - A start whose first message fails is not started: the visitor gets a retryable error (the
 *   widget offers Start again) and the retry is message #1 again.
 */
import type { Attachment, AttachmentKind, Capability, ConfabEventBody, Json, VisitorInfo } from '../../../core/contract';
import { safeUrl } from '../../../core/urls';
import { createLedger, type Ledger, type Line } from '../../../core/delivery';
import type { WireCommand } from '../../../protocol/relay';
import {
  baseConfig,
  type AdapterContext,
  type HookpointBody,
  type HookpointReply,
  type HookpointRoute,
  type RelayAdapter,
  type RelayAdapterFactory,
  type RelayFile,
} from '../adapter';
import { randomBytes } from 'node:crypto';
import { field } from '../http-body';
import { UpstreamError } from '../upstream';
import { chatServerProblem, OmnideskApi, type Fields, type OmnideskApiConfig } from './omnidesk-api';
import { scanAgentMarkup } from './omnidesk-html';

export { apiConfigProblems, chatServerProblem, CHAT_SERVER_PATTERN, CHAT_SESSION_ID_PATTERN } from './omnidesk-api';

export const OMNIDESK_VENDOR = 'omnidesk';
/** The document: "use "8" for live chat". */
export const LIVE_CHAT_CHANNEL = 8;
export const NO_AGENTS_INSTRUCTION = 'hide_reason_no_agents_available';

export interface OmnideskConfig extends OmnideskApiConfig {
  /** requestChatConfig's second token; optional (some accounts only have the account token). */
  chatServerToken?: string;
  /** Sent as the `apiKey` header; needs API_CHAT (and MESSAGE_CREATE for chatbot logs). */
  apiKey?: string;
  /** e.g. https://account.omnidesk.com/api/v2 */
  apiBase: string;
  /** e.g. https://chat.omnidesk.io/requestChatConfig */
  configUrl: string;
  /** `brandID` for chatbot logs (settings > brands). */
  brandId?: string;
}

/** A fresh chatSessionID: `[A-Za-z0-9-]` only, 128 random bits. */
function newChatSessionId(): string {
  return `confab-${randomBytes(16).toString('hex')}`;
}

const CAPABILITIES: readonly Capability[] = ['prechat', 'file', 'typing', 'end', 'cancel', 'leave-message', 'resume', 'window-state', 'html'];

const NO_AGENTS_TEXT = 'No agents are available right now. Leave a message and we will get back to you.';

/** Whether requestChatConfig's answer says nobody is there (the instruction's absence means agents are). */
export function saysNoAgents(config: unknown): boolean {
  if (!config || typeof config !== 'object') return false;
  const instructions = (config as Record<string, unknown>).instructions;
  const list = Array.isArray(instructions)
    ? instructions
    : instructions && typeof instructions === 'object'
      ? Object.values(instructions)
      : [];
  return list.some((i) => !!i && typeof i === 'object' && (i as Record<string, unknown>).type === NO_AGENTS_INSTRUCTION);
}

function kindOf(mime: string): AttachmentKind {
  return mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : mime.startsWith('video/') ? 'video' : 'file';
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Pre-chat answers as markdown lines, the form Omnidesk's chatbot log takes. */
function answersMarkdown(visitor: VisitorInfo, answers: Record<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries({ ...visitor, ...answers })) {
    if (typeof v === 'string' && v.trim()) lines.push(`- **${k.replace(/[*_`[\]\\]/g, '\\$&')}**: ${v.replace(/\r?\n/g, ' ')}`);
  }
  return lines.join('\n');
}

function str(v: unknown, max = 20_000): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

/** What another relay instance needs to carry a session on (see RelayAdapter.snapshot). */
interface OmnideskState {
  hookKey: string;
  messageNumber: number;
  numbered: [string, number][];
  echoed: string[];
  started: boolean;
  /** The pre-chat chatbot log went out (or may have): a retried start does not send it again. */
  prechatLogged: boolean;
  ended: boolean;
  agentsAvailable: boolean | null;
  agentName: string | null;
  agentLines: number;
  visitorTyping: boolean;
}

/** Retries and replays concern recent lines only; older client ids need not travel. */
const REMEMBERED_CLIENT_IDS = 200;

function readState(raw: Json | undefined): Partial<OmnideskState> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const o = raw as Record<string, Json>;
  const num = (v: Json | undefined) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
  const pairs = Array.isArray(o.numbered) ? o.numbered : [];
  return {
    hookKey: typeof o.hookKey === 'string' && o.hookKey ? o.hookKey : undefined,
    messageNumber: num(o.messageNumber),
    numbered: pairs.filter((p): p is [string, number] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number'),
    echoed: (Array.isArray(o.echoed) ? o.echoed : []).filter((e): e is string => typeof e === 'string'),
    started: o.started === true,
    prechatLogged: o.prechatLogged === true,
    ended: o.ended === true,
    agentsAvailable: typeof o.agentsAvailable === 'boolean' ? o.agentsAvailable : null,
    agentName: typeof o.agentName === 'string' ? o.agentName : null,
    agentLines: num(o.agentLines),
    visitorTyping: o.visitorTyping === true,
  };
}

export class OmnideskSession implements RelayAdapter {
  readonly hookKey: string;
  private messageNumber: number;
  /**
   * The visitor's lines (core/delivery.ts), each with its messageNumber (0 for a file): a
   * retried line keeps its number, so Omnidesk can de-duplicate; a claimed one is echoed again.
   */
  private readonly lines: Ledger<number> = createLedger<number>();
  private started: boolean;
  private prechatLogged: boolean;
  private ended: boolean;
  private agentsAvailable: boolean | undefined;
  private agentName: string | undefined;
  private agentLines: number;
  private visitorTyping: boolean;

  constructor(
    private readonly cfg: OmnideskConfig,
    private readonly api: OmnideskApi,
    private readonly ctx: AdapterContext,
    state?: Json,
  ) {
    const st = readState(state);
    this.hookKey = st.hookKey ?? newChatSessionId();
    this.messageNumber = st.messageNumber ?? 0;
    for (const [clientId, n] of st.numbered ?? []) this.lines.add(clientId, '', 0, n);
    for (const clientId of st.echoed ?? []) {
      this.lines.add(clientId, '', 0, 0);
      this.lines.claim({ clientId });
    }
    this.started = st.started ?? false;
    this.prechatLogged = st.prechatLogged ?? false;
    this.ended = st.ended ?? false;
    this.agentsAvailable = st.agentsAvailable ?? undefined;
    this.agentName = st.agentName ?? undefined;
    this.agentLines = st.agentLines ?? 0;
    this.visitorTyping = st.visitorTyping ?? false;
  }

  snapshot(): Json {
    const state: OmnideskState = {
      hookKey: this.hookKey,
      messageNumber: this.messageNumber,
      numbered: this.lines.all().filter((l) => l.meta > 0).sort((a, b) => a.meta - b.meta).map((l): [string, number] => [l.clientId, l.meta]).slice(-REMEMBERED_CLIENT_IDS),
      echoed: this.lines.all().filter((l) => l.id !== undefined).map((l) => l.clientId).slice(-REMEMBERED_CLIENT_IDS),
      started: this.started,
      prechatLogged: this.prechatLogged,
      ended: this.ended,
      agentsAvailable: this.agentsAvailable ?? null,
      agentName: this.agentName ?? null,
      agentLines: this.agentLines,
      visitorTyping: this.visitorTyping,
    };
    return state as unknown as Json;
  }

  async open(): Promise<void> {
    await this.refreshAvailability();
    this.emit({ type: 'config', config: { ...baseConfig(this.ctx.files), agentsAvailable: this.agentsAvailable } });
  }

  async handle(command: WireCommand): Promise<void> {
    try {
      await this.dispatch(command);
    } catch (err) {
      this.ctx.log(`${command.type} failed: ${String(err)}`);
      // A start that failed left nothing started here: the widget may offer Start again.
      this.error('upstream', 'The chat service did not answer. Please try again.', command.type === 'start');
    }
  }

  private async dispatch(c: WireCommand): Promise<void> {
    switch (c.type) {
      case 'start':
        return this.start(c.visitor ?? {}, c.answers ?? {}, c.attributes);
      case 'send':
        return this.sendText(str(c.clientId, 200), str(c.text));
      case 'send-file':
        return this.sendFile(c);
      case 'typing':
        if (!this.live || this.visitorTyping === !!c.on) return;
        this.visitorTyping = !!c.on;
        return this.event(c.on ? 'startedtyping' : 'stoppedtyping');
      case 'window':
        return this.live ? this.event(c.open ? 'expandedchat' : 'minimizedchat') : undefined;
      case 'end':
      case 'cancel':
        if (!this.live) return;
        // Ended here and now, whatever Omnidesk answers: a failure is logged and retried behind it.
        this.ended = true;
        this.emit({ type: 'ended', by: 'visitor' });
        this.endUpstream();
        return;
      case 'leave-message':
        return this.leaveMessage(c);
      default:
        this.error('unsupported', `This chat cannot do "${String((c as { type: unknown }).type)}".`);
    }
  }

  async close(reason: 'expired' | 'shutdown'): Promise<void> {
    if (reason === 'expired' && this.live) {
      this.ended = true;
      this.endUpstream();
    }
  }

  // Hookpoints (called by the routes below with this session found by chatSessionID).

  agentMessage(name: string, picture: string, message: string): void {
    this.ctx.touch();
    const agentName = name || 'Agent';
    if (agentName !== this.agentName) {
      this.agentName = agentName;
      this.emit({
        type: 'agent',
        action: 'joined',
        agent: { name: agentName, avatar: safeUrl(picture, 'image') ?? undefined, isBot: false },
      });
    }
    // One linear pass (no regex over the agent's text: issue 15 row 12).
    const markup = scanAgentMarkup(message);
    this.emit({
      type: 'message',
      message: {
        id: `${this.hookKey}-a${++this.agentLines}`,
        sender: 'agent',
        authorName: agentName,
        text: markup.text,
        ...(markup.html ? { html: message } : {}),
        sentAt: Date.now(),
      },
    });
  }

  agentTyping(on: boolean): void {
    this.emit({ type: 'typing', on });
  }

  agentFile(file: RelayFile): void {
    const url = this.ctx.storeFile(file);
    this.emit({
      type: 'message',
      message: {
        id: `${this.hookKey}-a${++this.agentLines}`,
        sender: 'agent',
        authorName: this.agentName,
        attachments: [{ name: file.name, url, kind: kindOf(file.mime), mime: file.mime, size: file.bytes.length }],
        sentAt: Date.now(),
      },
    });
  }

  agentEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit({ type: 'ended', by: 'agent' });
  }

  private get live(): boolean {
    return this.started && !this.ended;
  }

  private async start(visitor: VisitorInfo, answers: Record<string, string>, attributes: Readonly<Record<string, string>> = {}): Promise<void> {
    if (this.started) return;
    await this.refreshAvailability();
    if (this.agentsAvailable === false) {
      this.emit({ type: 'rejected', reason: NO_AGENTS_TEXT });
      return;
    }
    // The site's attributes (update) go where the agent reads the answers: message #1 and the chatbot log.
    const details = answersMarkdown({}, attributes);
    const summary = [answersMarkdown(visitor, answers), details && `Details from the site:\n${details}`].filter(Boolean).join('\n');
    const from = str(visitor.email ?? answers.email ?? visitor.phone ?? answers.phone, 320);
    if (from && summary && !this.prechatLogged) {
      try {
        await this.chatbotLog(from, `Chat from ${visitor.name || from}`, `Pre-chat answers:\n${summary}`);
        this.prechatLogged = true;
      } catch (err) {
        // The chat itself still carries the answers (message #1), so a failed log is not fatal;
        // one that may have created a ticket is not sent again by a retried start.
        this.prechatLogged = !(err instanceof UpstreamError) || err.mayHaveArrived;
        this.ctx.log(`chatbot log failed: ${String(err)}`);
      }
    }
    const first = ['Visitor started a chat.', summary].filter(Boolean).join('\n');
    // Started (and the number used) only once Omnidesk has confirmed message #1: if it fails,
    // the visitor's Start again sends #1 again (never the relay by itself).
    const n = this.messageNumber + 1;
    await this.notify(n, first);
    this.messageNumber = n;
    this.started = true;
    this.emit({ type: 'accepted', chatId: this.hookKey });
  }

  private async sendText(clientId: string, text: string): Promise<void> {
    if (!clientId || !text.trim()) return this.error('bad-command', 'An empty message was not sent.');
    if (!this.live) return this.error('not-started', 'The chat is not open.');
    const known = this.lines.get(clientId);
    if (known?.id !== undefined) return this.echo(known, { text });
    const line = known ?? this.lines.add(clientId, text, Date.now(), ++this.messageNumber);
    const n = line.meta;
    try {
      await this.notify(n, text);
    } catch (err) {
      this.ctx.log(`message ${n} failed: ${String(err)}`);
      return this.error('send-failed', 'Your message could not be delivered. Please retry.');
    }
    this.echo(line, { text });
  }

  private async sendFile(c: Extract<WireCommand, { type: 'send-file' }>): Promise<void> {
    if (!this.live) return this.error('not-started', 'The chat is not open.');
    const name = str(c.name, 200) || 'file';
    if (!this.ctx.files.allowedTypes.includes(extension(name))) return this.error('file-type', `Files of this type cannot be sent.`);
    const bytes = new Uint8Array(Buffer.from(str(c.data, Number.MAX_SAFE_INTEGER), 'base64'));
    if (bytes.length > this.ctx.files.maxBytes) return this.error('file-too-large', 'The file is too large.');
    const mime = /^[\w.+-]+\/[\w.+-]+$/.test(str(c.mime, 100)) ? c.mime : 'application/octet-stream';
    const clientId = str(c.clientId, 200);
    const line = this.lines.add(clientId, name, Date.now(), 0, true);
    if (line.id === undefined) {
      try {
        // The guide names the id `sessionID` here, the other calls `chatSessionID`: both are sent.
        await this.api.post(
          '/chat/addAttachment',
          { chatServer: this.ctx.hookpointBase, chatAccountToken: this.cfg.chatAccountToken, sessionID: this.hookKey, chatSessionID: this.hookKey },
          { name, mime, bytes },
        );
      } catch (err) {
        this.ctx.log(`upload failed: ${String(err)}`);
        return this.error('send-failed', 'Your file could not be delivered. Please retry.');
      }
    }
    const url = this.ctx.storeFile({ name, mime, bytes });
    const attachment: Attachment = { name, url, kind: kindOf(mime), mime, size: bytes.length };
    this.echo(line, { attachments: [attachment] });
  }

  private async leaveMessage(c: Extract<WireCommand, { type: 'leave-message' }>): Promise<void> {
    const from = str(c.email || c.phone, 320);
    if (!from) return this.error('leave-message-contact', 'Please give an email address or phone number.');
    const lines = [`- **Name**: ${str(c.name, 200)}`, `- **Email**: ${str(c.email, 320)}`, `- **Phone**: ${str(c.phone, 50)}`];
    if (this.ctx.page.url) lines.push(`- **Page**: ${this.ctx.page.url}`);
    try {
      await this.chatbotLog(from, `Message from ${str(c.name, 200) || from}`, `${lines.join('\n')}\n\n${str(c.message)}`);
    } catch (err) {
      this.ctx.log(`leave-message failed: ${String(err)}`);
      return this.error('leave-message-failed', 'Your message could not be sent. Please try again.');
    }
    this.emit({ type: 'ack', what: 'leave-message' });
  }

  private echo(line: Line<number>, body: { text?: string; attachments?: Attachment[] }): void {
    const { clientId, meta: n } = line;
    const id = `${this.hookKey}-v${n || clientId}`;
    this.lines.claim({ id, clientId });
    this.emit({ type: 'message', message: { id, sender: 'visitor', clientId, ...body, sentAt: Date.now() } });
  }

  private notify(messageNumber: number, message: string): Promise<unknown> {
    return this.api.post('/chat/notifyUserNewChatMessage', {
      messageNumber,
      url: this.ctx.page.url,
      message,
      channelID: LIVE_CHAT_CHANNEL,
      chatAccountToken: this.cfg.chatAccountToken,
      chatSessionID: this.hookKey,
      chatServer: this.ctx.hookpointBase,
    });
  }

  private async event(event: 'startedtyping' | 'stoppedtyping' | 'expandedchat' | 'minimizedchat'): Promise<void> {
    // A late typing signal is worse than none: one attempt, failures only logged.
    await this.api
      .post(
        '/chat/notifyUserNewChatEvent',
        { chatServer: this.ctx.hookpointBase, chatSessionID: this.hookKey, event, chatAccountToken: this.cfg.chatAccountToken },
        undefined,
        { ...this.api.retry, attempts: 1 },
      )
      .catch((err: unknown) => this.ctx.log(`${event} failed: ${String(err)}`));
  }

  /** Not awaited: the chat has already ended for the visitor (see OmnideskApi.endChat). */
  private endUpstream(): void {
    void this.api.endChat(
      { chatSessionID: this.hookKey, chatServer: this.ctx.hookpointBase, chatAccountToken: this.cfg.chatAccountToken },
      this.ctx.log,
    );
  }

  private chatbotLog(from: string, subject: string, message: string): Promise<unknown> {
    const body: Fields = { from, subject, message, chatAccountToken: this.cfg.chatAccountToken, brandID: this.cfg.brandId };
    // Each call creates a ticket: never repeated after it may have arrived.
    return this.api.post('/message/chatbot', body);
  }

  private async refreshAvailability(): Promise<void> {
    try {
      const answer = await this.api.requestChatConfig(this.ctx.hookpointBase, this.ctx.log);
      this.agentsAvailable = !saysNoAgents(answer);
    } catch (err) {
      // Unknown is not "nobody": let the visitor try; a failed start is reported then.
      this.ctx.log(`requestChatConfig failed: ${String(err)}`);
      this.agentsAvailable = undefined;
    }
  }

  private emit(event: ConfabEventBody): void {
    this.ctx.emit(event);
  }

  private error(code: string, message: string, retryable = false): void {
    this.emit({ type: 'error', code, message, fatal: false, ...(retryable ? { retryable } : {}) });
  }
}

const ok: HookpointReply = { status: 200, body: { success: true } };

async function withSession(
  body: HookpointBody,
  find: (key: string) => Promise<OmnideskSession | undefined>,
  fn: (s: OmnideskSession) => HookpointReply | void,
): Promise<HookpointReply> {
  // `sessionID` / `SessionID` in the guide's hookpoints; `chatSessionID` is what we sent Omnidesk.
  const id = field(body, 'sessionID') ?? field(body, 'chatSessionID');
  if (typeof id !== 'string' || !id) return { status: 400, body: { success: false, error: 'sessionID missing' } };
  const session = await find(id);
  if (!session) return { status: 404, body: { success: false, error: 'unknown session' } };
  return fn(session) ?? ok;
}

/** "true"/"1"/true → true; the document only says `Typing: boolean`, and forms carry strings. */
function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v.trim()));
}

const routes: HookpointRoute<OmnideskSession>[] = [
  {
    path: 'messageForCustomer',
    handle: async (body, find) =>
      withSession(body, find, (s) => {
        const message = field(body, 'message');
        if (typeof message !== 'string' || !message) return { status: 400, body: { success: false, error: 'message missing' } };
        s.agentMessage(str(field(body, 'name'), 200), str(field(body, 'picture'), 4000), message.slice(0, 20_000));
      }),
  },
  {
    path: 'typingIndicatorForCustomer',
    handle: async (body, find) => withSession(body, find, (s) => s.agentTyping(truthy(field(body, 'Typing')))),
  },
  {
    path: 'uploadForCustomer',
    handle: async (body, find) =>
      withSession(body, find, (s) => {
        const file = body.files[0];
        if (!file) return { status: 400, body: { success: false, error: 'file missing' } };
        s.agentFile(file);
      }),
  },
  {
    path: 'endSession',
    handle: async (body, find) => withSession(body, find, (s) => s.agentEnded()),
  },
];

/** Throws, naming every problem, when the configuration breaks the specification's patterns. */
export function omnideskAdapter(cfg: OmnideskConfig): RelayAdapterFactory<OmnideskSession> {
  const api = new OmnideskApi(cfg);
  let chatServerChecked = false;
  return {
    vendor: OMNIDESK_VENDOR,
    capabilities: CAPABILITIES,
    routes,
    create: (ctx, state) => {
      if (!chatServerChecked) {
        chatServerChecked = true;
        const problem = chatServerProblem(ctx.hookpointBase);
        if (problem) ctx.log(`Omnidesk will refuse every call: ${problem}`);
      }
      return new OmnideskSession(cfg, api, ctx, state);
    },
  };
}
