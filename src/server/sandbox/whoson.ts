/**
 * WhosOn sandbox: a WebSocket chat server that follows shared/vendor-docs/whoson-chat-api.txt
 * to the letter (command names case-insensitive, parameter counts checked, the document's
 * event shapes and example texts), plus the Document Store on the same HTTP server:
 *
 *   POST /whosoncharts/DocumentWriteForSite  multipart: SessionID, Domain, FileName, File
 *        → 200 text/plain: the document URL (the shape our transport chose; the document
 *          does not give one — see src/transports/whoson/upload.ts)
 *   GET  /whosoncharts/document.aspx?f=<id>.<ext>  → the uploaded bytes
 *
 * Choices where the document is silent: DynamicField's "new chat line" is sent with the
 * class "linefield" (our transport shows unknown classes as system lines); when the Hello
 * asks for translation, each operator line is followed by a "linet" line. A chat whose page
 * timeout passes (the agent's `pageTimeoutMs`, set through the sandbox's tune hook) gets
 * "lineo linewaiting2" then "lineo final", and keeps waiting (an operator may still take it)
 * until the visitor sends Quit, as the document describes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { WebSocket, WebSocketServer } from 'ws';
import { AGENT_ATTACHMENT, AGENT_LINES, SANDBOX_PNG, DEFAULT_AGENT, injectLists, ScriptedAgent, type AgentHost, type InjectPayload } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

export interface WhosOnSimulatorOptions extends SimulatorOptions {
  auth?: string;
  domain?: string;
  apiKey?: string;
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
const MAX_UPLOAD = 5 * 1024 * 1024;

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
function connectedData(sessionId: string, domain: string, webServicesUrl: string, inject: Injected | null = null) {
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
    OperatorPreview: false,
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
  /** Fault hook: cut every widget's socket; the server stays up. */
  dropClients(): number;
}

