/**
 * WhosOn sandbox: a WebSocket chat server that follows shared/vendor-docs/whoson-chat-api.txt
 * (command names case-insensitive, parameter counts checked, the document's event shapes and
 * example texts) and what Parker publishes elsewhere (shared/notes/vendors-in-the-field.md,
 * W1 the version 10 Chat API page, W2 Parker's web client), plus the Document Store on the
 * same HTTP server:
 *
 *   POST /whosoncharts/cannedresponseservice.asmx   SOAP 1.1 DocumentWriteForSite (W2's
 *        DocumentWrite shape: base64 Contents, FileName, Domain; and the chat's SessionID)
 *        → <DocumentWriteForSiteResult>URL</…>, or a result containing "Error" (a refusal)
 *   GET  /whosoncharts/document.aspx?f=<id>.<ext>  → the uploaded bytes
 *
 * It is the strictest reasonable server where the evidence is silent, and records every
 * frame that breaks the rules in `violations` (tests assert none):
 * - Chats outlive their socket (W1): a Connect with the ChatUID as an eighth parameter
 *   re-attaches a running chat (new SessionID, `connected` carrying that ChatUID, then what
 *   the chat said meanwhile); an unknown or ended ChatUID is refused with an error, and the
 *   socket closed, as for any refused Connect. A chat nobody re-attaches ends after
 *   `reattachMs`.
 * - Every command must carry the SessionID of the connection it arrives on.
 * - Visitor lines are echoed once an operator has joined; before that they wait, and are
 *   echoed (once each) when the operator joins.
 * - OperatorPreview is true (option `preview`); Preview is checked (only when allowed, only
 *   in a chat) and throttled: the operator sees the latest text at most every 500 ms.
 * - A chat waiting in the queue can time out after `accepted` (`queueTimeout()`): the
 *   document's `notaccepted`.
 * - A visitor line carrying `<original>` is a translation claim: a violation (the widget
 *   makes none).
 * - `spellings: 'alternative'` sends `ChatUID`, `ClassName` and `SessionId`.
 * Choices where the document is silent: DynamicField's "new chat line" is sent with the
 * class "linefield"; when the Hello asks for translation, each operator line is followed by
 * a "linet" line. A chat whose page timeout passes gets "lineo linewaiting2" then "lineo
 * final", and keeps waiting (an operator may still take it) until the visitor sends Quit.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AGENT_ATTACHMENT, SANDBOX_PNG, DEFAULT_AGENT, injectLists } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { Chat, type ChatWorld } from './whoson-chat';
import { documentStore } from './whoson-documents';
import {
  allowedTypes, ARITY, connectedData, DOMAIN_PARAM, escapeHtml, FILE_TYPE_ERROR, helloFields, operatorData, renameKey, SESSION_PARAM, withSite,
  type SiteSettings,
} from './whoson-frames';

export { helloFields, surveyField, type SiteSettings } from './whoson-frames';

export interface WhosOnSimulatorOptions extends SimulatorOptions {
  auth?: string;
  domain?: string;
  apiKey?: string;
  /** The connected event's OperatorPreview (default true: the site allows preview). */
  preview?: boolean;
  /**
   * 'alternative': send `ChatUID` on frames, `ClassName` in newline Data and `SessionId` in
   * connected (spellings Parker's other APIs and the document's prose use), instead of the
   * document examples' `ChatUid`, `Classname` and `SessionID`.
   */
  spellings?: 'document' | 'alternative';
  /** How long a chat whose socket closed waits to be re-attached (default 2 minutes). */
  reattachMs?: number;
  /** The Document Store's largest file (default 5 MB); a larger one is refused. */
  maxUploadBytes?: number;
}

