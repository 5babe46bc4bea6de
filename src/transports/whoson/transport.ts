/**
 * WhosOn Chat API over a WebSocket (shared/vendor-docs/whoson-chat-api.txt, "the document"),
 * held against what Parker Software publishes elsewhere:
 *   W1 supportwiki.whoson.com/WhosOn10/DeveloperChatAPI, the version 10 Chat API page;
 *   W2 Parker-Software/WhosOn-WebClient (socket.js, src/components/file/file-menu.js);
 *   W3 npm @parkersoftware/whoson-lib.
 *
 * Where the document is silent, what we chose and what informed it:
 * - Frames (decode.ts): property names are matched without regard to case (the document's
 *   examples spell `Classname`/`ChatUid`, its prose `ClassName`; W2/W3 read `ChatUID`);
 *   `Data` that should be an object may come as JSON text; an event we do not know is
 *   ignored, with one log line per event name (a newer server must not break us).
 * - Connection: `open` is reported on the `connected` event (the Connect handshake), not on
 *   the socket's open. An `error` answering a fresh Connect is fatal: the server closes, and
 *   we do not reconnect (repeated invalid attempts get the visitor's IP blacklisted).
 * - Drops (W1, "Keeping The Connection Open": "that chat will still function if the
 *   connection is closed and re-opened. The ChatUID given on the connected event must be
 *   maintained and used when the websocket is re-opened"): we reconnect with exponential
 *   backoff and jitter (capped at 30 s, never giving up) and re-attach the running chat by
 *   sending its ChatUID as an eighth Connect parameter (W1 does not say how it is "used":
 *   our choice). The re-attach holds when the `connected` answer carries that ChatUID; an
 *   `error` answer, or a `connected` for another or no chat (a server that does not keep
 *   chats), is the server refusing it: only then does the chat end, by 'system' with
 *   `transport.chatLost`, and a fresh Connect follows. The ChatUID kept is the accepted
 *   event's, else the one a version 10 `connected` gave. `config` is emitted for the first
 *   `connected` only.
 * - Session ids: every command carries the SessionID of the connection it goes out on (a
 *   new Connect is a new SessionID, document); the chat's own identity is its ChatUID.
 * - Lines in flight across a drop: a line already written on an earlier connection of a
 *   re-attached chat is not written again when the session re-sends it on the new one (the
 *   server kept the chat, so it would arrive twice); its echo confirms it. While the chat
 *   waits for an operator a server may hold echoes (the simulator does), so a line is not
 *   written twice then either; once an operator has joined, a Retry is written again.
 * - Echoes: linev (visitor echo) carries no client id: we match it to the oldest pending
 *   line with the same text and give it that client id. Its Content is HTML like any line's
 *   ("Content can contain HTML", and the server may encode what the visitor typed,
 *   `3 &lt; 5`): the same text means equal once whitespace is normalised, either as it came
 *   or as the text the HTML reads as. It is shown as text, never as HTML. The document shows
 *   echoes for a running chat only, and a server may hold them until an operator joins, so
 *   there is no watchdog here: a line without an echo is marked not delivered, with Retry,
 *   by the session's outbox, and liveness comes from the socket itself (issue 19).
 * - Visitor text is escaped so it can never carry an `<original>` translation claim
 *   (encode.ts visitorLine); we make no translation claims of our own.
 * - Surveys: boolean answers go out as `Y`/`N` (the document's only boolean value is `Y`),
 *   in the pre- and post-chat XML and in DynamicField for a requested boolean field;
 *   Password wins over MultiLine; Lines is a maximum; ValidateLow/High apply to numeric
 *   fields, -1 meaning no limit (decode.ts, core/survey.ts).
 * - Language: with Translation.ShowLanguageSelector on and two or more languages, the
 *   pre-chat form gets a "Chat language" drop-down (Languages' DisplayAs, the `Selected`
 *   one first by default, else the visitor's locale); its choice is Hello's language code,
 *   not a survey field. Hello's "Translation required" is "true" when the site enables
 *   translation and that language differs from the site's DefaultLanguage.
 * - Hello: visitor IP "" (the server takes the socket's), operator "" (routing decides).
 * - Unknown newline classes are shown as system lines (sanitized HTML), so nothing the server
 *   says is lost. DynamicField's "new chat line" is not specified; it arrives that way.
 * - GetOperators (sent on connect) tells whether anybody is Online before the visitor commits:
 *   a second `config` carries `agentsAvailable` (availability.ts). The list is kept in `operators`.
 * - File has no echo and Transcript/LeaveMessage no reply: we confirm each ourselves once its
 *   command is on the wire (a visitor file message; an `ack`). PostChatSurvey is acked by the
 *   server's `acknowledged`.
 * - Uploads (upload.ts): SOAP 1.1 DocumentWriteForSite shaped like Parker's DocumentWrite
 *   (W2), or the site's own `data-upload-url` (multipart in, `{url}` out). A refusal is
 *   said in the visitor's language (`transport.uploadRefused`), a failed request as
 *   `transport.uploadFailed`.
 * - Quit (cancel or end) is answered by nothing: we report `ended` by the visitor ourselves.
 * - The final waiting line, or a notaccepted after the chat was accepted (a queue timing
 *   out), ends the chat: we send Quit (the document: "you should end the chat … send the Quit
 *   command") so it stops showing as waiting, and ignore whatever that chat sends afterwards
 *   (an operator picking it up in the meantime must not reopen a chat the visitor was told
 *   is over).
 * - A start that cannot be written (no connection) is reported `retryable`: the session
 *   then offers Retry instead of a wait screen for a Hello that never went out. We do not
 *   queue it for the reconnect: the backoff may take 30 s, with nothing to show meanwhile.
 * - The Connect authentication string is required (data-auth): the document gives no blank
 *   form for it (unlike the visitor IP and referrer), and a Connect that does not match is
 *   refused and counts towards blacklisting the visitor's IP.
 * - Preview is sent only when the connected event's OperatorPreview allows it, during a chat.
 */
