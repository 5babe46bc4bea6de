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
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AGENT_ATTACHMENT, AGENT_LINES, SANDBOX_PNG, DEFAULT_AGENT, injectLists, ScriptedAgent, type AgentHost, type InjectPayload } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { readBody } from './read-body';

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

/** How many parameters each command takes, in the document's order. */
const ARITY: Record<string, number> = {
  connect: 7, hello: 10, message: 3, preview: 3, file: 4, dynamicfield: 4, starttyping: 1,
  stoptyping: 1, quit: 2, postchatsurvey: 5, transcript: 5, leavemessage: 9, getoperators: 2, getimage: 3,
};
/** Index of the Domain parameter (StartTyping/StopTyping carry none). */
const DOMAIN_PARAM: Record<string, number> = {
  hello: 1, message: 1, preview: 1, file: 1, dynamicfield: 1, quit: 1, postchatsurvey: 2,
  transcript: 2, leavemessage: 2, getoperators: 1, getimage: 1,
};
/** Index of the Chat Session ID parameter, for commands that carry one. */
const SESSION_PARAM: Record<string, number> = {
  hello: 4, message: 0, preview: 0, file: 0, dynamicfield: 0, starttyping: 0, stoptyping: 0,
  quit: 0, postchatsurvey: 1, transcript: 1, getoperators: 0, getimage: 0,
};

const FILE_TYPE_ERROR = 'You cannot upload files of this type.';
/** Where Parker's own client calls the Document Store (W2 file-menu.js). */
const SOAP_SERVICE = 'cannedresponseservice.asmx';
const MAX_UPLOAD = 5 * 1024 * 1024;

/**
 * Hello's tenth parameter, as the document ("Survey Fields", "Chat Sessions") defines it:
 * `<Fields><Field><Name>…</Name><Value>…</Value></Field>…</Fields>`, any field name (extra
 * fields "do not need to be setup in WhosOn"), but "field names must be unique". The names, or
 * what is wrong with the block. Empty is tolerated: the document does not say it is required.
 */