export interface WhosOnSimulatorHandle extends SimulatorHandle {
  flood(n: number, prefix: string): number;
  /** Fault hook: until `ms` from now, open sockets stay open but nothing goes in or out (`Infinity`: until `stall(0)`). */
  stall(ms: number): void;
  /** The frames a stall swallowed (raw text, the last MAX_SWALLOWED), oldest first. */
  swallowed: string[];
  /** Fault hook: cut every widget's socket; the server stays up (chats wait for a re-attach). */
  dropClients(): number;
  /** Fault hook: every chat still waiting for an operator times out in the queue now. */
  queueTimeout(): number;
  /**
   * Test hook: while on, accepted chats wait in the queue with no operator; off, each
   * waiting chat's operator goes through the queue and joins as usual.
   */
  holdOperators(on: boolean): void;
  /** Frames that broke the vendor's rules (tests assert there are none). */
  violations: string[];
  /** Preview texts the operator was shown (throttled: the latest per PREVIEW_THROTTLE_MS). */
  previews: string[];
  /** Test hook: the site's settings for the Connects from now on (`{}` restores the document's). */
  site(settings: SiteSettings): void;
}

/** Frames a stall keeps for tests to see (the rest are forgotten). */
const MAX_SWALLOWED = 100;

export async function startWhosOnSimulator(opts: WhosOnSimulatorOptions = {}): Promise<WhosOnSimulatorHandle> {
  const auth = opts.auth ?? 'sandbox-auth';
  const domain = opts.domain ?? 'www.mycompany.com';
  const apiKey = opts.apiKey ?? 'sandbox-api-key';
  const host = opts.host ?? '127.0.0.1';
  const preview = opts.preview ?? true;
  let alternative = opts.spellings === 'alternative';
  /** What `site()` changed in the connected event (see SiteSettings). */
  let site: SiteSettings = {};
  const reattachMs = opts.reattachMs ?? 120_000;
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  const previews: string[] = [];
  const sessions = new Set<string>();
  const chats = new Map<string, Chat>();
  let origin = '';
  let stalledUntil = 0;
  const swallowed: string[] = [];
  const stalled = () => Date.now() < stalledUntil;
  let holding = false;
  const violation = (what: string) => {
    violations.push(what);
  };

  const world: ChatWorld = {
    agent: opts.agent,
    chats,
    reattachMs,
    previews,
    alternative: () => alternative,
    holding: () => holding,
    violation,
  };
  const handleHttp = documentStore({ domain, sessions, received, violation, maxUploadBytes: opts.maxUploadBytes, origin: () => origin });
  const server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({ server, maxPayload: 256 * 1024 });
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    const connection = new Connection(socket);
    socket.on('message', (data, isBinary) => {
      if (!stalled()) connection.receive(isBinary ? null : data.toString());
      else if (swallowed.push(isBinary ? '(binary)' : data.toString().slice(0, 4000)) > MAX_SWALLOWED) swallowed.shift();
    });
    socket.on('close', () => connection.stop());
  });

  /** One socket: its Connect's SessionID, and the chat it carries (if any). */
  class Connection {
    sessionId = '';
    chat: Chat | null = null;

    constructor(readonly socket: WebSocket) {}

    send(EventName: string, Data: unknown, ChatUid: string | null): void {
      if (this.socket.readyState !== WebSocket.OPEN || stalled()) return;
      // The alternative spellings some servers use (notes: Parker's own APIs say ChatUID;
      // the document's prose says ClassName), so the widget's tolerant reader is tested.
      const frame = alternative ? { EventName, ChatUID: ChatUid, Data } : { EventName, ChatUid, Data };
      opts.agent?.desk?.sent('ws', EventName, frame, ChatUid ?? undefined);
      this.socket.send(JSON.stringify(frame));
    }

    emit(EventName: string, Data: unknown, ChatUid: string | null = this.chat?.uid || null): void {
      this.send(EventName, Data, ChatUid);
    }

    error(message: string, close = false): void {
      this.emit('error', message);
      if (close) this.socket.close();
    }

    stop(): void {
      if (this.sessionId) sessions.delete(this.sessionId);
      this.chat?.detach(this);
    }

    receive(text: string | null): void {
      let frame: unknown;
      try {
        frame = text === null ? null : JSON.parse(text);
      } catch {
        frame = null;
      }
      const f = frame as { Command?: unknown; Parameters?: unknown } | null;
      if (!f || typeof f !== 'object' || typeof f.Command !== 'string') {
        received.push({ at: Date.now(), channel: 'ws', name: '(malformed)', payload: text });
        violation('a frame that is not {Command, Parameters}');
        return this.error('Invalid command.');
      }
      const params = f.Parameters === null ? [] : f.Parameters;
      received.push({ at: Date.now(), channel: 'ws', name: f.Command, payload: f.Parameters, ...(this.chat ? { chat: this.chat.uid } : {}) });
      const name = f.Command.toLowerCase();
      const arity = ARITY[name];
      if (arity === undefined) {
        violation(`unknown command ${f.Command.slice(0, 40)}`);
        return this.error(`Unknown command: ${f.Command.slice(0, 40)}`);
      }
      // Connect may carry the ChatUID of a chat to re-attach as an eighth parameter (W1).
      const counts = name === 'connect' ? [arity, arity + 1] : [arity];
      if (!Array.isArray(params) || !counts.includes(params.length) || !params.every((p) => typeof p === 'string')) {
        violation(`${f.Command.slice(0, 40)} with invalid parameters`);
        return this.error(`Invalid parameters for ${f.Command.slice(0, 40)}.`, !this.sessionId);
      }
      const p = params as string[];
      if (name === 'connect') return this.connect(p);
      if (!this.sessionId) {
        violation(`${f.Command} before Connect`);
        return this.error('Not connected.');
      }
      const sessionAt = SESSION_PARAM[name];
      // LeaveMessage may carry a blank session (no chat attempted); every other one must be
      // the SessionID this connection was given (a new Connect is a new SessionID).
      const sid = name === 'leavemessage' ? p[1] : sessionAt === undefined ? '' : p[sessionAt];
      if ((sid || name !== 'leavemessage') && sid !== this.sessionId) {
        violation(`${f.Command} with a SessionID that is not this connection's`);
        return this.error('Invalid session.');
      }
      const domainAt = DOMAIN_PARAM[name];
      if (domainAt !== undefined && p[domainAt] !== domain) return this.error('Access Denied');
      this.command(name, p);
    }

    private connect(p: string[]): void {
      if (this.sessionId) return this.error('Already connected.');
      if (p[0] !== auth || p[1] !== domain) return this.error('Access Denied', true);
      if (p[6] !== apiKey) return this.error('Invalid API key.', true);
      const reattach = p[7];
      let chat: Chat | null = null;
      if (reattach !== undefined) {
        chat = chats.get(reattach) ?? null;
        // A chat that ended, or that this server never had (or lost in a restart), cannot be re-attached.
        if (!chat || chat.over) return this.error('The chat session could not be found.', true);
      }
      this.sessionId = randomUUID();
      sessions.add(this.sessionId);
      const data = withSite(connectedData(this.sessionId, domain, `${origin}/whosoncharts/`, injectLists(opts.agent), preview), site);
      const sent = alternative ? renameKey(data, 'SessionID', 'SessionId') : data;
      if (!chat) return this.emit('connected', sent, null);
      this.emit('connected', sent, chat.uid);
      chat.attach(this);
    }

    private command(name: string, p: string[]): void {
      const chat = this.chat;
      switch (name) {
        case 'hello': {
          if (chat) return this.error('A chat has already been started.');
          const fields = helloFields(p[9] ?? '');
          if ('problem' in fields) violation(`Hello: ${fields.problem}`);
          const c = new Chat(world, p[0] || 'Visitor', p[8] === 'true' ? (p[7] ?? '') : '');
          c.attach(this);
          return c.start();
        }
        case 'message':
          if (!chat || chat.over) return this.error('No chat session.');
          return chat.visitorLine((p[2] ?? '').slice(0, 4000));
        case 'preview':
          if (!preview) violation('Preview while OperatorPreview is false');
          if (!chat || chat.over) return violation('Preview outside a chat');
          return chat.preview((p[2] ?? '').slice(0, 4000));
        case 'quit':
          chat?.quit();
          return;
        case 'postchatsurvey': {
          const about = chats.get(p[0] ?? '');
          if (!about || !about.accepted) {
            violation('PostChatSurvey for a chat this server did not accept');
            return this.error('Invalid chat.');
          }
          return this.emit('acknowledged', '', '');
        }
        case 'dynamicfield':
          if (!chat) return this.error('No chat session.');
          return chat.line('linefield', `${escapeHtml(p[2] ?? '')}: ${escapeHtml(p[3] ?? '')}`);
        case 'file': {
          const ext = /\.([a-z0-9]+)$/i.exec(p[2] ?? '')?.[1]?.toLowerCase() ?? '';
          if (!/^https?:\/\//i.test(p[3] ?? '')) violation('File without an http(s) URL');
          if (!allowedTypes().includes(ext)) return this.error(FILE_TYPE_ERROR);
          return;
        }
        case 'getoperators': {
          const agent = chat?.agent;
          const available = agent ? agent.isAvailable() : (opts.agent?.available?.() ?? true);
          const name0 = chat?.agentName ?? (opts.agent?.identity ?? DEFAULT_AGENT).name;
          const first = operatorData(name0, (opts.agent?.identity ?? DEFAULT_AGENT).isBot, available ? 'Online' : 'Away');
          const second = { ...operatorData('Daniel Tallentire', false, 'Busy'), Email: 'daniel@mycompany.com', Skills: ['Technical Support', 'Training'] };
          return this.emit('operators', [first, second], null);
        }
        case 'getimage': {
          const type = Number(p[2]);
          if (![1, 2, 5, 8].includes(type)) return this.error('Invalid image type.');
          // The XSS injector: each hostile text as the extension and as the Base64 body, each
          // hostile URL as the body, before the real image (so the header shows that one).
          const inject = injectLists(opts.agent);
          const image = (Ext: string, Base64: string) => this.emit('image', { Domain: domain, ImageType: type, Language: 'en', Ext, Base64 }, '');
          const png = Buffer.from(AGENT_ATTACHMENT.bytes).toString('base64');
          for (const t of inject?.texts ?? []) {
            image(t, png);
            image('.png', t);
          }
          for (const u of inject?.urls ?? []) image('.png', u);
          return this.emit('image', { Domain: domain, ImageType: type, Language: 'en', Ext: '.png', Base64: SANDBOX_PNG }, '');
        }
        default:
          // StartTyping, StopTyping, Transcript, LeaveMessage: recorded in `received`.
          return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;

  return {
    vendor: 'whoson',
    url: `ws://${host}:${port}`,
    options: { domain, auth, apiKey },
    received,
    violations,
    previews,
    swallowed,
    flood: (n: number, prefix: string) => {
      let count = 0;
      for (const chat of chats.values()) if (chat.conn && chat.flood(n, prefix)) count++;
      return count;
    },
    dropClients: () => {
      const n = wss.clients.size;
      for (const client of wss.clients) client.terminate();
      return n;
    },
    queueTimeout: () => [...chats.values()].filter((c) => c.timeout()).length,
    site: (settings: SiteSettings) => {
      site = settings;
      alternative = (settings.spellings ?? opts.spellings) === 'alternative';
    },
    holdOperators: (on: boolean) => {
      holding = on;
      if (!on) for (const chat of chats.values()) chat.release();
    },
    stall: (ms: number) => {
      stalledUntil = Date.now() + ms;
    },
    close: async () => {
      for (const chat of chats.values()) chat.quit();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
