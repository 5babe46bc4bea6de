/**
 * WhosOn Chat API over a WebSocket (shared/vendor-docs/whoson-chat-api.txt, "the document"),
 * held against what Parker Software publishes elsewhere:
 *   W1 supportwiki.whoson.com/WhosOn10/DeveloperChatAPI, the version 10 Chat API page;
 *   W2 Parker-Software/WhosOn-WebClient (socket.js, src/components/file/file-menu.js);
 *   W3 npm @parkersoftware/whoson-lib.
 *
 * Where the document is silent, what we chose and what informed it (incoming.ts, files.ts
 * and language.ts say the same for what they do):
 * - Frames (decode.ts): property names are matched without regard to case (the document's
 *   examples spell `Classname`/`ChatUid`, its prose `ClassName`; W2/W3 read `ChatUID`);
 *   `Data` that should be an object may come as JSON text.
 * - Connection: `open` is reported on the `connected` event (the Connect handshake), not on
 *   the socket's open.
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
 * - Visitor text is escaped so it can never carry an `<original>` translation claim
 *   (encode.ts visitorLine); we make no translation claims of our own.
 * - Surveys: boolean answers go out as `Y`/`N` (the document's only boolean value is `Y`),
 *   in the pre- and post-chat XML and in DynamicField for a requested boolean field;
 *   Password wins over MultiLine; Lines is a maximum; ValidateLow/High apply to numeric
 *   fields, -1 meaning no limit (decode.ts, core/survey.ts).
 * - Hello: visitor IP "" (the server takes the socket's), operator "" (routing decides).
 * - Transcript/LeaveMessage have no reply: we `ack` each ourselves once its command is on
 *   the wire.
 * - Quit (cancel or end) is answered by nothing: we report `ended` by the visitor ourselves.
 * - A start that cannot be written (no connection) is reported `retryable`: the session
 *   then offers Retry instead of a wait screen for a Hello that never went out. We do not
 *   queue it for the reconnect: the backoff may take 30 s, with nothing to show meanwhile.
 * - The Connect authentication string is required (data-auth): the document gives no blank
 *   form for it (unlike the visitor IP and referrer), and a Connect that does not match is
 *   refused and counts towards blacklisting the visitor's IP.
 * - Preview is sent only when the connected event's OperatorPreview allows it, during a chat.
 *
 * `fail` is fatal (the transport stops); `error` is a non-fatal error event.
 */
import {
  type Capability,
  type ChatConfig,
  type Command,
  type EventSink,
  type Transport,
  type TransportFactory,
  type TransportOptions,
} from '../../core/contract';
import { createReconnector, type Reconnector } from '../../core/backoff';
import { t } from '../../core/i18n';
import { createLedger, echoOf } from '../../core/delivery';
import { createKit, type TransportKit } from '../../core/transport-kit';
import { MAX_LINE, type WhosOnOperator } from './decode';
import * as wire from './encode';
import { isActive, receive, type Phase } from './incoming';
import { sendFile } from './files';
import { LANGUAGE_FIELD, visitorLanguage, type Translation } from './language';

export { LANGUAGE_FIELD };

export type WebSocketConstructor = new (url: string) => WebSocket;

/** What tests (and only tests) swap: the socket class and fetch in Node, and backoff timing. */
export interface WhosOnDeps {
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
  /** First reconnect delay (ms) before jitter; doubles per attempt up to 30 s. */
  reconnectBaseMs?: number;
  random?: () => number;
}

const CAPABILITIES: readonly Capability[] = [
  'prechat', 'postchat', 'transcript-email', 'leave-message', 'file', 'typing', 'preview', 'cancel', 'end', 'html',
];
const OPEN = 1;

export class WhosOnTransport implements Transport {
  readonly capabilities: ReadonlySet<Capability> = new Set(CAPABILITIES);
  /** The operators list from GetOperators: whether anybody is Online before the visitor commits (availability.ts). */
  operators: WhosOnOperator[] = [];