export function helloFields(xml: string): { names: string[] } | { problem: string } {
  if (xml === '') return { names: [] };
  const body = /^\s*<Fields>([\s\S]*)<\/Fields>\s*$/.exec(xml)?.[1];
  if (body === undefined) return { problem: 'the pre-chat survey is not a <Fields> block' };
  const names: string[] = [];
  const rest = body.replace(/\s*<Field>\s*<Name>([^<]*)<\/Name>\s*<Value>([^<]*)<\/Value>\s*<\/Field>\s*/g, (_, name: string) => {
    names.push(name);
    return '';
  });
  if (rest.trim()) return { problem: `the pre-chat survey has something that is not a <Field><Name/><Value/></Field>: ${rest.slice(0, 60)}` };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { problem: `the pre-chat survey names the field "${twice}" twice (names must be unique)` };
  return { names };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function field(name: string, type: string, prompt: string, extra: Record<string, unknown> = {}) {
  return {
    FieldName: name, FieldType: type, Enabled: true, Prompt: prompt, Length: 0, MultiLine: false,
    Lines: 0, Password: false, ChangeCase: 0, Mask: '', DefaultValue: '', DefaultDateToday: false,
    DefaultTimeToday: false, SelectType: '', ValidateLow: -1, ValidateHigh: -1, RequiredField: false,
    SelectOptions: [] as string[], HTML5Type: 'text', ...extra,
  };
}

type Injected = NonNullable<ReturnType<typeof injectLists>>;
const FIELD_TYPES = ['text', 'boolean', 'numeric', 'rating', 'date', 'email', 'phone', 'name'];

/**
 * The XSS injector's survey fields: every text in a label (three to a field, to stay under
 * the widget's 100-field bound), and every text once as an option of a drop-down or radio
 * list (100 to a list, the same bound).
 */
function injectedFields(inject: Injected, prefix: string) {
  const fields = [];
  for (let i = 0; i * 3 < inject.texts.length; i++) {
    const type = FIELD_TYPES[i % FIELD_TYPES.length] ?? 'text';
    fields.push(field(`${prefix}Label${i}`, type, inject.texts.slice(i * 3, i * 3 + 3).join(' '), { ValidateHigh: type === 'rating' ? 5 : -1 }));
  }
  for (let i = 0; i * 100 < inject.texts.length; i++) {
    fields.push(field(`${prefix}Options${i}`, 'select', `${prefix} options ${i + 1}`, {
      SelectType: i % 2 ? 'radio' : 'select', SelectOptions: inject.texts.slice(i * 100, i * 100 + 100),
    }));
  }
  return fields;
}

/**
 * The document's connected example, with this server's session, domain and web services.
 * With the XSS injector set, its HTML and text fields carry the hostile texts and its
 * forwarding URL the first hostile URL (leave-message off, so an offline visitor sees it).
 */
function connectedData(sessionId: string, domain: string, webServicesUrl: string, inject: Injected | null = null, preview = false) {
  const data = {
    SessionID: sessionId,
    Domain: domain,
    SiteName: 'My Company',
    UTCBias: 0,
    OpeningMessage:
      '<h3>Welcome</h3>Please enter your name and click the <b>Start Chat</b> button to begin<br><br>If we are available we will respond, if not please leave us a message.',
    ClosingMessage: 'Thank you for chatting to us today.',
    ForwardingURL: '',
    Layout: 'standard',
    Color: 'office',
    Lang: 'fr',
    Height: 550,
    Width: 470,
    OperatorPreview: preview,
    WebServicesURL: webServicesUrl,
    GeoIP: {
      IPAddress: '195.62.193.194', IsProxy: false, IsSatellite: false, PostCode: 'ST1', Latitude: 53.0278,
      Longitude: -2.1658, Radius: 20, ISP: 'Internet Central Limited', CountryISO: 'GB',
      CountryName: 'United Kingdom', City: 'Stoke-on-Trent', MetroCode: '', Organization: '',
      RegionName: 'England', RegionISO: 'ENG',
    },
    AllowedFileTypes: 'pdf, doc, docx, xls, xlsx, pptx, rtf, txt, jpg, gif, bmp, png, xml',
    PreChatSurvey: {
      Enabled: true,
      Fields: [
        field('VisitorName', 'name', 'Please enter your name:', { Length: 100, RequiredField: true }),
        field('Company', 'company', 'Please enter your company name:', { Length: 200, ChangeCase: 2 }),
      ],
    },
    PostChatSurvey: {
      Enabled: true,
      Fields: [
        field('Rating', 'rating', 'Please rate your chat experience:', { ValidateHigh: 5, HTML5Type: 'range' }),
        field('transEmail', 'text', 'Enter your email address to receive a transcript of this chat', {
          Length: 250, ValidateLow: 0, ValidateHigh: 0, HTML5Type: 'email',
        }),
        field('Mailing', 'boolean', 'Join our mailing list?', { DefaultValue: 'Y', HTML5Type: 'checkbox' }),
        field('FindMethod', 'select', 'How did you find us?', {
          SelectType: 'select', SelectOptions: ['Google', 'LinkedIn Ad', 'Twitter Ad'],
        }),
      ],
    },
    Translation: {
      Enabled: true,
      DefaultLanguage: 'en',
      Languages: [
        { ISO2: 'en', DisplayAs: 'English', Selected: false },
        { ISO2: 'fr', DisplayAs: 'French', Selected: false },
        { ISO2: 'de', DisplayAs: 'German', Selected: false },
      ],
      ShowLanguageSelector: false,
      ShowAsOverlay: false,
      ForceTranslation: false,
    },
    CallbackEnabled: true,
    LeaveMessageEnabled: true,
    VisitorSingleUseFiles: 0,
    ServerBuild: '19.1.385.800',
  };
  if (!inject) return data;
  return {
    ...data,
    OpeningMessage: inject.texts.join('\n'),
    ClosingMessage: inject.texts.join(' '),
    ForwardingURL: inject.urls[0] ?? '',
    LeaveMessageEnabled: false,
    PreChatSurvey: { Enabled: true, Fields: [...data.PreChatSurvey.Fields, ...injectedFields(inject, 'Pre')] },
    PostChatSurvey: { Enabled: true, Fields: [...data.PostChatSurvey.Fields, ...injectedFields(inject, 'Post')] },
  };
}

function operatorData(name: string, isBot: boolean, status: string) {
  return {
    Name: name, Email: 'howard@mycompany.com', Phone: '+441782822577', Dept: '',
    Skills: ['Sales', 'Marketing'], IsBot: isBot ? 'True' : 'False', Status: status, Lang: 'en',
  };
}

const chatUid = () => {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(10), (b) => abc[b % abc.length]).join('');
};

