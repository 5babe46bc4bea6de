/**
 * ExpertFlow CX, the customer side of today's platform, as ExpertFlow's own customer code uses it
 * (E3 expertflow/customer-js-sdk src/index.ts, E4 expertflow/sdk-for-customer-facing-channels
 * index.js and README, E5 expertflow/chat-app web-widget, W ExpertFlow's Angular customer widget;
 * see notes/vendors-in-the-field.md). One loopback HTTP port carries:
 *
 *   GET  /widget-configs/{widgetIdentifier}   the widget configuration (E4 README's fields)
 *   GET  /forms/{id}                          the pre-chat form (W's form schema)
 *   POST /api/uploadFileStream                multipart `file` + `conversationId` → {name, type, size}
 *   GET  /api/downloadFileStream?filename=    the stored file
 *   socket.io 4 (auth {serviceIdentifier, channelCustomerIdentifier}): CHAT_REQUESTED, MESSAGE_RECEIVED
 *   (ack {code}), CHAT_RESUMED (ack {isChatAvailable, data}), CHAT_ENDED in; CHANNEL_SESSION_STARTED,
 *   MESSAGE_RECEIVED, CHANNEL_SESSION_ENDED / _EXPIRED, CHAT_ENDED, ERRORS out, and for the newer
 *   generation TOKEN_GENERATED, SESSION_REPLACED, CONVERSATION_RESUMED.
 *
 * The agent flow is CX's: a bot answers first with buttons (talk to an agent, opening hours: a
 * carousel), then the shared ScriptedAgent takes over as the human agent, joining by a
 * participant notification.
 *
 * Every frame that breaks what the sources show is written to `violations` (tests assert none).
 * Where the sources are silent this server is strict: it reads only what ExpertFlow's clients send,
 * and wants every field they always send. Choices of ours where they are silent:
 * - the participant notification types AGENT_SUBSCRIBED / AGENT_UNSUBSCRIBED (W reads only their data);
 * - wait lines are NOTIFICATION lines with text (CX's customer side has no queue position);
 * - the newer generation's token is `{token}` (a HS256 JWT), required as Bearer on uploads, and
 *   CONVERSATION_RESUMED follows a successful CHAT_RESUMED;
 * - a customer's CHAT_ENDED is answered with CHAT_ENDED (E3 disconnects on it).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { AGENT_ATTACHMENT, SANDBOX_PNG, ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { allowLoopbackCors, LOOPBACK_ORIGIN } from './loopback-cors';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const CX_SERVICE = '5155';
export const CX_WIDGET = 'web';
export const CX_FORM_ID = '67e639de74315a03beb7b06f';
export const CX_BOT = { id: 'bot-1', name: 'Expertflow Bot' };
export const CX_AGENT = { id: 'agent-1', username: 'alex.morgan', firstName: 'Alex', lastName: 'Morgan' };

/** The pre-chat form, in W's form schema. */
export const CX_FORM = {
  id: CX_FORM_ID,
  formTitle: 'Start a chat',
  formDescription: 'Tell us who you are.',
  sections: [
    {
      _id: 's1',
      sectionName: 'Contact',
      attributes: [
        { _id: 'a1', key: 'name', label: 'Your name', valueType: 'shortAnswer', attributeType: 'INPUT', isRequired: true },
        { _id: 'a2', key: 'phone', label: 'Phone number', valueType: 'phoneNumber', attributeType: 'INPUT', isRequired: true },
        {
          _id: 'a3',
          key: 'topic',
          label: 'Topic',
          valueType: 'dropdown',
          attributeType: 'OPTIONS',
          isRequired: false,
          attributeOptions: { attributeData: [{ values: [{ label: 'Billing', value: 'billing' }, { label: 'Internet', value: 'internet' }] }] },
        },
      ],
    },
  ],
};

/** E4's file-name rule: "Only underscore, hyphen and space are allowed in file name." */
const FILE_NAME = /^[\w\- ]{1,120}(\.[A-Za-z0-9]{1,8})?$/;
const MAX_UPLOAD = 5 * 1024 * 1024;

