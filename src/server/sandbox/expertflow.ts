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
 * Choices where the document is silent (kept consistent with the transport):
 * - queue figures ride on `handOff` activities as `info: { position, total }`; wait lines as
 *   `info: { text }`; the paging timeout's final line is `noAgentAvailable`.
 * - the agent's typing is a `typing` activity (no "stopped" exists: the widget times it out).
 * - the email transcript answers 200 with an empty body, as documented.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

type Obj = Record<string, unknown>;

export interface WireParticipant {
  id: string;
  name: string;
  type: 'customer' | 'agent' | 'bot';
}

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
}

/** Conversations and pending test switches; pass the same store to a restarted simulator. */
export class ExpertFlowStore {
  readonly conversations = new Map<string, ExpertFlowConversation>();
  /** HTTP statuses the next init requests answer with (e.g. [503]) before succeeding again. */
  readonly initFailures: number[] = [];
  /** Transcript emails "sent": conversation id and the address asked for, if any. */
  readonly emails: Array<{ conversationId: string; email?: string }> = [];
  /** Set by the running simulator: delivers an event to a conversation's room. */
  deliver?: (conversationId: string, event: string, payload: Obj) => void;
  /**
   * Fault hook: every messageArrived goes out twice, followed by the previous one again
   * (a duplicate and a stale, out-of-order frame), as a flaky proxy or a replay would.
   */
  garble = false;

  /** Stop every agent's timers (the store is finished with). */
  dispose(): void {
    for (const c of this.conversations.values()) c.agent?.stop();
  }
}

export function createExpertFlowStore(): ExpertFlowStore {
  return new ExpertFlowStore();
}

export interface ExpertFlowSimulatorOptions extends SimulatorOptions {
  state?: ExpertFlowStore;
}

