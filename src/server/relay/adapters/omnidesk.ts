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
import type { Attachment, Capability, ConfabEventBody, Json, VisitorInfo } from '../../../core/contract';
import { safeUrl } from '../../../core/urls';
import { createLedger, type Ledger, type Line } from '../../../core/delivery';
import type { WireCommand } from '../../../protocol/relay';
import { baseConfig, type AdapterContext, type RelayAdapter, type RelayAdapterFactory, type RelayFile } from '../adapter';
import { UpstreamError } from '../upstream';
import { OmnideskChatCalls, type OmnideskConfig } from './omnidesk-calls';
import { chatServerProblem, OmnideskApi } from './omnidesk-api';
import { scanAgentMarkup } from './omnidesk-html';
import { omnideskRoutes } from './omnidesk-hookpoints';
import { newChatSessionId, readState, REMEMBERED_CLIENT_IDS, type OmnideskState } from './omnidesk-state';
import { extension, kindOf, leftMessageBody, prechatSummary, str } from './omnidesk-words';

export { apiConfigProblems, chatServerProblem, CHAT_SERVER_PATTERN, CHAT_SESSION_ID_PATTERN } from './omnidesk-api';
export { LIVE_CHAT_CHANNEL, type OmnideskConfig } from './omnidesk-calls';
export { NO_AGENTS_INSTRUCTION, saysNoAgents } from './omnidesk-words';

export const OMNIDESK_VENDOR = 'omnidesk';

const CAPABILITIES: readonly Capability[] = ['prechat', 'file', 'typing', 'end', 'cancel', 'leave-message', 'resume', 'window-state', 'html'];

const NO_AGENTS_TEXT = 'No agents are available right now. Leave a message and we will get back to you.';

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
  private readonly calls: OmnideskChatCalls;

  constructor(
    cfg: OmnideskConfig,
    api: OmnideskApi,
    private readonly ctx: AdapterContext,
    state?: Json,
  ) {
    const st = readState(state);
    this.hookKey = st.hookKey ?? newChatSessionId();
    this.calls = new OmnideskChatCalls(cfg, api, ctx, this.hookKey);
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
        return this.calls.event(c.on ? 'startedtyping' : 'stoppedtyping');
      case 'window':
        return this.live ? this.calls.event(c.open ? 'expandedchat' : 'minimizedchat') : undefined;
      case 'end':
      case 'cancel':
        if (!this.live) return;
        // Ended here and now, whatever Omnidesk answers: a failure is logged and retried behind it.
        this.ended = true;
        this.emit({ type: 'ended', by: 'visitor' });
        this.calls.endChat();
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
      this.calls.endChat();
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
    const summary = prechatSummary(visitor, answers, attributes);
    const from = str(visitor.email ?? answers.email ?? visitor.phone ?? answers.phone, 320);
    if (from && summary && !this.prechatLogged) {
      try {
        await this.calls.chatbotLog(from, `Chat from ${visitor.name || from}`, `Pre-chat answers:\n${summary}`);
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
    await this.calls.notify(n, first);
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
      await this.calls.notify(n, text);
    } catch (err) {
      this.ctx.log(`message ${n} failed: ${String(err)}`);
      return this.error('send-failed', 'Your message could not be delivered. Please retry.');
    }
    this.echo(line, { text });
    this.typingEndedBySending();
  }

  /**
   * The widget ends typing by sending a line, without a stop (core/typing.ts). The Omnidesk
   * specification does not say a message ends the agent's typing indicator, so the stop is
   * sent here; and the next keystroke's start is not taken for a repeat.
   */
  private typingEndedBySending(): void {
    if (!this.visitorTyping) return;
    this.visitorTyping = false;
    void this.calls.event('stoppedtyping');
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
        await this.calls.addAttachment({ name, mime, bytes });
      } catch (err) {
        this.ctx.log(`upload failed: ${String(err)}`);
        return this.error('send-failed', 'Your file could not be delivered. Please retry.');
      }
    }
    const url = this.ctx.storeFile({ name, mime, bytes });
    const attachment: Attachment = { name, url, kind: kindOf(mime), mime, size: bytes.length };
    this.echo(line, { attachments: [attachment] });
    this.typingEndedBySending();
  }

  private async leaveMessage(c: Extract<WireCommand, { type: 'leave-message' }>): Promise<void> {
    const from = str(c.email || c.phone, 320);
    if (!from) return this.error('leave-message-contact', 'Please give an email address or phone number.');
    try {
      await this.calls.chatbotLog(from, `Message from ${str(c.name, 200) || from}`, leftMessageBody(c, this.ctx.page.url));
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

  private async refreshAvailability(): Promise<void> {
    this.agentsAvailable = await this.calls.agentsAvailable();
  }

  private emit(event: ConfabEventBody): void {
    this.ctx.emit(event);
  }

  private error(code: string, message: string, retryable = false): void {
    this.emit({ type: 'error', code, message, fatal: false, ...(retryable ? { retryable } : {}) });
  }
}

/** Throws, naming every problem, when the configuration breaks the specification's patterns. */
export function omnideskAdapter(cfg: OmnideskConfig): RelayAdapterFactory<OmnideskSession> {
  const api = new OmnideskApi(cfg);
  let chatServerChecked = false;
  return {
    vendor: OMNIDESK_VENDOR,
    capabilities: CAPABILITIES,
    routes: omnideskRoutes<OmnideskSession>(),
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