export interface CxSimulatorOptions extends SimulatorOptions {
  /** 'newer' (default): TOKEN_GENERATED, SESSION_REPLACED, CONVERSATION_RESUMED; 'older': E3/E4 only. */
  generation?: 'newer' | 'older';
}

interface Conversation {
  id: string;
  cid: string;
  customerId: string;
  history: Obj[];
  state: 'bot' | 'agent' | 'ended';
  agent?: ScriptedAgent;
  token?: string;
  /** Ids of the bot's BUTTON and CAROUSEL messages: what a button answer may name. */
  prompts: Set<string>;
  visitorName: string;
}

export interface CxSimulatorHandle extends SimulatorHandle {
  violations: string[];
  /** The next CHAT_REQUESTED answers ERRORS with this code (W: 400, 408, 500). */
  failNextStart(code?: number): void;
  /** Cut every customer's socket from the server side ('io server disconnect'). */
  dropClients(): number;
  /** Every open chat's channel session expires now. */
  expireAll(): number;
  /** The agent ends every open chat now. */
  endAll(): number;
  conversations: Map<string, Conversation>;
}

function parseMultipart(body: Buffer, type: string): Map<string, { filename?: string; mime?: string; data: Buffer }> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return null;
  const out = new Map<string, { filename?: string; mime?: string; data: Buffer }>();
  const delim = Buffer.from(`--${b}`);
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) return null;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return null;
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name !== undefined) {
      const entry: { filename?: string; mime?: string; data: Buffer } = { data: part.subarray(split + 4) };
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      if (filename !== undefined) entry.filename = filename;
      const mime = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      if (mime) entry.mime = mime.trim();
      out.set(name, entry);
    }
    at = next;
  }
  return out;
}