export interface ExpertFlowSimulatorHandle extends SimulatorHandle {
  state: ExpertFlowStore;
  /** The next init request answers with `status` (500 or 503). */
  failNextInit(status?: number): void;
}

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/;
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

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startExpertFlowSimulator(opts: ExpertFlowSimulatorOptions = {}): Promise<ExpertFlowSimulatorHandle> {
  const store = opts.state ?? new ExpertFlowStore();
  const ownStore = !opts.state;
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const received: ReceivedFrame[] = [];
  const record = (channel: string, name: string, payload: unknown) =>
    received.push({ at: Date.now(), channel, name, payload });

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

  function noAgent(c: ExpertFlowConversation, text: string): void {
    c.state = 'ended';
    c.agent?.visitorLeft();
    deliver(c, 'messageArrived', activity(c, 'noAgentAvailable', undefined, { text }), true);
  }

  function hostFor(c: ExpertFlowConversation): AgentHost {
    let me: WireParticipant | undefined;
    const agent = () => me ?? { id: `agent-${c.id.slice(-6)}`, name: 'Agent', type: 'agent' as const };
    return {
      queue: (position, total) => deliver(c, 'messageArrived', activity(c, 'handOff', undefined, { position, total }), false),
      waiting: (kind, text) => {
        if (kind === 'final') noAgent(c, text);
        else deliver(c, 'messageArrived', activity(c, 'handOff', undefined, { text }), false);
      },
      join: (identity) => {
        me = { id: `agent-${c.id.slice(-6)}`, name: identity.name, type: identity.isBot ? 'bot' : 'agent' };
        c.participants.push(me);
        deliver(c, 'messageArrived', activity(c, 'participantJoined', me, { participant: { ...me } }), true);
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
        deliver(c, 'messageArrived', activity(c, 'participantLeft', who, { participant: { ...who } }), true);
        deliver(c, 'messageArrived', activity(c, 'endOfConversation', who, { reason: by }), true);
      },
    };
  }

  function conversationOf(p: Obj | null): ExpertFlowConversation | undefined {
    const id = p && str(p.conversationId);
    return id ? store.conversations.get(id) : undefined;
  }

  // --- REST ---

  async function init(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
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
    if (!body || !str(body.channel) || !ident) return json(res, 400, { error: 'channel and an identifier are required' });
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

  function transcript(res: ServerResponse, id: string, type: string, email: string | null): void {
    const c = store.conversations.get(id);
    // "In the case of an ongoing chat session, the response will be Error 404."
    if (!c || c.state !== 'ended' || (type !== 'pdf' && type !== 'email')) return json(res, 404, { error: 'Not Found' });
    if (type === 'email') {
      store.emails.push(email ? { conversationId: id, email } : { conversationId: id });
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
    const origin = req.headers.origin;
    if (origin && LOOPBACK_ORIGIN.test(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type');
    }
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
      record('http', `GET /api/customer/transcript/${id}/${m[2]}`, { email: url.searchParams.get('email') });
      return transcript(res, id, m[2] ?? '', url.searchParams.get('email'));
    }
    json(res, 404, { error: 'Not Found' });
  });

  // --- socket.io ---

  const io = new Server(http, {
    cors: { origin: (o: string | undefined, cb: (err: Error | null, ok?: boolean) => void) => cb(null, !o || LOOPBACK_ORIGIN.test(o)) },
  });

  io.on('connection', (socket: Socket) => {
    socket.on('registerConnector', (p: unknown) => record('socket.io', 'registerConnector', p));

    socket.on('joinConversation', (p: unknown) => {
      record('socket.io', 'joinConversation', p);
      const body = obj(p);
      const c = conversationOf(body);
      if (!c || str(obj(body?.participant)?.id) !== c.customer.id) return;
      void socket.join(c.id);
      socket.emit('conversationInfo', {
        conversation: { id: c.id, state: c.state, channel: str(c.init.channel) ?? 'web', subject: str(c.init.subject) ?? '' },
        messages: c.history,
        participant: c.participants.map((x) => ({ ...x })),
        role: 'customer',
      });
      socket.emit('messageArrived', activity(c, 'greetings', undefined, { text: 'Thank you for contacting us.' }));
      if (c.state !== 'new') return;
      c.state = 'active';
      const agent = new ScriptedAgent(hostFor(c), agentOptions);
      c.agent = agent;
      if (!agent.isAvailable()) return noAgent(c, 'No agents are available at the moment. Please try again later.');
      agent.start(c.customer.name);
    });

    socket.on('sendMessage', (p: unknown) => {
      record('socket.io', 'sendMessage', p);
      const body = obj(p);
      const c = conversationOf(body);
      const from = obj(body?.from);
      if (!body || !c || str(from?.id) !== c.customer.id || c.state === 'ended') return;
      if (body.type === 'ActivityMessage') return; // the visitor's typing goes to the agent's desk
      const text = str(body.text);
      // A customer cannot whisper: whisper lines are hidden from customers, never sent by them.
      if (body.type !== 'ChatMessage' || text === undefined || body.tag === 'whisper') return;
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
      c.agent?.hear(text);
    });

    socket.on('endConversation', (p: unknown) => {
      record('socket.io', 'endConversation', p);
      const c = conversationOf(obj(p));
      if (!c || c.state === 'ended') return;
      c.state = 'ended';
      c.agent?.visitorLeft();
      deliver(c, 'messageArrived', activity(c, 'endOfConversation', c.customer, {}), true);
    });
  });

  const previous = new Map<string, Obj>();
  const ours = (id: string, event: string, payload: Obj) => {
    io.to(id).emit(event, payload);
    if (!store.garble || event !== 'messageArrived') return;
    io.to(id).emit(event, payload);
    const before = previous.get(id);
    if (before) io.to(id).emit(event, before);
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
    failNextInit(status = 503) {
      store.initFailures.push(status);
    },
    async close() {
      if (store.deliver === ours) delete store.deliver;
      const done = new Promise<void>((resolve) => void io.close(() => resolve()));
      http.closeAllConnections();
      await done;
      if (ownStore) store.dispose();
    },
  };
}
