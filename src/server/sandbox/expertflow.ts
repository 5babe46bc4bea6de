/**
 * ExpertFlow chat server, as the Customer Channel API document describes it: REST
 * (`POST /api/customer/init`, `GET /api/customer/transcript/{id}/{pdf|email}`) and the real
 * socket.io Server on one loopback HTTP port, driven by the shared ScriptedAgent.
 *
 * Conversations live in an `ExpertFlowStore` that may outlive the server: stop the
 * simulator, start it again on the same port with the same store, and the conversation
 * (history, participants, the agent at the desk) is still there, as after a restart of
 * the vendor's socket front-end. While no server runs, the agent's lines go to history
 * only and reach the widget through `conversationInfo` when it rejoins.
 *
 * Which socket.io: `socketio: 4` (default) runs socket.io 4; `socketio: 2` runs the real
 * socket.io 2.5.1 server (npm alias `socket.io-v2`, Engine.IO 3), the generation the
 * document's 2018 servers ran. Everything else is the same on both.
 *
 * What goes on the wire is what the document shows: Participant objects are `{ id, name }`,
 * `handOff` and `noAgentAvailable` carry an empty `info`, the `greetings` activity no text.
 * Extras a real server may add, which the transport reads when present, are sent only when a
 * test asks (`extras`): `queue` (`handOff.info: { position, total }`), `text` (wait, greeting
 * and no-agent lines in `info.text`; `endOfConversation.info.reason`), `type` (participant
 * `type: customer|agent|bot`).
 *
 * Flows: agent-first (the request is handed off at once, the scripted agent joins), or with
 * `bot` on, bot-first: a bot participant greets and answers; the visitor asking for a person
 * ("agent", "human", "person") makes it hand off, then the scripted agent joins, or, when no
 * agent is available, `noAgentAvailable` follows the bot's lines.
 *
 * Choices where the document is silent:
 * - `noAgentAvailable` does not end the conversation: it stays open (the bot holds it) until
 *   the customer's `endConversation`, the strictest reading of "currently no agents".
 * - the agent's typing is a `typing` activity (no "stopped" exists: the widget times it out).
 * - the email transcript answers 200 with an empty body, as documented, and is "mailed" to
 *   the address given at init; the transcript URL takes no parameters.
 *
 * Frames that break the document's rules are listed in `violations` (tests assert none).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import createV2Server from 'socket.io-v2';
import { ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { readBody } from './read-body';
import { allowLoopbackCors, LOOPBACK_ORIGIN } from './loopback-cors';

type Obj = Record<string, unknown>;

export interface WireParticipant {
  id: string;
  name: string;
  type: 'customer' | 'agent' | 'bot';
}

/** Undocumented fields a real server may add; sent only when a test asks for them. */
export type ExpertFlowExtra = 'queue' | 'text' | 'type';

export interface ExpertFlowConversation {
  id: string;
  requestId: string;
  customer: WireParticipant;
  /** The init request body as received. */
  init: Obj;
  participants: WireParticipant[];
  /** Every ChatMessage and lasting ActivityMessage, as sent on the wire (what conversationInfo returns). */
  history: Obj[];
  state: 'new' | 'active' | 'ended';
  agent?: ScriptedAgent;
  /** Bot-first: the bot holds the conversation until it hands off. */
  bot?: { participant: WireParticipant; handedOff: boolean; timers: Set<ReturnType<typeof setTimeout>> };
}

/** Conversations and pending test switches; pass the same store to a restarted simulator. */
export class ExpertFlowStore {
  readonly conversations = new Map<string, ExpertFlowConversation>();
  /** HTTP statuses the next init requests answer with (e.g. [503]) before succeeding again. */
  readonly initFailures: number[] = [];
  /** Transcript emails "sent": the conversation and the address given at init (none: ''). */
  readonly emails: Array<{ conversationId: string; to: string }> = [];
  /** Frames that broke the document's rules, as readable lines (tests assert none). */
  readonly violations: string[] = [];
  /** New conversations start with a bot (read at each join of a new conversation). */
  bot = false;
  /** Undocumented extras sent from now on. */
  extras = new Set<ExpertFlowExtra>();
  /** Set by the running simulator: delivers an event to a conversation's room. */
  deliver?: (conversationId: string, event: string, payload: Obj) => void;
  /**
   * Fault hook: every messageArrived goes out twice, followed by the previous one again
   * (a duplicate and a stale, out-of-order frame), as a flaky proxy or a replay would.
   */
  garble = false;

