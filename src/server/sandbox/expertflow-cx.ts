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
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { AGENT_ATTACHMENT, SANDBOX_PNG, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { LOOPBACK_ORIGIN } from './loopback-cors';
import { CX_SERVICE, CX_WIDGET, type CxConversation } from './expertflow-cx-data';
import { cxRules } from './expertflow-cx-conversation';
import { cxHttp } from './expertflow-cx-http';
import { obj, str, type Obj } from './obj';

export { CX_AGENT, CX_BOT, CX_FORM, CX_FORM_ID, CX_SERVICE, CX_WIDGET } from './expertflow-cx-data';

export interface CxSimulatorOptions extends SimulatorOptions {
  /** 'newer' (default): TOKEN_GENERATED, SESSION_REPLACED, CONVERSATION_RESUMED; 'older': E3/E4 only. */
  generation?: 'newer' | 'older';
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
  conversations: Map<string, CxConversation>;
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
  const conversations = new Map<string, CxConversation>();
  const files = new Map<string, { mime: string; data: Buffer }>();
  const startFailures: number[] = [];
  let base = '';

  const byCid = (cid: string) => [...conversations.values()].find((c) => c.cid === cid && c.state !== 'ended');
  const room = (cid: string) => `customer:${cid}`;
  const { jwt, cim, botSender, systemSender, deliver, botButtons, endChat, toAgent, checkRequest, customerLine } = cxRules({
    agentOptions,
    files,
    base: () => base,
    emit: (cid, event, payload) => void io.to(room(cid)).emit(event, payload),
  });
  const http = createServer(
    cxHttp({ generation, files, tokens: () => new Set([...conversations.values()].map((c) => c.token).filter(Boolean)), record, violation }),
  );

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