  // The fields below are shared with incoming.ts and files.ts (the chat's state), not API.
  readonly kit: TransportKit;
  readonly opt: Readonly<Record<string, string>>;
  socket: WebSocket | null = null;
  readonly retry: Reconnector;
  fatal = false;
  /** The ChatUID this connection's Connect asked to re-attach ('' for a fresh Connect). */
  reattaching = '';
  /** A re-attach was refused: the next Connect is a fresh one. */
  fresh = false;
  /** Sends arriving while we report the re-attached connection open (the outbox's re-sends). */
  reopening = false;
  config: ChatConfig | null = null;
  domain: string;
  sessionId = '';
  webServices: string | null = null;
  translation: Translation = { enabled: false, defaultLanguage: '', showLanguageSelector: false, selected: '' };
  languageNames = new Map<string, string>();
  phase: Phase = 'idle';
  // The chat's own identity outlives the connection: post-chat and transcript refer to it.
  chatUid = '';
  /** The ChatUID a version 10 `connected` gave before any Hello. */
  connectUid = '';
  booleans = new Set<string>();
  unknownLogged = new Set<string>();
  line = 0;
  author = '';
  lastAgentLine = '';
  agentIsBot = false;
  /** Visitor lines on the wire (core/delivery.ts); a connection is one socket. */
  lines = createLedger();
  unmatchedLogged = false;
  /** We sent Quit for a chat the server gave up on: later events about it are ignored. */
  quitSent = false;
  promptNo = 0;

  constructor(
    readonly o: TransportOptions,
    readonly deps: WhosOnDeps = {},
  ) {
    this.kit = createKit({ vendor: 'whoson', clock: o.clock });
    this.opt = o.options;
    this.domain = this.opt.domain ?? '';
    this.retry = createReconnector({
      clock: this.kit.clock,
      baseMs: deps.reconnectBaseMs,
      random: deps.random,
      run: () => {
        if (!this.kit.closed) this.open();
      },
    });
  }

  connect(sink: EventSink): void {
    this.kit.connect(sink);
    const missing = ['server', 'domain', 'auth', 'apiKey'].find((k) => !this.opt[k]);
    const server = this.opt.server ?? '';
    if (missing || !/^wss?:\/\//i.test(server)) {
      return this.fail(t('transport.badOption', { name: `data-${missing ? kebab(missing) : 'server'}` }), 'config');
    }
    this.kit.emit({ type: 'connection', state: 'connecting' });
    this.open();
  }