export async function startWhosOnSimulator(opts: WhosOnSimulatorOptions = {}): Promise<WhosOnSimulatorHandle> {
  const auth = opts.auth ?? 'sandbox-auth';
  const domain = opts.domain ?? 'www.mycompany.com';
  const apiKey = opts.apiKey ?? 'sandbox-api-key';
  const host = opts.host ?? '127.0.0.1';
  const received: ReceivedFrame[] = [];
  const sessions = new Set<string>();
  const chats = new Set<{ flood(n: number, prefix: string): boolean }>();
  const documents = new Map<string, { mime: string; bytes: Buffer }>();
  let origin = '';
  let stalledUntil = 0;
  const stalled = () => Date.now() < stalledUntil;

  const server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    // The widget uploads from the page's origin.
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') return void res.writeHead(204, { 'Access-Control-Allow-Methods': 'POST, GET' }).end();
    if (req.method === 'POST' && url.pathname === '/whosoncharts/DocumentWriteForSite') {
      const form = await readMultipart(req);
      received.push({
        at: Date.now(), channel: 'http', name: 'POST /whosoncharts/DocumentWriteForSite',
        payload: { ...form.fields, file: form.file ? { name: form.file.name, size: form.file.bytes.length } : null },
      });
      const ext = /\.([a-z0-9]{1,10})$/i.exec(form.fields.FileName ?? '')?.[1]?.toLowerCase();
      if (!form.file || form.tooLarge || !ext || !sessions.has(form.fields.SessionID ?? '') || form.fields.Domain !== domain) {
        return void res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Invalid document');
      }
      const id = `${randomBytes(20).toString('hex')}.${ext}`;
      documents.set(id, { mime: form.file.mime || 'application/octet-stream', bytes: form.file.bytes });
      return void res
        .writeHead(200, { 'Content-Type': 'text/plain' })
        .end(`${origin}/whosoncharts/document.aspx?f=${id}`);
    }
    if (req.method === 'GET' && url.pathname === '/whosoncharts/document.aspx') {
      const doc = documents.get(url.searchParams.get('f') ?? '');
      if (!doc) return void res.writeHead(404).end();
      return void res
        .writeHead(200, { 'Content-Type': doc.mime, 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'attachment' })
        .end(doc.bytes);
    }
    res.writeHead(404).end();
  }

  const wss = new WebSocketServer({ server, maxPayload: 256 * 1024 });
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    const conversation = new Conversation(socket);
    socket.on('message', (data, isBinary) => {
      if (!stalled()) conversation.receive(isBinary ? null : data.toString());
    });
    socket.on('close', () => conversation.stop());
  });

  class Conversation implements AgentHost {
    private sessionId = '';
    private uid = '';
    private visitor = '';
    private translateTo = '';
    private agent: ScriptedAgent | null = null;
    private waiting2Sent = false;
    private agentName = (opts.agent?.identity ?? DEFAULT_AGENT).name;

    constructor(private readonly socket: WebSocket) {
      chats.add(this);
    }

    /** Benchmark hook: n agent lines back to back, as a long conversation's history would arrive. */
    flood(n: number, prefix: string): boolean {
      if (!this.uid) return false;
      for (let i = 1; i <= n; i++) this.say(`${prefix} ${i} of ${n}: a line of ordinary length for a chat message.`);
      return true;
    }

    stop(): void {
      chats.delete(this);
      this.agent?.visitorLeft();
      if (this.sessionId) sessions.delete(this.sessionId);
    }

    private emit(EventName: string, Data: unknown, ChatUid: string | null = this.uid || null): void {
      if (this.socket.readyState === WebSocket.OPEN && !stalled()) this.socket.send(JSON.stringify({ EventName, ChatUid, Data }));
    }

    private line(Classname: string, Content: string): void {
      this.emit('newline', { Classname, Content });
    }

    private error(message: string, close = false): void {
      this.emit('error', message);
      if (close) this.socket.close();
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
        return this.error('Invalid command.');
      }
      const params = f.Parameters === null ? [] : f.Parameters;
      received.push({ at: Date.now(), channel: 'ws', name: f.Command, payload: f.Parameters });
      const name = f.Command.toLowerCase();
      const arity = ARITY[name];
      if (arity === undefined) return this.error(`Unknown command: ${f.Command.slice(0, 40)}`);
      if (!Array.isArray(params) || params.length !== arity || !params.every((p) => typeof p === 'string')) {
        return this.error(`Invalid parameters for ${f.Command.slice(0, 40)}.`, !this.sessionId);
      }
      const p = params as string[];
      if (name === 'connect') return this.connect(p);
      if (!this.sessionId) return this.error('Not connected.');
      const sessionAt = SESSION_PARAM[name];
      // LeaveMessage may carry a blank session (no chat attempted); every other one must match.
      const sid = name === 'leavemessage' ? p[1] : sessionAt === undefined ? '' : p[sessionAt];
      if (sid && sid !== this.sessionId) return this.error('Invalid session.');
      const domainAt = DOMAIN_PARAM[name];
      if (domainAt !== undefined && p[domainAt] !== domain) return this.error('Access Denied');
      this.command(name, p);
    }

    private connect(p: string[]): void {
      if (this.sessionId) return this.error('Already connected.');
      if (p[0] !== auth || p[1] !== domain) return this.error('Access Denied', true);
      if (p[6] !== apiKey) return this.error('Invalid API key.', true);
      this.sessionId = randomUUID();
      sessions.add(this.sessionId);
      this.emit('connected', connectedData(this.sessionId, domain, `${origin}/whosoncharts/`, injectLists(opts.agent)), null);
    }

    private command(name: string, p: string[]): void {
      switch (name) {
        case 'hello': {
          if (this.uid) return this.error('A chat has already been started.');
          this.uid = chatUid();
          this.visitor = p[0] || 'Visitor';
          this.translateTo = p[8] === 'true' ? (p[7] ?? '') : '';
          const agent = new ScriptedAgent(this, opts.agent);
          if (!agent.isAvailable()) {
            // "the message to display or a forwarding URL": the XSS injector's URL, if set.
            const forward = injectLists(opts.agent)?.urls[0];
            if (forward !== undefined) return this.emit('notaccepted', forward);
            return this.emit(
              'notaccepted',
              `No operators are available at this time. Operators may only be available during office hours. The time is currently ${clock()}.`,
            );
          }
          this.agent = agent;
          this.emit('accepted', 'Please wait. An operator will be with you shortly.');
          return agent.start(this.visitor);
        }
        case 'message': {
          if (!this.uid) return this.error('No chat session.');
          const text = (p[2] ?? '').slice(0, 4000);
          this.line('linesays', `${escapeHtml(this.visitor)} says:`);
          this.line('linev', text);
          return this.agent?.hear(text);
        }
        case 'quit':
          this.agent?.visitorLeft();
          return;
        case 'postchatsurvey':
          return this.emit('acknowledged', '', '');
        case 'dynamicfield':
          return this.line('linefield', `${escapeHtml(p[2] ?? '')}: ${escapeHtml(p[3] ?? '')}`);
        case 'file': {
          const ext = /\.([a-z0-9]+)$/i.exec(p[2] ?? '')?.[1]?.toLowerCase() ?? '';
          const allowed = connectedData('', domain, '').AllowedFileTypes.split(',').map((s) => s.trim());
          if (!allowed.includes(ext)) return this.error(FILE_TYPE_ERROR);
          return;
        }
        case 'getoperators': {
          const available = this.agent ? this.agent.isAvailable() : (opts.agent?.available?.() ?? true);
          const first = operatorData(this.agentName, (opts.agent?.identity ?? DEFAULT_AGENT).isBot, available ? 'Online' : 'Away');
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
          // Preview, StartTyping, StopTyping, Transcript, LeaveMessage: recorded in `received`.
          return;
      }
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
    flood: (n: number, prefix: string) => {
      let count = 0;
      for (const chat of chats) if (chat.flood(n, prefix)) count++;
      return count;
    },
    dropClients: () => {
      for (const client of wss.clients) client.terminate();
      return wss.clients.size;
    },
    stall: (ms: number) => {
      stalledUntil = Date.now() + ms;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Multipart {
  fields: Record<string, string>;
  file: { name: string; mime: string; bytes: Buffer } | null;
  tooLarge: boolean;
}

function readMultipart(req: IncomingMessage): Promise<Multipart> {
  return new Promise((resolve, reject) => {
    const out: Multipart = { fields: {}, file: null, tooLarge: false };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: MAX_UPLOAD, files: 1, fields: 10, fieldSize: 4096 } });
    } catch (e) {
      return reject(e);
    }
    bb.on('field', (name, value) => {
      out.fields[name] = value;
    });
    const chunks: Buffer[] = [];
    bb.on('file', (name, stream, info) => {
      if (name === 'File') out.file = { name: info.filename ?? '', mime: info.mimeType, bytes: Buffer.alloc(0) };
      stream.on('data', (c: Buffer) => {
        if (name === 'File') chunks.push(c);
      });
      stream.on('limit', () => {
        out.tooLarge = true;
      });
    });
    bb.on('close', () => {
      if (out.file) out.file.bytes = Buffer.concat(chunks);
      resolve(out);
    });
    bb.on('error', reject);
    req.pipe(bb);
  });
}