  /** Stop every agent's timers (the store is finished with). */
  dispose(): void {
    for (const c of this.conversations.values()) {
      c.agent?.stop();
      c.bot?.timers.forEach(clearTimeout);
    }
  }
}

export function createExpertFlowStore(): ExpertFlowStore {
  return new ExpertFlowStore();
}

export interface ExpertFlowSimulatorOptions extends SimulatorOptions {
  state?: ExpertFlowStore;
  /** The socket.io generation the server runs (default 4). */
  socketio?: 2 | 4;
  /** Bot-first conversations (sets the store's `bot`). */
  bot?: boolean;
  /** Undocumented extras to send (added to the store's). */
  extras?: readonly ExpertFlowExtra[];
}

export interface ExpertFlowSimulatorHandle extends SimulatorHandle {
  state: ExpertFlowStore;
  socketio: 2 | 4;
  /** The store's violations: frames that broke the document's rules. */
  violations: string[];
  /** The next init request answers with `status` (500 or 503). */
  failNextInit(status?: number): void;
}

const MAX_BODY = 64 * 1024;

const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const iso = (): string => new Date().toISOString();

/** A one-page PDF (Helvetica, one line per entry), built by hand with a correct xref table. */
export function transcriptPdf(lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, '\\$&');
  const text = lines.slice(0, 50).map((l) => `(${esc(l.slice(0, 90))}) '`);
  const content = ['BT', '/F1 11 Tf', '14 TL', '50 800 Td', ...text, 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}


function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The bot's lines (bot-first flow). */
export const BOT_LINES = {
  name: 'Virtual Assistant',
  greeting: (visitor: string) =>
    `Hi ${visitor || 'there'}, I am the virtual assistant. Ask me anything, or type "agent" to talk to a person.`,
  answer: 'I can help with orders, invoices and deliveries. Type "agent" to talk to a person.',
  handOff: 'Let me find a person for you.',
} as const;
const ASKS_FOR_PERSON = /\b(agent|human|person)\b/i;
const GREETING_TEXT = 'Thank you for contacting us.';
const NO_AGENT_TEXT = 'No agents are available at the moment. Please try again later.';
/** The document's Participant has exactly these members. */
const PARTICIPANT_KEYS = ['id', 'name'];

/** One socket as the simulator uses it, whichever socket.io generation runs. */
interface WireSocket {
  on(event: string, listener: (payload: unknown) => void): void;
  emit(event: string, payload: Obj): void;
  join(room: string): void;
}