  close(): void {
    this.kit.close();
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
        const lang = (picked && this.languageNames.get(picked)) || visitorLanguage(this.o.locale);
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
        if (c.text.length > MAX_LINE) return this.error('too-long', t('transport.tooLong', { max: MAX_LINE }));
        const known = this.lines.get(c.clientId);
        // The session re-sends unconfirmed lines on a new connection; a re-attached chat
        // already has those. While the chat waits for an operator the server holds its
        // echoes, so a Retry then would only double the line. Otherwise a Retry is written.
        if (known?.id !== undefined) return this.kit.emit({ type: 'message', message: echoOf(known) });
        if (known && ((this.reopening && known.wire !== this.lines.conn) || this.phase === 'waiting')) return;
        if (this.write(wire.message(sid, dom, c.text))) this.lines.wrote(known ?? this.lines.add(c.clientId, c.text, 0, undefined));
        return;
      }
      case 'send-file':
        void sendFile(this, c.clientId, c.file, c.name);
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
        this.kit.emit({ type: 'ended', by: 'visitor' });
        return;
      case 'postchat':
        // No ChatUid: the chat was never accepted, and the document offers the survey only
        // for an accepted one (a survey about no chat would be recorded against nothing).
        if (!this.chatUid) return this.error('no-chat', t('transport.unsupported'));
        this.write(wire.postChatSurvey(this.chatUid, sid, dom, '', wire.surveyXml(c.answers, this.booleans)));
        return;
      case 'transcript':
        if (c.format !== 'email' || !c.email) return this.error('unsupported', t('transport.unsupported'));
        if (this.write(wire.transcript(this.chatUid, sid, dom, '', c.email))) {
          this.kit.emit({ type: 'ack', what: 'transcript' });
        }
        return;
      case 'leave-message':
        if (this.write(wire.leaveMessage(this.chatUid, this.chatUid ? sid : '', dom, '', c.name,
          c.department ?? this.opt.department ?? '', c.email ?? '', c.phone ?? '', c.message))) {
          this.kit.emit({ type: 'ack', what: 'leave-message' });
        }
        return;
      default:
        // choose, rate, ask-rating, send-card: WhosOn has no such commands.
        this.error('unsupported', t('transport.unsupported'));
    }
  }

  // --- connection ---

  open(): void {
    const Ctor = this.deps.WebSocket ?? globalThis.WebSocket;
    let s: WebSocket;
    try {
      s = new Ctor(this.opt.server ?? '');
    } catch {
      return this.fail(t('transport.badOption', { name: 'data-server' }), 'config');
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
      if (s === this.socket) receive(this, e.data);
    };
    s.onerror = () => {}; // a close follows; handled there
    s.onclose = () => {
      if (s === this.socket) this.dropped();
    };
  }

  dropped(): void {
    this.socket = null;
    this.sessionId = '';
    if (this.kit.closed || this.fatal) return;
    this.kit.emit({ type: 'connection', state: 'reconnecting', attempt: this.retry.schedule() });
  }

  /**
   * The server refused to re-attach the chat: it ends here. `reconnect`: the refusal closed
   * the socket, and the next Connect must be a fresh one.
   */
  chatLost(reconnect = false): void {
    this.reattaching = '';
    this.fresh = reconnect;
    this.chatUid = '';
    this.connectUid = '';
    this.lines.clear();
    if (isActive(this.phase)) {
      this.phase = 'ended';
      this.kit.emit({ type: 'ended', by: 'system', text: t('transport.chatLost') });
    }
  }


  /** Fatal: the server refused us (or the options are wrong); nothing reconnects. */
  fail(message: string, code: string): void {
    this.fatal = true;
    this.kit.emit({ type: 'error', code, message, fatal: true });
    this.kit.emit({ type: 'connection', state: 'closed', reason: message });
    const s = this.socket;
    this.socket = null;
    s?.close();
  }

  connected(): boolean {
    return !!this.sessionId && this.socket?.readyState === OPEN;
  }

  /**
   * Put a command on the wire, or report that we cannot (never throws). `retryable`: the
   * command may simply be sent again later (a start), which the error then says.
   */
  write(frame: wire.WireCommand, retryable = false): boolean {
    if (!this.connected() || !this.socket) {
      this.error('not-connected', t('transport.notConnected'), retryable);
      return false;
    }
    return this.raw(this.socket, frame, retryable);
  }

  raw(s: WebSocket, frame: wire.WireCommand, retryable = false): boolean {
    try {
      s.send(JSON.stringify(frame));
      return true;
    } catch {
      this.error('not-connected', t('transport.notConnected'), retryable);
      return false;
    }
  }

  /** The server gave up on the chat (final line, queue timeout): end it there too, once. */
  quitAbandoned(): void {
    if (this.quitSent) return;
    this.quitSent = true;
    this.write(wire.quit(this.sessionId, this.domain));
  }

  /** A non-fatal error event (the chat goes on). */
  error(code: string, message: string, retryable = false, clientId?: string): void {
    this.kit.emit({ type: 'error', code, message, fatal: false, ...(retryable ? { retryable } : {}), ...(clientId ? { clientId } : {}) });
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The transport with explicit dependencies (tests pass `ws`'s WebSocket and short backoff). */
export function createWhosOnTransport(options: TransportOptions, deps?: WhosOnDeps): WhosOnTransport {
  return new WhosOnTransport(options, deps);
}

export const createTransport: TransportFactory = (options) => new WhosOnTransport(options);