export async function startCxSimulator(opts: CxSimulatorOptions = {}): Promise<CxSimulatorHandle> {
  const generation = opts.generation ?? 'newer';
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  /** `chat`: the conversation's id where the socket has one (the agent console's inspector). */
  const record = (channel: string, name: string, payload: unknown, chat?: string) =>
    received.push({ at: Date.now(), channel, name, payload, ...(chat ? { chat } : {}) });
  const violation = (what: string) => violations.push(what);
  const conversations = new Map<string, Conversation>();
  const files = new Map<string, { mime: string; data: Buffer }>();
  const secret = randomBytes(16);
  const startFailures: number[] = [];
  let base = '';

  const byCid = (cid: string) => [...conversations.values()].find((c) => c.cid === cid && c.state !== 'ended');
  const room = (cid: string) => `customer:${cid}`;

  function jwt(c: Conversation): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: c.cid, conversationId: c.id, iat: Math.floor(Date.now() / 1000) })}`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  }

  function cim(c: Conversation, sender: Obj, body: Obj, header: Obj = {}): Obj {
    return {
      id: randomUUID(),
      header: {
        channelData: { channelCustomerIdentifier: c.cid, serviceIdentifier: CX_SERVICE },
        conversationId: c.id,
        customer: { _id: c.customerId },
        timestamp: Date.now(),
        sender,
        intent: null,
        originalMessageId: null,
        ...header,
      },
      body,
    };
  }

  const botSender = { id: CX_BOT.id, type: 'BOT', senderName: CX_BOT.name, additionalDetail: null };
  const agentSender = (name = CX_AGENT.username) => ({
    id: CX_AGENT.id,
    type: 'AGENT',
    senderName: name,
    additionalDetail: { firstName: CX_AGENT.firstName, lastName: CX_AGENT.lastName, username: name },
  });
  const systemSender = { id: 'system', type: 'SYSTEM', senderName: 'System', additionalDetail: null };

  function deliver(c: Conversation, m: Obj, keep = true): void {
    if (keep) c.history.push(m);
    agentOptions.desk?.sent('socket.io', 'MESSAGE_RECEIVED', m, c.id);
    io.to(room(c.cid)).emit('MESSAGE_RECEIVED', m);
  }

  function botButtons(c: Conversation): void {
    const m = cim(c, botSender, {
      type: 'BUTTON',
      markdownText: 'Hi! I am the Expertflow assistant. How can I help you?',
      buttons: [
        { title: 'Talk to an agent', payload: '/talk_to_agent', type: 'postback' },
        { title: 'Opening hours', payload: '/opening_hours{"branch":"main"}', type: 'postback' },
      ],
      additionalDetails: { interactive: { type: 'button' } },
    });
    c.prompts.add(str(m.id)!);
    deliver(c, m);
  }

  function participant(c: Conversation, type: string, name: string): Obj {
    return cim(c, systemSender, {
      type: 'NOTIFICATION',
      markdownText: '',
      notificationType: type,
      notificationData: {
        data: {
          agentParticipant: {
            participant: { type: 'AGENT', keycloakUser: { firstName: name.split(' ')[0], lastName: name.split(' ').slice(1).join(' '), username: CX_AGENT.username } },
          },
        },
      },
    });
  }

  function hostFor(c: Conversation): AgentHost {
    let name = `${CX_AGENT.firstName} ${CX_AGENT.lastName}`;
    return {
      queue: () => undefined, // CX tells the customer no queue position
      waiting: (kind, text) => {
        if (kind === 'final') {
          deliver(c, cim(c, systemSender, { type: 'NOTIFICATION', notificationType: 'NO_AGENT_AVAILABLE', markdownText: text }));
          return endChat(c, 'CHANNEL_SESSION_ENDED');
        }
        deliver(c, cim(c, systemSender, { type: 'NOTIFICATION', notificationType: 'QUEUE_UPDATE', markdownText: text }), false);
      },
      join: (identity) => {
        name = identity.name;
        c.state = 'agent';
        deliver(c, participant(c, 'AGENT_SUBSCRIBED', name));
      },
      typing: (on) => {
        if (on) deliver(c, cim(c, agentSender(), { type: 'NOTIFICATION', markdownText: '', notificationType: 'TYPING_STARTED' }), false);
      },
      say: (text) => deliver(c, cim(c, agentSender(), { type: 'PLAIN', markdownText: text })),
      sendAttachment: (file) => {
        const stored = `${randomBytes(3).toString('hex')}_${file.name}`;
        files.set(stored, { mime: file.mime, data: Buffer.from(file.bytes) });
        const mediaUrl = file.url ?? `${base}/api/downloadFileStream?filename=${encodeURIComponent(stored)}`;
        const major = file.mime.split('/')[0];
        const media = major === 'image' || major === 'video' || major === 'audio';
        deliver(
          c,
          cim(c, agentSender(), {
            type: media ? major!.toUpperCase() : 'FILE',
            markdownText: '',
            caption: media ? file.name : '',
            additionalDetails: media ? {} : { fileName: file.name },
            attachment: { mediaUrl, type: file.mime, size: file.bytes.length, extType: file.name.split('.').pop(), mimeType: file.mime },
          }),
        );
      },
      end: (by) => {
        deliver(c, participant(c, 'AGENT_UNSUBSCRIBED', name));
        endChat(c, by === 'timeout' ? 'CHANNEL_SESSION_EXPIRED' : 'CHANNEL_SESSION_ENDED');
      },
    };
  }

  function endChat(c: Conversation, event: string): void {
    if (c.state === 'ended') return;
    c.state = 'ended';
    c.agent?.visitorLeft();
    agentOptions.desk?.sent('socket.io', event, { conversationId: c.id, reason: event }, c.id);
    io.to(room(c.cid)).emit(event, { conversationId: c.id, reason: event });
  }

  function toAgent(c: Conversation, visitorName: string): void {
    if (c.agent) return;
    deliver(c, cim(c, botSender, { type: 'PLAIN', markdownText: 'Let me connect you to one of our agents.' }));
    const agent = new ScriptedAgent(hostFor(c), { ...agentOptions, chat: c.id });
    c.agent = agent;
    if (!agent.isAvailable()) {
      deliver(c, cim(c, botSender, { type: 'PLAIN', markdownText: 'Sorry, no agent is available right now. Please try again later.' }));
      return endChat(c, 'CHANNEL_SESSION_ENDED');
    }
    agent.start(visitorName);
  }

  /** W's WebChannelData, every part it always sends. */
  function checkRequest(p: Obj | null, cid: string): string | null {
    if (!p) return 'CHAT_REQUESTED without a payload';
    if (p.channelCustomerIdentifier !== cid) return 'CHAT_REQUESTED for another channelCustomerIdentifier than the socket auth';
    if (p.serviceIdentifier !== CX_SERVICE) return 'CHAT_REQUESTED for an unknown serviceIdentifier';
    const attrs = Array.isArray(p.additionalAttributes) ? p.additionalAttributes.map(obj) : [];
    const wcd = attrs.find((a) => a?.key === 'WebChannelData');
    if (!wcd || wcd.type !== 'WebChannelData') return 'CHAT_REQUESTED without the WebChannelData attribute';
    // E3's chatRequest sends WebChannelData alone (its AdditionalAttributesData value is WebChannelData).
    if (attrs.length !== 1) return 'CHAT_REQUESTED with additionalAttributes besides WebChannelData';
    const v = obj(wcd.value);
    if (!v || !obj(v.browserDeviceInfo) || typeof v.queue !== 'string' || !obj(v.locale)) return 'WebChannelData lacks browserDeviceInfo, queue or locale';
    const form = obj(v.formData);
    if (!form || !Array.isArray(form.attributes) || typeof form.filledBy !== 'string') return 'WebChannelData.formData is not {formId, filledBy, attributes, …}';
    // E4 README's customer data payload: each attribute is {key, value, type} ('string').
    for (const a of form.attributes.map(obj)) {
      if (!a || typeof a.key !== 'string' || !a.key) return 'formData attribute without a key';
      if (typeof a.type !== 'string' || a.value === undefined || a.value === null) return `formData attribute "${a.key.slice(0, 64)}" without a value and type`;
    }
    return null;
  }

  function customerLine(c: Conversation, p: Obj): Obj | string {
    const header = obj(p.header);
    const body = obj(p.body);
    if (!header || !body) return 'MESSAGE_RECEIVED without header or body';
    const sender = obj(header.sender);
    if (!sender || str(sender.type)?.toUpperCase() !== 'CUSTOMER') return 'MESSAGE_RECEIVED whose sender is not a CUSTOMER';
    const type = str(body.type)?.toUpperCase() ?? '';
    if (str(p.type)?.toUpperCase() !== type) return `MESSAGE_RECEIVED type ${String(p.type)} differs from body.type ${type}`;
    if (type === 'PLAIN') {
      if (typeof body.markdownText !== 'string' || !body.markdownText.trim()) return 'PLAIN line without markdownText';
    } else if (['FILE', 'IMAGE', 'VIDEO', 'AUDIO'].includes(type)) {
      const a = obj(body.attachment);
      const url = str(a?.mediaUrl) ?? '';
      const m = /\/api\/downloadFileStream\?filename=([^&]+)$/.exec(url);
      if (!a || !url.startsWith(base) || !m || !files.has(decodeURIComponent(m[1]!))) return `${type} line whose mediaUrl is not a file on this file server`;
      if (typeof a.mimeType !== 'string' || typeof a.size !== 'number') return `${type} attachment without mimeType or size`;
      if (type === 'FILE' && !str(obj(body.additionalDetails)?.fileName)) return 'FILE line without additionalDetails.fileName';
    } else return `MESSAGE_RECEIVED of type ${type}, which a customer does not send as a line`;
    if (!obj(p.customer)) return 'MESSAGE_RECEIVED without the customer data';
    return cim(c, { ...sender, id: c.customerId }, body, {
      intent: header.intent ?? null,
      entities: header.entities ?? {},
      originalMessageId: header.originalMessageId ?? null,
      additionalData: header.additionalData ?? {},
    });
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UPLOAD) return json(res, 413, { statusCode: 413, message: 'Request Entity Too Large' });
      chunks.push(chunk as Buffer);
    }
    const auth = req.headers.authorization ?? '';
    const tokens = new Set([...conversations.values()].map((c) => c.token).filter(Boolean));
    record('http', 'POST /api/uploadFileStream', { authorization: auth ? auth.replace(/\.[^.]+$/, '.…') : '', bytes: size });
    if (generation === 'newer' && !tokens.has(auth.replace(/^Bearer /, ''))) {
      violation('upload without the Bearer token the server generated');
      return json(res, 401, { message: 'Unauthorized' });
    }
    const parts = parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
    const file = parts?.get('file');
    if (!parts || !file?.filename) {
      violation('upload that is not multipart with a file part');
      return json(res, 400, { message: 'file is required' });
    }
    if (!parts.has('conversationId')) violation('upload without conversationId');
    if (!FILE_NAME.test(file.filename)) return json(res, 400, { message: 'The file name contains special characters.' });
    const mime = file.mime ?? 'application/octet-stream';
    files.set(file.filename, { mime, data: file.data });
    json(res, 200, { name: file.filename, type: mime, size: file.data.length });
  }

  function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const http = createServer((req, res) => {
    allowLoopbackCors(req, res, 'content-type, authorization');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return void res.end();
    }
    const url = new URL((req.url ?? '/').slice(0, 2048), 'http://sandbox');
    const path = url.pathname;
    if (req.method === 'GET' && path.startsWith('/widget-configs/')) {
      record('http', `GET ${path}`, null);
      if (decodeURIComponent(path.slice(16)) !== CX_WIDGET) return json(res, 404, { message: 'widget configuration not found' });
      return json(res, 200, {
        widgetIdentifier: CX_WIDGET,
        title: 'Expertflow',
        subTitle: 'Cx',
        theme: '#2889e9',
        enableFontResize: true,
        enableEmoji: true,
        enableFileTransfer: true,
        enableDynamicLink: false,
        enableDownloadTranscript: false,
        customerReconnectTime: 0,
        language: { code: 'en' },
        form: CX_FORM_ID,
        webRtc: null,
        callback: null,
        webhook: null,
      });
    }
    if (req.method === 'GET' && path.startsWith('/forms/')) {
      record('http', `GET ${path}`, null);
      return decodeURIComponent(path.slice(7)) === CX_FORM_ID ? json(res, 200, CX_FORM) : json(res, 404, { message: 'form not found' });
    }
    if (req.method === 'POST' && path === '/api/uploadFileStream') {
      return void upload(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
        else res.end();
      });
    }
    if (req.method === 'GET' && path === '/api/downloadFileStream') {
      const f = files.get(url.searchParams.get('filename') ?? '');
      if (!f) return json(res, 404, { message: 'file not found' });
      res.writeHead(200, { 'content-type': f.mime, 'content-length': f.data.length });
      return void res.end(f.data);
    }
    json(res, 404, { message: 'Not Found' });
  });

  const io = new Server(http, {
    cors: { origin: (o: string | undefined, cb: (err: Error | null, ok?: boolean) => void) => cb(null, !o || LOOPBACK_ORIGIN.test(o)) },
    maxHttpBufferSize: 256 * 1024,
  });

  // E3/E4 establishConnection: the customer is known by its auth from the first packet.
  io.use((socket, next) => {
    const auth = obj(socket.handshake.auth);
    record('socket.io', 'handshake', auth);
    if (str(auth?.serviceIdentifier) !== CX_SERVICE || !str(auth?.channelCustomerIdentifier)?.trim()) {
      violation('socket without auth {serviceIdentifier, channelCustomerIdentifier}');
      return next(new Error('unauthorized'));
    }
    next();
  });

  io.on('connection', (socket: Socket) => {
    const cid = str(obj(socket.handshake.auth)?.channelCustomerIdentifier)!;
    if (generation === 'newer') {
      // One socket per customer: an older one (another tab) is told, then cut.
      for (const other of io.sockets.sockets.values()) {
        if (other !== socket && other.data.cid === cid) {
          other.emit('SESSION_REPLACED', { reason: 'A new connection was established for this customer.' });
          other.disconnect(true);
        }
      }
    }
    socket.data.cid = cid;
    void socket.join(room(cid));

    socket.on('CHAT_REQUESTED', (p: unknown) => {
      record('socket.io', 'CHAT_REQUESTED', p, byCid(cid)?.id);
      const problem = checkRequest(obj(p), cid);
      if (problem) {
        violation(problem);
        return void socket.emit('ERRORS', { task: 'CHAT_REQUESTED', code: 400, description: 'BAD REQUEST', message: problem });
      }
      const failure = startFailures.shift();
      if (failure) return void socket.emit('ERRORS', { task: 'CHAT_REQUESTED', code: failure, description: 'Unable to process the request' });
      // A customer with a chat still open (another browser, a cleared tab) is put back into it:
      // W sends CHAT_REQUESTED whenever it has no stored chat, so this is no client error.
      let c = byCid(cid);
      if (!c) {
        c = { id: randomBytes(12).toString('hex'), cid, customerId: randomBytes(12).toString('hex'), history: [], state: 'bot', visitorName: '', prompts: new Set() };
        conversations.set(c.id, c);
      }
      const v = obj(obj((obj(p)!.additionalAttributes as unknown[])[0])?.value);
      const answers = (obj(v?.formData)?.attributes as Obj[]) ?? [];
      const visitorName = str(answers.find((a) => a.key === 'name')?.value) ?? '';
      socket.emit('CHANNEL_SESSION_STARTED', cim(c, systemSender, { type: 'NOTIFICATION', notificationType: 'CHANNEL_SESSION_STARTED', markdownText: '' }));
      if (generation === 'newer') {
        c.token = jwt(c);
        socket.emit('TOKEN_GENERATED', { token: c.token });
      }
      const conv = c;
      if (!conv.history.length) setTimeout(() => conv.state === 'bot' && botButtons(conv), 50 * (agentOptions.delayScale ?? 1));
      c.visitorName = visitorName;
    });

    socket.on('MESSAGE_RECEIVED', (p: unknown, ack?: unknown) => {
      record('socket.io', 'MESSAGE_RECEIVED', p, byCid(cid)?.id);
      const reply = (code: number) => (typeof ack === 'function' ? (ack as (r: unknown) => void)({ code }) : undefined);
      if (typeof ack !== 'function') violation('MESSAGE_RECEIVED without an ack callback');
      const body = obj(p);
      const c = byCid(cid);
      if (!body || !c) {
        violation('MESSAGE_RECEIVED with no active chat');
        return reply(404);
      }
      const type = str(obj(body.body)?.type)?.toUpperCase();
      if (type === 'NOTIFICATION' || type === 'DELIVERYNOTIFICATION') {
        if (type === 'NOTIFICATION' && str(obj(body.body)?.notificationType) !== 'TYPING_STARTED') violation('customer NOTIFICATION other than TYPING_STARTED');
        return reply(200);
      }
      const line = customerLine(c, body);
      if (typeof line === 'string') {
        violation(line);
        return reply(400);
      }
      reply(200);
      deliver(c, line);
      const text = str(obj(line.body)?.markdownText) ?? '';
      const header = obj(line.header)!;
      const name = c.visitorName;
      if (c.state === 'bot') {
        if (header.originalMessageId && !c.prompts.has(str(header.originalMessageId) ?? '')) violation('a button answer naming a message that is not a bot prompt');
        if (header.intent === 'opening_hours') {
          if (JSON.stringify(header.entities) !== JSON.stringify({ branch: 'main' })) violation('button payload entities not split off as W does');
          deliver(c, cim(c, botSender, { type: 'PLAIN', markdownText: 'We are open 9:00 to 17:00, Monday to Friday.' }));
          const carousel = cim(c, botSender, {
              type: 'CAROUSEL',
              markdownText: '',
              elements: [
                {
                  text: 'Our shop in the city centre.',
                  buttons: [{ title: 'Talk to an agent', payload: '/talk_to_agent', type: 'postback' }],
                  additionalCarouselElementDetails: { id: 'card-1', title: 'Main branch', image_url: `data:image/png;base64,${SANDBOX_PNG}` },
                },
              ],
            });
          c.prompts.add(str(carousel.id)!);
          return deliver(c, carousel);
        }
        return toAgent(c, name);
      }
      // A file reaches the agent as its name (a name with "file" in it would ask for another).
      const lineBody = obj(line.body)!;
      c.agent?.hear(text || `got ${str(lineBody.caption) || str(obj(lineBody.additionalDetails)?.fileName) || 'it'}`);
    });

    socket.on('CHAT_RESUMED', (p: unknown, ack?: unknown) => {
      record('socket.io', 'CHAT_RESUMED', p, byCid(cid)?.id);
      const body = obj(p);
      if (body?.channelCustomerIdentifier !== cid || body.serviceIdentifier !== CX_SERVICE) violation('CHAT_RESUMED for another customer than the socket auth');
      if (typeof ack !== 'function') return void violation('CHAT_RESUMED without an ack callback');
      const c = byCid(cid);
      (ack as (r: unknown) => void)(c ? { isChatAvailable: true, data: c.history } : { isChatAvailable: false, data: [] });
      if (c && generation === 'newer') {
        socket.emit('CONVERSATION_RESUMED', { history: c.history });
        if (c.token) socket.emit('TOKEN_GENERATED', { token: c.token });
      }
    });

    socket.on('CHAT_ENDED', (p: unknown) => {
      record('socket.io', 'CHAT_ENDED', p, byCid(cid)?.id);
      const body = obj(p);
      if (body?.channelCustomerIdentifier !== cid) violation('CHAT_ENDED without the customer data');
      const c = byCid(cid);
      if (!c) return;
      c.state = 'ended';
      c.agent?.visitorLeft();
      socket.emit('CHAT_ENDED', { conversationId: c.id, reason: 'CUSTOMER' });
    });

    socket.onAny((event: string, p: unknown) => {
      if (!['CHAT_REQUESTED', 'MESSAGE_RECEIVED', 'CHAT_RESUMED', 'CHAT_ENDED'].includes(event)) {
        record('socket.io', event, p, byCid(cid)?.id);
        violation(`unknown event ${event}`);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  const open = () => [...conversations.values()].filter((c) => c.state !== 'ended');
  return {
    vendor: 'expertflow-cx',
    url: base,
    options: { serviceIdentifier: CX_SERVICE, widgetIdentifier: CX_WIDGET },
    received,
    violations,
    conversations,
    failNextStart(code = 500) {
      startFailures.push(code);
    },
    dropClients() {
      const n = io.sockets.sockets.size;
      io.disconnectSockets();
      return n;
    },
    expireAll() {
      const list = open();
      for (const c of list) endChat(c, 'CHANNEL_SESSION_EXPIRED');
      return list.length;
    },
    endAll() {
      const list = open();
      for (const c of list) {
        if (c.agent) c.agent.finish('agent');
        else endChat(c, 'CHANNEL_SESSION_ENDED');
      }
      return list.length;
    },
    async close() {
      for (const c of conversations.values()) c.agent?.stop();
      const done = new Promise<void>((resolve) => void io.close(() => resolve()));
      http.closeAllConnections();
      await done;
    },
  };
}

export { AGENT_ATTACHMENT };