import {
  realClock,
  stamp,
  type Capability,
  type ChatConfig,
  type Clock,
  type Command,
  type ConfabEventBody,
  type EventSink,
  type Transport,
  type TransportFactory,
  type TransportOptions,
} from '../../core/contract';
import { createReconnector, type Reconnector } from '../../core/backoff';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { htmlToText } from '../../core/html-text';
import { createLedger, echoOf } from '../../core/delivery';
import type { SurveyField } from '../../core/contract';
import { authorOf, decodeFrame, MAX_LINE, queuePosition, type WhosOnEvent, type WhosOnOperator } from './decode';
import * as wire from './encode';
import { operatorsAvailable } from './availability';

export type WebSocketConstructor = new (url: string) => WebSocket;

/** What tests (and only tests) swap: the socket class and fetch in Node, and backoff timing. */
export interface WhosOnDeps {
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
  /** First reconnect delay (ms) before jitter; doubles per attempt up to 30 s. */
  reconnectBaseMs?: number;
  random?: () => number;
}

type Phase = 'idle' | 'ready' | 'starting' | 'waiting' | 'chatting' | 'ended' | 'offline';

const CAPABILITIES: readonly Capability[] = [
  'prechat', 'postchat', 'transcript-email', 'leave-message', 'file', 'typing', 'preview', 'cancel', 'end', 'html',
];
const MAX_FRAME_WARNINGS = 10;
/** The pre-chat field the language selector adds (a name no WhosOn field uses). */
export const LANGUAGE_FIELD = 'confab:language';
const OPEN = 1;
const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp)$/i;

const isActive = (p: Phase) => p === 'starting' || p === 'waiting' || p === 'chatting';
/** Events about the chat itself: ignored once we have quit it (see the top comment). */
const CHAT_EVENTS: ReadonlySet<WhosOnEvent['kind']> = new Set<WhosOnEvent['kind']>([
  'accepted', 'notaccepted', 'newline', 'operatorjoined', 'typing', 'queue', 'requestfile', 'requestfield', 'quit',
]);