export async function startExpertFlowSimulator(opts: ExpertFlowSimulatorOptions = {}): Promise<ExpertFlowSimulatorHandle> {
  const store = opts.state ?? new ExpertFlowStore();
  const ownStore = !opts.state;
  if (opts.bot !== undefined) store.bot = opts.bot;
  for (const extra of opts.extras ?? []) store.extras.add(extra);
  const generation = opts.socketio ?? 4;
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const scale = agentOptions.delayScale ?? 1;
  const received: ReceivedFrame[] = [];
  const record = (channel: string, name: string, payload: unknown) => {
    // The frame's conversationId names its chat (the agent console's inspector).
    const chat = typeof payload === 'object' && payload !== null ? (payload as Obj).conversationId : undefined;
    received.push({ at: Date.now(), channel, name, payload, ...(typeof chat === 'string' ? { chat } : {}) });
  };
  const violation = (what: string): void => void store.violations.push(what);
  const extra = (e: ExpertFlowExtra) => store.extras.has(e);
  /** A participant on the wire: `{ id, name }`, plus `type` only as an asked-for extra. */
  const wire = (p: WireParticipant): Obj => (extra('type') ? { id: p.id, name: p.name, type: p.type } : { id: p.id, name: p.name });
  const withText = (text: string): Obj => (extra('text') ? { text } : {});

  /** A Participant object from the widget: exactly `{ id, name }`, both strings. */
  function checkParticipant(where: string, raw: unknown): void {
    const p = obj(raw);
    if (!p || typeof p.id !== 'string' || typeof p.name !== 'string') return violation(`${where}: participant is not { id, name }`);
    const more = Object.keys(p).filter((k) => !PARTICIPANT_KEYS.includes(k));
    if (more.length) violation(`${where}: participant carries undocumented ${more.join(', ')}`);
  }

  // --- conversation behaviour (independent of the transport the widget uses) ---

  function deliver(c: ExpertFlowConversation, event: string, payload: Obj, keep: boolean): void {
    if (keep) c.history.push(payload);
    store.deliver?.(c.id, event, payload);
  }

  function activity(c: ExpertFlowConversation, activityType: string, from: WireParticipant | undefined, info: Obj): Obj {
    const msg: Obj = {
      conversationId: c.id,
      type: 'ActivityMessage',
      requestId: c.requestId,
      timestamp: iso(),
      to: [],
      activityType,
      info,
    };
    if (from) msg.from = { id: from.id, name: from.name };
    return msg;
  }

  function agentLine(c: ExpertFlowConversation, from: WireParticipant, text: string, attachments: Obj[] = []): Obj {
    return {
      conversationId: c.id,
      type: 'ChatMessage',
      requestId: c.requestId,
      timestamp: iso(),
      from: { id: from.id, name: from.name },
      to: [{ id: c.customer.id, name: c.customer.name }],
      refId: str(c.init.refId) ?? '',
      language: str(c.init.language) ?? 'en',
      text,
      attachments,
    };
  }

  /** "Currently no agents are available": said, kept in the history; the conversation stays open. */
  function noAgent(c: ExpertFlowConversation, text: string): void {
    c.agent?.visitorLeft();
    deliver(c, 'messageArrived', activity(c, 'noAgentAvailable', undefined, withText(text)), true);
  }

  function hostFor(c: ExpertFlowConversation): AgentHost {
    let me: WireParticipant | undefined;
    let transfers = 0;
    const agent = () => me ?? { id: `agent-${c.id.slice(-6)}`, name: 'Agent', type: 'agent' as const };
    return {
      queue: (position, total) => {
        if (extra('queue')) deliver(c, 'messageArrived', activity(c, 'handOff', undefined, { position, total }), false);
      },
      waiting: (kind, text) => {
        if (kind === 'final') noAgent(c, text);
        // The request to assign an agent is the one documented handOff (kept: it is part of
        // the conversation); later wait lines exist only as the `text` extra.
        else if (kind === 'paging') deliver(c, 'messageArrived', activity(c, 'handOff', undefined, withText(text)), true);
        else if (extra('text')) deliver(c, 'messageArrived', activity(c, 'handOff', undefined, { text }), false);
      },
      join: (identity) => {
        // Another agent joining the one at the desk is a transfer: the document's
        // participantLeft for the agent who goes, participantJoined for the new one (own id).
        const before = me && me.name !== identity.name ? me : undefined;
        if (before) {
          c.participants = c.participants.filter((p) => p.id !== before.id);
          deliver(c, 'messageArrived', activity(c, 'participantLeft', before, { participant: wire(before) }), true);
        }
        me = { id: before ? `agent-${c.id.slice(-6)}-${++transfers}` : (me?.id ?? `agent-${c.id.slice(-6)}`), name: identity.name, type: identity.isBot ? 'bot' : 'agent' };
        c.participants.push(me);
        deliver(c, 'messageArrived', activity(c, 'participantJoined', me, { participant: wire(me) }), true);
      },
      typing: (on) => {
        if (on) deliver(c, 'messageArrived', activity(c, 'typing', agent(), {}), false);
      },
      say: (text) => deliver(c, 'messageArrived', agentLine(c, agent(), text), true),
      sendAttachment: (file) =>
        deliver(
          c,
          'messageArrived',
          agentLine(c, agent(), '', [
            { type: file.mime, name: file.name, contentUrl: file.url ?? `data:${file.mime};base64,${Buffer.from(file.bytes).toString('base64')}` },
          ]),
          true,
        ),
      // The XSS injector: a file (not an image) at a hostile URL, and a hostile MIME type.
      inject: ({ text, url }) =>
        deliver(
          c,
          'messageArrived',
          agentLine(c, agent(), '', [
            { type: 'application/pdf', name: text, contentUrl: url },
            { type: text, name: 'file.pdf', contentUrl: url },
          ]),
          true,
        ),
      end: (by) => {
        c.state = 'ended';
        const who = agent();
        c.participants = c.participants.filter((p) => p.id !== who.id);
        deliver(c, 'messageArrived', activity(c, 'participantLeft', who, { participant: wire(who) }), true);
        deliver(c, 'messageArrived', activity(c, 'endOfConversation', who, extra('text') ? { reason: by } : {}), true);
      },
    };
  }

  /** The scripted agent takes the request (the agent-first flow, or the bot's hand-off). */
  function handToAgent(c: ExpertFlowConversation): void {
    const agent = new ScriptedAgent(hostFor(c), { ...agentOptions, chat: c.id });
    c.agent = agent;
    if (!agent.isAvailable()) {
      // The request is still handed off (documented `handOff`), and nobody takes it.
      deliver(c, 'messageArrived', activity(c, 'handOff', undefined, {}), true);
      return noAgent(c, NO_AGENT_TEXT);
    }
    agent.start(c.customer.name);
  }

  function botSay(c: ExpertFlowConversation, ms: number, text: string, then?: () => void): void {
    const bot = c.bot;
    if (!bot) return;
    const timer = setTimeout(() => {
      bot.timers.delete(timer);
      if (c.state === 'ended') return;
      deliver(c, 'messageArrived', agentLine(c, bot.participant, text), true);
      then?.();
    }, Math.round(ms * scale));
    bot.timers.add(timer);
  }

  /** A visitor line while the bot holds the conversation. */
  function botHears(c: ExpertFlowConversation, text: string): void {
    const bot = c.bot;
    if (!bot || bot.handedOff) return;
    if (!ASKS_FOR_PERSON.test(text)) return botSay(c, 600, BOT_LINES.answer);
    bot.handedOff = true;
    botSay(c, 600, BOT_LINES.handOff, () => handToAgent(c));
  }

  function conversationOf(where: string, p: Obj | null): ExpertFlowConversation | undefined {
    const id = p && str(p.conversationId);
    const c = id ? store.conversations.get(id) : undefined;
    if (!c) violation(`${where}: unknown conversationId ${JSON.stringify(p?.conversationId)}`);
    return c;
  }

  // --- REST ---

  async function init(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY);
    let body: Obj | null = null;
    try {
      body = raw === null ? null : obj(JSON.parse(raw));
    } catch {
      body = null;
    }
    record('http', 'POST /api/customer/init', body ?? raw);
    const failure = store.initFailures.shift();
    if (failure) return json(res, failure, { error: failure === 503 ? 'Service Unavailable' : 'Internal Server Error' });
    // "Channel parameter is required", "with at least one identifier parameter".
    const ident = body && ['firstName', 'lastName', 'email', 'phone', 'refId'].some((k) => str(body?.[k]));
    if (!body || !str(body.channel) || !ident) {
      violation('init: channel and an identifier are required');
      return json(res, 400, { error: 'channel and an identifier are required' });
    }
    // The document's example is a language code ("en"), not a full locale tag.
    if (body.language !== undefined && !/^[a-z]{2,3}$/.test(str(body.language) ?? '')) {
      violation(`init: language ${JSON.stringify(body.language)} is not a language code like "en"`);
    }
    const name = [str(body.firstName), str(body.lastName)].filter(Boolean).join(' ') || str(body.email) || 'Customer';
    const c: ExpertFlowConversation = {
      id: hex(12),
      requestId: str(body.requestId) ?? hex(16),
      customer: { id: hex(4).slice(0, 7), name, type: 'customer' },
      init: body,
      participants: [],
      history: [],
      state: 'new',
    };
    c.participants.push(c.customer);
    store.conversations.set(c.id, c);
    json(res, 200, {
      conversationId: c.id,
      participant: { id: c.customer.id, name: c.customer.name },
      requestId: str(body.requestId) ?? c.requestId,
      timestamp: iso(),
    });
  }

  function transcript(res: ServerResponse, id: string, type: string): void {
    const c = store.conversations.get(id);
    if (type !== 'pdf' && type !== 'email') violation(`transcript: type ${type} is neither email nor pdf`);
    // "In the case of an ongoing chat session, the response will be Error 404."
    if (!c || c.state !== 'ended' || (type !== 'pdf' && type !== 'email')) return json(res, 404, { error: 'Not Found' });
    if (type === 'email') {
      // No address parameter exists: the server mails the address it holds from init.
      store.emails.push({ conversationId: id, to: str(c.init.email) ?? '' });
      res.writeHead(200);
      res.end();
      return;
    }
    const lines = [`Chat transcript ${c.id}`, ''];
    for (const m of c.history) {
      const from = obj(m.from);
      if (m.type === 'ChatMessage') lines.push(`${str(from?.name) ?? ''}: ${str(m.text) ?? ''}`);
    }
    const pdf = transcriptPdf(lines);
    res.writeHead(200, {
      'content-type': 'application/pdf',
      'content-length': pdf.length,
      'content-disposition': `attachment; filename="transcript-${c.id}.pdf"`,
    });
    res.end(pdf);
  }

  const http = createServer((req, res) => {
    allowLoopbackCors(req, res, 'content-type');
    const url = new URL((req.url ?? '/').slice(0, 2048), 'http://sandbox');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/customer/init') {
      init(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'Internal Server Error' });
        else res.end();
      });
      return;
    }
    const m = req.method === 'GET' ? /^\/api\/customer\/transcript\/([^/]{1,64})\/([a-z]{1,16})$/.exec(url.pathname) : null;
    if (m) {
      const id = decodeURIComponent(m[1] ?? '');
      record('http', `GET /api/customer/transcript/${id}/${m[2]}`, url.search ? { query: url.search } : {});
      if (url.search) violation(`transcript: undocumented query ${url.search}`);
      return transcript(res, id, m[2] ?? '');
    }
    json(res, 404, { error: 'Not Found' });
  });

  // --- socket.io (either generation; the events are the same) ---

  function onConnection(socket: WireSocket): void {
    socket.on('registerConnector', (p: unknown) => record('socket.io', 'registerConnector', p));

    socket.on('joinConversation', (p: unknown) => {
      record('socket.io', 'joinConversation', p);
      const body = obj(p);
      checkParticipant('joinConversation', body?.participant);
      const c = conversationOf('joinConversation', body);
      if (!c) return;
      if (str(obj(body?.participant)?.id) !== c.customer.id) return violation('joinConversation: participant is not the customer');
      socket.join(c.id);
      socket.emit('conversationInfo', {
        conversation: { id: c.id, state: c.state, channel: str(c.init.channel) ?? 'web', subject: str(c.init.subject) ?? '' },
        messages: c.history,
        participant: c.participants.map(wire),
        role: 'customer',
      });
      socket.emit('messageArrived', activity(c, 'greetings', undefined, withText(GREETING_TEXT)));
      if (c.state !== 'new') return;
      c.state = 'active';
      if (!store.bot) return handToAgent(c);
      const participant: WireParticipant = { id: `bot-${c.id.slice(-6)}`, name: BOT_LINES.name, type: 'bot' };
      c.participants.push(participant);
      c.bot = { participant, handedOff: false, timers: new Set() };
      botSay(c, 300, BOT_LINES.greeting(c.customer.name));
    });

    socket.on('sendMessage', (p: unknown) => {
      record('socket.io', 'sendMessage', p);
      const body = obj(p);
      checkParticipant('sendMessage', body?.from);
      const c = conversationOf('sendMessage', body);
      const from = obj(body?.from);
      if (!body || !c) return;
      if (str(from?.id) !== c.customer.id) return violation('sendMessage: from is not the customer');
      if (c.state === 'ended') return violation('sendMessage: the conversation has ended');
      if (body.language !== undefined && !/^[a-z]{2,3}$/.test(str(body.language) ?? '')) {
        violation(`sendMessage: language ${JSON.stringify(body.language)} is not a language code like "en"`);
      }
      if (body.type === 'ActivityMessage') return; // the visitor's typing goes to the agent's desk
      const text = str(body.text);
      // A customer cannot whisper: whisper lines are hidden from customers, never sent by them.
      if (body.type !== 'ChatMessage' || text === undefined || body.tag === 'whisper') {
        return violation('sendMessage: not a ChatMessage with text and without whisper');
      }
      const line: Obj = {
        conversationId: c.id,
        type: 'ChatMessage',
        requestId: str(body.requestId) ?? c.requestId,
        timestamp: str(body.timestamp) ?? iso(),
        from: { id: c.customer.id, name: str(from?.name) ?? c.customer.name },
        to: [],
        refId: str(c.init.refId) ?? '',
        language: str(body.language) ?? 'en',
        text,
        attachments: [],
      };
      deliver(c, 'messageArrived', line, true);
      if (c.bot && !c.bot.handedOff) botHears(c, text);
      else c.agent?.hear(text);
    });

    socket.on('endConversation', (p: unknown) => {
      record('socket.io', 'endConversation', p);
      const c = conversationOf('endConversation', obj(p));
      if (!c || c.state === 'ended') return;
      c.state = 'ended';
      c.agent?.visitorLeft();
      c.bot?.timers.forEach(clearTimeout);
      deliver(c, 'messageArrived', activity(c, 'endOfConversation', c.customer, {}), true);
    });
  }

  /** The agent console's wire inspector sees what the server emits. */
  const sent = (event: string, payload: Obj, chat?: string) => agentOptions.desk?.sent('socket.io', event, payload, chat);
  const corsOk = (o: string | undefined) => !o || o === '*' || LOOPBACK_ORIGIN.test(o);
  let toRoom: (room: string, event: string, payload: Obj) => void;
  let closeIo: () => Promise<void>;
  // Either generation's socket, as the conversation code sees it (every emit tapped for the inspector).
  type AnySocket = { on(event: string, fn: (payload: unknown) => void): unknown; emit(event: string, payload: unknown): unknown; join(room: string): unknown };
  const bridge = (socket: AnySocket): Parameters<typeof onConnection>[0] => ({
    on: (event, listener) => void socket.on(event, (payload: unknown) => listener(payload)),
    emit: (event, payload) => void (sent(event, payload), socket.emit(event, payload)),
    join: (room) => void socket.join(room),
  });
  if (generation === 2) {
    // socket.io 2.5.1 (Engine.IO 3): the server generation of the document's era.
    const io = createV2Server(http, { serveClient: false, origins: (o, cb) => cb(null, corsOk(o)) });
    io.on('connection', (socket) => onConnection(bridge(socket)));
    toRoom = (room, event, payload) => void (sent(event, payload, room), io.to(room).emit(event, payload));
    closeIo = () => new Promise<void>((resolve) => io.close(() => resolve()));
  } else {
    const io = new Server(http, {
      cors: { origin: (o: string | undefined, cb: (err: Error | null, ok?: boolean) => void) => cb(null, corsOk(o)) },
    });
    io.on('connection', (socket) => onConnection(bridge(socket)));
    toRoom = (room, event, payload) => void (sent(event, payload, room), io.to(room).emit(event, payload));
    closeIo = () => new Promise<void>((resolve) => void io.close(() => resolve()));
  }

  const previous = new Map<string, Obj>();
  const ours = (id: string, event: string, payload: Obj) => {
    toRoom(id, event, payload);
    if (!store.garble || event !== 'messageArrived') return;
    toRoom(id, event, payload);
    const before = previous.get(id);
    if (before) toRoom(id, event, before);
    previous.set(id, payload);
  };
  store.deliver = ours;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';

  return {
    vendor: 'expertflow',
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    options: {},
    received,
    state: store,
    socketio: generation,
    violations: store.violations,
    failNextInit(status = 503) {
      store.initFailures.push(status);
    },
    async close() {
      if (store.deliver === ours) delete store.deliver;
      const done = closeIo();
      http.closeAllConnections();
      await done;
      if (ownStore) store.dispose();
    },
  };
}