function clock(): string {
  const d = new Date();
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export interface WhosOnSimulatorHandle extends SimulatorHandle {
  flood(n: number, prefix: string): number;
  /** Fault hook: until `ms` from now, open sockets stay open but nothing goes in or out. */
  stall(ms: number): void;
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

/**
 * Site settings a test can change (what a WhosOn administrator sets in the Settings Portal):
 * extra survey fields (in the document's field shape, see `field`), the language selector,
 * and which spellings the server uses.
 */
export interface SiteSettings {
  prechat?: Record<string, unknown>[];
  postchat?: Record<string, unknown>[];
  showLanguageSelector?: boolean;
  spellings?: 'document' | 'alternative';
}

/** A survey field in the document's shape, every property given (for `site()`). */
export const surveyField = (name: string, type: string, prompt: string, extra: Record<string, unknown> = {}) => field(name, type, prompt, extra);

function withSite<T extends ReturnType<typeof connectedData>>(data: T, s: SiteSettings): T {
  if (!s.prechat && !s.postchat && s.showLanguageSelector === undefined) return data;
  return {
    ...data,
    PreChatSurvey: { ...data.PreChatSurvey, Fields: [...data.PreChatSurvey.Fields, ...(s.prechat ?? [])] },
    PostChatSurvey: { ...data.PostChatSurvey, Fields: [...data.PostChatSurvey.Fields, ...(s.postchat ?? [])] },
    Translation: { ...data.Translation, ShowLanguageSelector: s.showLanguageSelector ?? data.Translation.ShowLanguageSelector },
  };
}

/** The operator sees a visitor's preview at most this often; the latest text wins. */
const PREVIEW_THROTTLE_MS = 500;
/** Events kept for a chat whose socket is closed, delivered when it is re-attached. */
const MAX_BACKLOG = 500;
const NOT_AVAILABLE = (time: string) =>
  `No operators are available at this time. Operators may only be available during office hours. The time is currently ${time}.`;

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
  const documents = new Map<string, { mime: string; bytes: Buffer }>();
  let origin = '';
  let stalledUntil = 0;
  const stalled = () => Date.now() < stalledUntil;
  let holding = false;
  const violation = (what: string) => {
    violations.push(what);
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    // The widget uploads from the page's origin: the site's IIS would allow it (CORS).
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      return void res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, GET',
        'Access-Control-Allow-Headers': 'Content-Type, SOAPAction',
      }).end();
    }
    if (req.method === 'POST' && url.pathname === `/whosoncharts/${SOAP_SERVICE}`) return documentWrite(req, res);
    if (req.method === 'GET' && url.pathname === '/whosoncharts/document.aspx') {
      const doc = documents.get(url.searchParams.get('f') ?? '');
      if (!doc) return void res.writeHead(404).end();
      return void res
        .writeHead(200, { 'Content-Type': doc.mime, 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'attachment' })
        .end(doc.bytes);
    }
    res.writeHead(404).end();
  }

  /**
   * The Document Store as an ASMX SOAP 1.1 service (notes W2: Parker's DocumentWrite on
   * cannedresponseservice.asmx; the site method DocumentWriteForSite beside it). The result
   * is the document URL, or a text containing "Error" (what Parker's client checks for).
   */
  async function documentWrite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const soap = (status: number, inner: string) =>
      void res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
          `${inner}</soap:Body></soap:Envelope>`,
      );
    const fault = (why: string) => {
      violation(`DocumentWriteForSite: ${why}`);
      soap(500, `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${escapeHtml(why)}</faultstring></soap:Fault>`);
    };
    const result = (text: string) =>
      soap(200, `<DocumentWriteForSiteResponse xmlns="${KB}"><DocumentWriteForSiteResult>${escapeHtml(text)}</DocumentWriteForSiteResult></DocumentWriteForSiteResponse>`);
    const body = await readBody(req, MAX_UPLOAD * 2);
    const type = String(req.headers['content-type'] ?? '');
    const action = req.headers.soapaction;
    const params = body === null ? null : soapParams(body);
    received.push({
      at: Date.now(), channel: 'http', name: `POST /whosoncharts/${SOAP_SERVICE}`,
      payload: { contentType: type, soapAction: action ?? null, ...(params ? { ...params, Contents: `${params.Contents?.length ?? 0} base64 chars` } : {}) },
    });
    if (body === null) return fault('request too large');
    if (!/^text\/xml\b/i.test(type)) return fault(`Content-Type ${type.slice(0, 60)} is not text/xml (SOAP 1.1)`);
    // Parker's own client sends none; when one is sent, SOAP 1.1 wants it to name the method.
    if (action !== undefined && action !== `"${KB}DocumentWriteForSite"`) return fault(`SOAPAction ${String(action).slice(0, 80)}`);
    if (!params) return fault('no DocumentWriteForSite element in the kb namespace inside a SOAP 1.1 envelope');
    const bytes = Buffer.from(params.Contents ?? '', 'base64');
    if (!params.Contents || bytes.toString('base64') !== params.Contents.replace(/\s+/g, '')) return fault('Contents is not base64');
    if (params.Domain !== domain) return result('Error: access denied');
    if (!sessions.has(params.SessionID ?? '')) return result('Error: invalid session');
    const ext = /\.([a-z0-9]{1,10})$/i.exec(params.FileName ?? '')?.[1]?.toLowerCase() ?? '';
    if (!allowedTypes().includes(ext)) return result('Error: you cannot upload files of this type');
    if (bytes.length > (opts.maxUploadBytes ?? MAX_UPLOAD)) return result('Error: the file is too large');
    const id = `${randomBytes(20).toString('hex')}.${ext}`;
    documents.set(id, { mime: MIME[ext] ?? 'application/octet-stream', bytes });
    return result(`${origin}/whosoncharts/document.aspx?f=${id}`);
  }

  const wss = new WebSocketServer({ server, maxPayload: 256 * 1024 });
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    const connection = new Connection(socket);
    socket.on('message', (data, isBinary) => {
      if (!stalled()) connection.receive(isBinary ? null : data.toString());
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
          const c = new Chat(p[0] || 'Visitor', p[8] === 'true' ? (p[7] ?? '') : '');
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

  /**
   * One chat: it outlives its socket (W1: "that chat will still function if the connection is
   * closed and re-opened"). While no socket carries it, what it says is kept and delivered on
   * re-attach; after `reattachMs` without one it ends. Visitor lines are echoed once an
   * operator has joined; before that they wait (the document shows echoes in a running chat).
   */
  class Chat implements AgentHost {
    readonly uid = chatUid();
    conn: Connection | null = null;
    agent: ScriptedAgent | null = null;
    agentName = (opts.agent?.identity ?? DEFAULT_AGENT).name;
    accepted = false;
    over = false;
    private joined = false;
    private held: string[] = [];
    private backlog: [string, unknown][] = [];
    private waiting2Sent = false;
    private expiry: ReturnType<typeof setTimeout> | null = null;
    private lastPreview = 0;
    private previewTimer: ReturnType<typeof setTimeout> | null = null;

    constructor(
      private readonly visitor: string,
      private readonly translateTo: string,
    ) {
      chats.set(this.uid, this);
    }

    attach(conn: Connection): void {
      // A newer socket takes the chat over from an older one that has not closed yet.
      if (this.conn && this.conn !== conn) this.conn.chat = null;
      this.conn = conn;
      conn.chat = this;
      if (this.expiry) clearTimeout(this.expiry);
      this.expiry = null;
      const backlog = this.backlog;
      this.backlog = [];
      for (const [name, data] of backlog) conn.emit(name, data, this.uid);
    }

    detach(conn: Connection): void {
      if (this.conn !== conn) return;
      this.conn = null;
      if (this.over) return;
      this.expiry = setTimeout(() => this.quit(), reattachMs);
      this.expiry.unref?.();
    }

    emit(EventName: string, Data: unknown): void {
      if (this.over) return;
      if (this.conn && this.conn.socket.readyState === WebSocket.OPEN) return this.conn.emit(EventName, Data, this.uid);
      if (this.backlog.length < MAX_BACKLOG) this.backlog.push([EventName, Data]);
    }

    line(Classname: string, Content: string): void {
      this.emit('newline', alternative ? { ClassName: Classname, Content } : { Classname, Content });
    }

    start(): void {
      const agent = new ScriptedAgent(this, opts.agent && { ...opts.agent, chat: this.uid });
      if (!agent.isAvailable()) {
        // "the message to display or a forwarding URL": the XSS injector's URL, if set.
        const forward = injectLists(opts.agent)?.urls[0];
        this.emit('notaccepted', forward ?? NOT_AVAILABLE(clock()));
        this.over = true;
        return;
      }
      this.agent = agent;
      this.accepted = true;
      this.emit('accepted', 'Please wait. An operator will be with you shortly.');
      if (!holding) agent.start(this.visitor);
      else this.onHold = true;
    }

    /** holdOperators(false): the chat's queue starts moving. */
    release(): void {
      if (!this.onHold || this.over) return;
      this.onHold = false;
      this.agent?.start(this.visitor);
    }
    private onHold = false;

    visitorLine(text: string): void {
      if (/<\s*\/?\s*original/i.test(text)) violation('a visitor line carrying an <original> translation claim');
      if (this.joined) this.echo(text);
      else this.held.push(text);
      this.agent?.hear(text);
    }

    private echo(text: string): void {
      this.line('linesays', `${escapeHtml(this.visitor)} says:`);
      this.line('linev', text);
    }

    preview(text: string): void {
      const wait = this.lastPreview + PREVIEW_THROTTLE_MS - Date.now();
      const show = () => {
        this.lastPreview = Date.now();
        this.previewTimer = null;
        previews.push(this.pendingPreview);
      };
      this.pendingPreview = text;
      if (wait <= 0) return show();
      if (!this.previewTimer) {
        this.previewTimer = setTimeout(show, wait);
        this.previewTimer.unref?.();
      }
    }
    private pendingPreview = '';

    /** The queue's timeout passed (document: "A notaccepted event will be sent"). */
    timeout(): boolean {
      if (this.over || this.joined || !this.accepted) return false;
      this.emit('notaccepted', NOT_AVAILABLE(clock()));
      this.agent?.visitorLeft();
      this.over = true;
      return true;
    }

    quit(): void {
      this.agent?.visitorLeft();
      this.over = true;
      if (this.expiry) clearTimeout(this.expiry);
      if (this.previewTimer) clearTimeout(this.previewTimer);
    }

    /** Benchmark hook: n agent lines back to back, as a long conversation's history would arrive. */
    flood(n: number, prefix: string): boolean {
      if (this.over) return false;
      for (let i = 1; i <= n; i++) this.say(`${prefix} ${i} of ${n}: a line of ordinary length for a chat message.`);
      return true;
    }

    // --- AgentHost: the scripted agent speaks WhosOn through these ---

    queue(position: number, total: number): void {
      this.emit('queue', String(position));
      this.line('queuemessage', `Thank you for waiting. You are in position ${position} of ${total}.`);
    }

    waiting(kind: 'paging' | 'waiting1' | 'waiting2' | 'final', text: string): void {
      // The shared agent has one waiting line; WhosOn has a second before it gives up
      // (document: "The second 'waiting' message sent before an operator picks up the
      // chat"), so a chat reaching its page timeout gets that one just ahead of the final.
      if (kind === 'final' && !this.waiting2Sent) this.waiting('waiting2', AGENT_LINES.waiting2);
      if (kind === 'waiting2') this.waiting2Sent = true;
      const cls = { paging: 'pagingmessage', waiting1: 'lineo linewaiting1', waiting2: 'lineo linewaiting2', final: 'lineo final' }[kind];
      this.line(cls, escapeHtml(text));
    }

    join(agent: { name: string; isBot: boolean }): void {
      this.agentName = agent.name;
      this.emit('operatorjoined', operatorData(agent.name, agent.isBot, 'Online'));
      if (this.joined) return;
      this.joined = true;
      // The lines the visitor wrote while waiting reach the chat now, each echoed once.
      const held = this.held;
      this.held = [];
      for (const text of held) {
        this.echo(text);
        this.agent?.hear(text);
      }
    }

    typing(on: boolean): void {
      this.emit(on ? 'typing' : 'typingstop', '');
    }

    say(text: string, html?: string): void {
      this.line('linesays', `${escapeHtml(this.agentName)} says:`);
      this.line('lineo', html ?? escapeHtml(text));
      if (this.translateTo) this.line('linet', `[${escapeHtml(this.translateTo)}] ${escapeHtml(text)}`);
    }

    requestFile(types: string[]): void {
      this.emit('requestfile', types.join(', '));
    }

    /** The XSS injector: operators send files and links as HTML lines (no file event exists). */
    inject({ url }: InjectPayload): void {
      this.say(url, `<a href="${url}">link</a> <img src="${url}" alt="image"> <a href='${url}'>file</a>`);
    }

    requestField(f: { name: string; prompt: string; maxLength: number }): void {
      this.emit('requestfield', field(f.name, 'text', f.prompt, { Length: f.maxLength, ChangeCase: 1, ValidateLow: 0, ValidateHigh: 0 }));
    }

    end(): void {
      this.emit('quit', '');
      this.over = true;
    }

    /** The agent console: WhosOn's end by timeout is the queue's notaccepted (before a join). */
    readonly controls = {
      timeout: { label: 'Queue timed out', run: () => void (this.timeout() || this.agent?.finish('timeout')) },
      // WhosOn has no rating command: an operator asks for one as a dynamic survey field
      // ("requestfield", whose FieldType may be "rating"), shaped as the document's Rating field.
      rating: { label: 'Rating request', run: () => this.requestRatingField() },
    };

    private requestRatingField(): void {
      this.emit('requestfield', field('Rating', 'rating', 'Please rate your chat experience:', { ValidateHigh: 5, HTML5Type: 'range' }));
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

const KB = 'http://www.whoson.com/webservices/kb/';
const MIME: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', xml: 'application/xml',
};

function allowedTypes(): string[] {
  return connectedData('', '', '').AllowedFileTypes.split(',').map((s) => s.trim());
}

function renameKey<T extends Record<string, unknown>>(o: T, from: string, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k === from ? to : k] = v;
  return out;
}


const XML_TEXT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The parameters of a SOAP 1.1 DocumentWriteForSite call, or null when the envelope is not
 * one: the SOAP 1.1 envelope namespace, a Body, the method element in the kb namespace.
 * Simple element children only (what ASMX binds for string parameters).
 */
function soapParams(xml: string): Record<string, string> | null {
  if (!xml.includes('http://schemas.xmlsoap.org/soap/envelope/')) return null;
  const method = /<DocumentWriteForSite\s+xmlns="http:\/\/www\.whoson\.com\/webservices\/kb\/"\s*>([\s\S]*?)<\/DocumentWriteForSite>/.exec(xml);
  if (!method || !/<(\w+:)?Body>/.test(xml)) return null;
  const out: Record<string, string> = {};
  for (const m of (method[1] ?? '').matchAll(/<(\w+)>([^<]*)<\/\1>/g)) {
    out[m[1]!] = (m[2] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_TEXT[e] ?? '');
  }
  return out;
}