export class WhosOnTransport implements Transport {
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES);
  /** The operators list from GetOperators (information only, see the top comment). */
  operators: WhosOnOperator[] = [];

  private sink: EventSink = () => {};
  private readonly clock: Clock;
  private readonly opt: Readonly<Record<string, string>>;
  private socket: WebSocket | null = null;
  private readonly retry: Reconnector;
  private closed = false;
  private fatal = false;
  /** The ChatUID this connection's Connect asked to re-attach ('' for a fresh Connect). */
  private reattaching = '';
  /** A re-attach was refused: the next Connect is a fresh one. */
  private fresh = false;
  /** Sends arriving while we report the re-attached connection open (the outbox's re-sends). */
  private reopening = false;
  private config: ChatConfig | null = null;
  private domain: string;
  private sessionId = '';
  private webServices: string | null = null;
  private translation = { enabled: false, defaultLanguage: '', showLanguageSelector: false, selected: '' };
  private languageNames = new Map<string, string>();
  private phase: Phase = 'idle';
  // The chat's own identity outlives the connection: post-chat and transcript refer to it.
  private chatUid = '';
  /** The ChatUID a version 10 `connected` gave before any Hello. */
  private connectUid = '';
  private booleans = new Set<string>();
  private unknownLogged = new Set<string>();
  private line = 0;
  private author = '';
  private lastAgentLine = '';
  private agentIsBot = false;
  /** Visitor lines on the wire (core/delivery.ts); a connection is one socket. */
  private lines = createLedger();
  private unmatchedLogged = false;
  /** We sent Quit for a chat the server gave up on: later events about it are ignored. */
  private quitSent = false;
  private promptNo = 0;
  private badFrames = 0;

  constructor(
    private readonly o: TransportOptions,
    private readonly deps: WhosOnDeps = {},
  ) {
    this.clock = o.clock ?? realClock;
    this.opt = o.options;
    this.domain = this.opt.domain ?? '';
    this.retry = createReconnector({
      clock: this.clock,
      baseMs: deps.reconnectBaseMs,
      random: deps.random,
      run: () => {
        if (!this.closed) this.open();
      },
    });
  }

  connect(sink: EventSink): void {
    this.sink = sink;
    this.closed = false;
    const missing = ['server', 'domain', 'auth', 'apiKey'].find((k) => !this.opt[k]);
    const server = this.opt.server ?? '';
    if (missing || !/^wss?:\/\//i.test(server)) {
      return this.refuse(t('transport.badOption', { name: `data-${missing ? kebab(missing) : 'server'}` }), 'config');
    }
    this.emit({ type: 'connection', state: 'connecting' });
    this.open();
  }

  close(): void {
    this.closed = true;
    this.retry.stop();
    const s = this.socket;
    this.socket = null;
    s?.close();
  }

  send(c: Command): void {
    const sid = this.sessionId;
    const dom = this.domain;
    switch (c.type) {
      case 'start': {
        const { [LANGUAGE_FIELD]: picked, ...answers } = c.answers;
        const lang = (picked && this.languageNames.get(picked)) || this.visitorLanguage();
        const nameField = this.config?.prechat.find((f) => f.type === 'name')?.name;
        const name = c.visitor.name || (nameField && answers[nameField]) || '';
        const tr = this.translation;
        const translate = tr.enabled && !!tr.defaultLanguage && lang !== tr.defaultLanguage;
        const frame = wire.hello(name, dom, c.department ?? this.opt.department ?? '', '', sid, '',
          // The site's attributes (update) as extra fields, which the document allows; a survey
          // answer of the same name wins ("field names must be unique").
          this.o.visitorId, lang, translate, wire.surveyXml({ ...c.attributes, ...answers }, this.booleans));
        if (!this.write(frame, true)) return;
        this.chatUid = '';
        this.line = 0;
        this.author = '';
        this.lines.clear();
        this.quitSent = false;
        this.phase = 'starting';
        return;
      }
      case 'send': {
        if (c.text.length > MAX_LINE) return this.fail('too-long', t('transport.tooLong', { max: MAX_LINE }));
        const known = this.lines.get(c.clientId);
        // The session re-sends unconfirmed lines on a new connection; a re-attached chat
        // already has those. While the chat waits for an operator the server holds its
        // echoes, so a Retry then would only double the line. Otherwise a Retry is written.
        if (known?.id !== undefined) return this.emit({ type: 'message', message: echoOf(known) });
        if (known && ((this.reopening && known.wire !== this.lines.conn) || this.phase === 'waiting')) return;
        if (this.write(wire.message(sid, dom, c.text))) this.lines.wrote(known ?? this.lines.add(c.clientId, c.text, 0, undefined));
        return;
      }
      case 'send-file':
        void this.sendFile(c.clientId, c.file, c.name);
        return;
      case 'typing':
        // Best effort: outside a chat there is nobody to tell.
        if (isActive(this.phase) && this.connected()) this.write(wire.typing(sid, c.on));
        return;
      case 'preview':
        if (isActive(this.phase) && this.config?.previewAllowed && this.connected()) {
          this.write(wire.preview(sid, dom, c.text.slice(0, MAX_LINE)));
        }
        return;
      case 'submit-form':
        // A requested boolean field answers Y/N like the surveys (see the top comment).
        this.write(wire.dynamicField(sid, dom, c.fieldName,
          this.booleans.has(c.fieldName) ? (/^(y|yes|true|1|on)$/i.test(c.value.trim()) ? 'Y' : 'N') : c.value));
        return;
      case 'cancel':
      case 'end':
        if (!isActive(this.phase)) return;
        if (this.connected()) this.write(wire.quit(sid, dom));
        // Ended either way: without a connection the chat is already gone on the server.
        this.phase = 'ended';
        this.emit({ type: 'ended', by: 'visitor' });
        return;
      case 'postchat':
        // No ChatUid: the chat was never accepted, and the document offers the survey only
        // for an accepted one (a survey about no chat would be recorded against nothing).
        if (!this.chatUid) return this.fail('no-chat', t('transport.unsupported'));
        this.write(wire.postChatSurvey(this.chatUid, sid, dom, '', wire.surveyXml(c.answers, this.booleans)));
        return;
      case 'transcript':
        if (c.format !== 'email' || !c.email) return this.fail('unsupported', t('transport.unsupported'));
        if (this.write(wire.transcript(this.chatUid, sid, dom, '', c.email))) {
          this.emit({ type: 'ack', what: 'transcript' });
        }
        return;
      case 'leave-message':
        if (this.write(wire.leaveMessage(this.chatUid, this.chatUid ? sid : '', dom, '', c.name,
          c.department ?? this.opt.department ?? '', c.email ?? '', c.phone ?? '', c.message))) {
          this.emit({ type: 'ack', what: 'leave-message' });
        }
        return;
      default:
        // choose, rate, ask-rating, send-card: WhosOn has no such commands.
        this.fail('unsupported', t('transport.unsupported'));
    }
  }

  // --- connection ---

  private open(): void {
    const Ctor = this.deps.WebSocket ?? globalThis.WebSocket;
    let s: WebSocket;
    try {
      s = new Ctor(this.opt.server ?? '');
    } catch {
      return this.refuse(t('transport.badOption', { name: 'data-server' }), 'config');
    }
    this.socket = s;
    this.lines.reconnected();
    s.onopen = () => {
      // A chat that was running when the socket dropped is re-attached by its ChatUID (W1).
      const uid = this.fresh || !isActive(this.phase) ? '' : this.chatUid || this.connectUid;
      this.fresh = false;
      this.reattaching = uid;
      this.raw(s, wire.connect(this.opt.auth ?? '', this.domain, '', this.o.visitorId,
        this.o.userAgent, this.o.referrer, this.opt.apiKey ?? '', uid));
    };
    s.onmessage = (e: MessageEvent) => {
      if (s === this.socket) this.receive(e.data);
    };
    s.onerror = () => {}; // a close follows; handled there
    s.onclose = () => {
      if (s === this.socket) this.dropped();
    };
  }

  private dropped(): void {
    this.socket = null;
    this.sessionId = '';
    if (this.closed || this.fatal) return;
    this.emit({ type: 'connection', state: 'reconnecting', attempt: this.retry.schedule() });
  }

  /**
   * The server refused to re-attach the chat: it ends here. `reconnect`: the refusal closed
   * the socket, and the next Connect must be a fresh one.
   */
  private chatLost(reconnect = false): void {
    this.reattaching = '';
    this.fresh = reconnect;
    this.chatUid = '';
    this.connectUid = '';
    this.lines.clear();
    if (isActive(this.phase)) {
      this.phase = 'ended';
      this.emit({ type: 'ended', by: 'system', text: t('transport.chatLost') });
    }
  }

  /** The visitor's two-letter language (the chat's language when no selector is shown). */
  private visitorLanguage(): string {
    return /^[a-z]{2}/i.exec(this.o.locale)?.[0]?.toLowerCase() ?? 'en';
  }

  /** The language drop-down (Translation.ShowLanguageSelector), or null. */
  private languageField(config: ChatConfig): SurveyField | null {
    const langs = config.languages ?? [];
    if (!this.translation.showLanguageSelector || langs.length < 2) return null;
    this.languageNames = new Map(langs.map((l) => [l.name, l.code]));
    const mine = this.visitorLanguage();
    const initial = langs.find((l) => l.code === this.translation.selected) ?? langs.find((l) => l.code === mine);
    return {
      name: LANGUAGE_FIELD, type: 'select', label: t('transport.chatLanguage'), required: false, selectAs: 'select',
      options: langs.map((l) => l.name), ...(initial ? { defaultValue: initial.name } : {}),
    };
  }

  private refuse(message: string, code: string): void {
    this.fatal = true;
    this.emit({ type: 'error', code, message, fatal: true });
    this.emit({ type: 'connection', state: 'closed', reason: message });
    const s = this.socket;
    this.socket = null;
    s?.close();
  }

  private connected(): boolean {
    return !!this.sessionId && this.socket?.readyState === OPEN;
  }

  /**
   * Put a command on the wire, or report that we cannot (never throws). `retryable`: the
   * command may simply be sent again later (a start), which the error then says.
   */
  private write(frame: wire.WireCommand, retryable = false): boolean {
    if (!this.connected() || !this.socket) {
      this.fail('not-connected', t('transport.notConnected'), retryable);
      return false;
    }
    return this.raw(this.socket, frame, retryable);
  }

  private raw(s: WebSocket, frame: wire.WireCommand, retryable = false): boolean {
    try {
      s.send(JSON.stringify(frame));
      return true;
    } catch {
      this.fail('not-connected', t('transport.notConnected'), retryable);
      return false;
    }
  }

  /** The server gave up on the chat (final line, queue timeout): end it there too, once. */
  private quitAbandoned(): void {
    if (this.quitSent) return;
    this.quitSent = true;
    this.write(wire.quit(this.sessionId, this.domain));
  }

  // --- incoming ---

  private receive(data: unknown): void {
    const ev = decodeFrame(data);
    if (ev.kind === 'unknown') {
      if (!this.unknownLogged.has(ev.name) && this.unknownLogged.size < MAX_FRAME_WARNINGS) {
        this.unknownLogged.add(ev.name);
        console.warn(`[confab] whoson: ignored an unknown event "${ev.name}"`);
      }
      return;
    }
    if (ev.kind === 'malformed') {
      // Every bad frame is an `error` event, but only the first few reach the console: a
      // flood of garbage must not flood the page's log as well.
      if (++this.badFrames <= MAX_FRAME_WARNINGS) {
        console.warn(`[confab] whoson: ignored a malformed frame (${ev.reason.slice(0, 200)})`);
      }
      return this.fail('bad-frame', t('transport.badFrame'));
    }
    this.handle(ev);
  }

  private handle(ev: WhosOnEvent): void {
    if (this.quitSent && CHAT_EVENTS.has(ev.kind)) return;
    switch (ev.kind) {
      case 'connected': {
        const first = !this.config;
        const asked = this.reattaching;
        this.reattaching = '';
        this.sessionId = ev.sessionId;
        if (ev.domain) this.domain = ev.domain;
        this.webServices = ev.webServicesUrl;
        this.translation = ev.translation;
        this.retry.reset();
        // A connected for another chat (or none) did not re-attach ours: the chat is over.
        // The session then fails the lines still waiting instead of sending them into a
        // WhosOn session that has no chat.
        const reattached = !!asked && ev.chatUid === asked;
        if (asked && !reattached) this.chatLost();
        else if (isActive(this.phase) && !asked) this.chatLost();
        if (!isActive(this.phase) && ev.chatUid) this.connectUid = ev.chatUid;
        this.reopening = reattached;
        try {
          this.emit({ type: 'connection', state: 'open' });
        } finally {
          this.reopening = false;
        }
        if (first) {
          const language = this.languageField(ev.config);
          const config = language ? { ...ev.config, prechat: [language, ...ev.config.prechat] } : ev.config;
          this.config = config;
          this.booleans = new Set([...config.prechat, ...config.postchat].filter((f) => f.type === 'boolean').map((f) => f.name));
          if (this.phase === 'idle') this.phase = 'ready';
          this.emit({ type: 'config', config });
          this.write(wire.getOperators(this.sessionId, this.domain));
          this.write(wire.getImage(this.sessionId, this.domain, 5));
        }
        return;
      }
      case 'error':
        if (!this.sessionId && this.reattaching) {
          // The re-attach was refused (the server closes after a Connect error): the chat
          // ends, and the next try is a fresh Connect.
          console.warn(`[confab] whoson: the chat could not be re-attached (${ev.message.slice(0, 200)})`);
          this.chatLost(true);
          const s = this.socket;
          s?.close();
          return;
        }
        if (!this.sessionId) return this.refuse(ev.message || t('transport.refused'), 'refused');
        return this.fail('server', ev.message || t('transport.refused'));
      case 'accepted':
        if (ev.chatUid) this.chatUid = ev.chatUid;
        this.phase = 'waiting';
        return this.emit({ type: 'accepted', chatId: this.chatUid });
      case 'notaccepted': {
        if (ev.chatUid) this.chatUid = ev.chatUid;
        // After accepted, this is a queue timing out: the document says to end the chat.
        if (this.phase === 'waiting') this.quitAbandoned();
        this.phase = 'offline';
        // Data is "the message to display or a forwarding URL".
        const url = /^https?:\/\/\S+$/i.test(ev.text.trim()) ? safeUrl(ev.text.trim(), 'link') : null;
        return this.emit(url
          ? { type: 'rejected', reason: t('transport.forwarded'), forwardingUrl: url }
          : { type: 'rejected', reason: htmlToText(ev.text) });
      }
      case 'newline':
        return this.newline(ev.classes, ev.content);
      case 'operatorjoined':
        this.phase = 'chatting';
        this.agentIsBot = ev.operator.isBot;
        return this.emit({ type: 'agent', action: 'joined', agent: { name: ev.operator.name, isBot: ev.operator.isBot } });
      case 'typing':
        return this.emit({ type: 'typing', on: ev.on });
      case 'queue':
        return this.emit({ type: 'queue', position: ev.position });
      case 'requestfile':
        return this.emit({ type: 'file-request', allowedTypes: ev.types });
      case 'requestfield':
        if (ev.field.type === 'boolean') this.booleans.add(ev.field.name);
        return this.emit({
          type: 'form',
          form: { id: `${this.chatUid}-field-${++this.promptNo}`, header: ev.field.label, field: ev.field },
        });
      case 'quit':
        if (this.phase === 'ended') return;
        // The operator ends a chat they took; before anyone took it, it is the server.
        this.emit({ type: 'ended', by: this.phase === 'chatting' ? 'agent' : 'system' });
        this.phase = 'ended';
        return;
      case 'acknowledged':
        return this.emit({ type: 'ack', what: 'postchat' });
      case 'operators':
        this.operators = ev.operators;
        // Before the visitor commits, the config says again whether anybody is there (availability.ts).
        if (this.config && this.phase === 'ready') this.emit({ type: 'config', config: { ...this.config, agentsAvailable: operatorsAvailable(ev.operators) } });
        return;
      case 'image':
        if (ev.url && (ev.imageType === 5 || ev.imageType === 8)) this.emit({ type: 'image', role: 'logo', url: ev.url });
        return;
      default:
        return; // unknown events: a newer server, nothing for us to do
    }
  }

  private newline(classes: string[], content: string): void {
    const has = (c: string) => classes.includes(c);
    const id = `${this.chatUid || this.sessionId}-${++this.line}`;
    if (has('linesays')) {
      this.author = authorOf(content);
      return;
    }
    const author = this.author;
    this.author = '';
    if (has('pagingmessage')) return this.emit({ type: 'waiting', kind: 'paging', text: htmlToText(content) });
    if (has('linewaiting1') || has('linewaiting2')) {
      return this.emit({ type: 'waiting', kind: 'waiting', text: htmlToText(content) });
    }
    if (has('final')) {
      // Only a chat still waiting for an operator can be given up (the session goes offline
      // on it then); a final line in a running chat is shown as before and changes nothing.
      if (this.phase === 'starting' || this.phase === 'waiting') {
        this.quitAbandoned();
        this.phase = 'offline';
      }
      return this.emit({ type: 'waiting', kind: 'final', text: htmlToText(content) });
    }
    if (has('queuemessage')) {
      const q = queuePosition(content);
      this.emit({ type: 'waiting', kind: 'queue', text: htmlToText(content) });
      if (q) this.emit({ type: 'queue', position: q.position, total: q.total });
      return;
    }
    // The server's record of a requested field's answer ("OrderNumber: 12345"): the form item
    // already shows that answer under its question, so this copy (with the internal field name)
    // is not shown a second time (issue 25 item 10).
    if (has('linefield')) return;
    const named = author ? { authorName: author } : {};
    if (has('linev')) {
      const read = htmlToText(content);
      const echoed = this.lines.claim({ id, text: [content, read] });
      if (!echoed && this.lines.inDoubt().length && !this.unmatchedLogged) {
        this.unmatchedLogged = true;
        console.warn('[confab] whoson: a visitor echo matched no pending line (shown as a line of its own)');
      }
      return this.emit({
        type: 'message',
        message: { id, sender: 'visitor', text: echoed?.text ?? read, ...named, ...(echoed ? { clientId: echoed.clientId } : {}) },
      });
    }
    const sender = this.agentIsBot ? 'bot' : 'agent';
    if (has('linet')) {
      return this.emit({
        type: 'message',
        message: { id, sender, html: content, ...named, ...(this.lastAgentLine ? { translationOf: this.lastAgentLine } : {}) },
      });
    }
    if (has('lineo')) {
      this.lastAgentLine = id;
      return this.emit({ type: 'message', message: { id, sender, html: content, ...named } });
    }
    this.emit({ type: 'message', message: { id, sender: 'system', html: content } });
  }

  // --- files ---

  private async sendFile(clientId: string, file: Blob, name: string): Promise<void> {
    const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
    const allowed = this.config?.allowedFileTypes ?? [];
    if (!allowed.includes(ext)) {
      return this.fail('file-type', t('error.fileType', { types: allowed.join(', ') }), false, clientId);
    }
    if (!this.connected()) return this.fail('not-connected', t('transport.notConnected'), true, clientId);
    const uploadUrl = safeUrl(this.opt.uploadUrl || null, 'media');
    let url: string;
    try {
      // Uploads are rare: their code (SOAP, base64, multipart) is a chunk of its own.
      const { uploadDocument } = await import('./upload');
      url = await uploadDocument(this.deps.fetch ?? fetch, { webServicesUrl: this.webServices, uploadUrl },
        { sessionId: this.sessionId, domain: this.domain, name, file });
    } catch (e) {
      console.warn('[confab] whoson: upload failed', e);
      const refused = e instanceof Error && (e as { refused?: boolean }).refused === true;
      return this.fail(refused ? 'upload-refused' : 'upload', t(refused ? 'transport.uploadRefused' : 'transport.uploadFailed'), !refused, clientId);
    }
    // The socket may have been re-opened while the file went up: File takes today's session.
    const sid = this.sessionId;
    if (!this.write(wire.file(sid, this.domain, name, url))) return;
    const kind = IMAGE_EXT.test(name) ? 'image' : 'file';
    this.emit({
      type: 'message',
      message: {
        id: `${this.chatUid || sid}-file-${clientId}`,
        sender: 'visitor',
        clientId,
        attachments: [{ name, url, kind, ...(file.type ? { mime: file.type } : {}), size: file.size }],
      },
    });
  }

  // --- out ---

  private fail(code: string, message: string, retryable = false, clientId?: string): void {
    this.emit({ type: 'error', code, message, fatal: false, ...(retryable ? { retryable } : {}), ...(clientId ? { clientId } : {}) });
  }

  private emit(body: ConfabEventBody): void {
    this.sink(stamp(body, this.clock));
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The transport with explicit dependencies (tests pass `ws`'s WebSocket and short backoff). */
export function createWhosOnTransport(options: TransportOptions, deps?: WhosOnDeps): WhosOnTransport {
  return new WhosOnTransport(options, deps);
}

export const createTransport: TransportFactory = (options) => new WhosOnTransport(options);
