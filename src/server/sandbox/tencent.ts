/**
 * Tencent Cloud Desk simulator: the desk's service flow (custom messages keyed by `src`, as in
 * vendor-docs/tencent-desk-custom-messages.txt) behind the sandbox's loopback JSON protocol
 * (src/transports/tencent/loopback-protocol.ts), plus the site-side userSig endpoint.
 *
 *   POST /usersig   {visitorId, userID?} → {userID, userSig}   (what a site's server does)
 *   ws://…/         login / send / history; pushes message / modified / kicked
 *
 * Flow: the trigger (src 7) gets the evaluation settings (23), seat status outSeat (26), the
 * robot's welcome list (29 `welcome_msg`, seven questions: the widget pages them by five) and
 * the welcome branch (15). The desk is bot-first: its robot answers the welcome questions by
 * exact text (the strong match of src 15), as Tencent's robot messages do (the customer-service
 * plugin 2.2.6, notes/vendors-in-the-field.md T2): "How long does delivery take?" streams its
 * answer (31, `chunks` growing through MESSAGE_MODIFIED until `isFinished: 1`), then sends
 * rich text (30, Markdown with a link; also an unsafe link and raw HTML, for the sanitizer),
 * a text line, and a robot answer (29) with follow-up choices. A visitor line with "recall"
 * makes the desk recall its last text line (MESSAGE_REVOKED, `isRevoked` in history) and
 * correct it. Robot messages carry `chatbotPlugin: 1` instead of `customerServicePlugin: 0`.
 * Choosing (exact text) "Order status" answers, "Talk to a human"
 * (or any text with "human") seats the ScriptedAgent (26 inSeat, typing 12, replies; with nobody
 * available, src 18 instead), "Fill
 * in a form" asks an options form then a free-text form (21), "Show me a card" sends a card
 * (22). "rate" sends a star satisfaction request (9), "rate numbers" a numeric one; a
 * selection (10) comes back as the same src 9 modified with `selected`. src 24 asks for the
 * rating in seat; src 27 ends (19); "timeout" ends with the timeout flag (20). A second login
 * of the same userID kicks the first socket ('multipleAccount'), like Tencent's default.
 *
 * Violations (the document's rules; tests assert none): src 7, 10, 24 and 27 not sent
 * online-only ("When sending this message you need to set the parameter onlineUserOnly to
 * true"); src 27 while no agent holds the seat (src 27: "When the user side has accessed the
 * agent, they can send [it]"), which the desk refuses (no end flag); a src 10 whose
 * `sessionId` is not the rating's (the plugin echoes the desk's, or '' when there is none).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeskMessage } from '../../transports/tencent/client';
import type { LoopbackPush, LoopbackRequest } from '../../transports/tencent/loopback-protocol';
import { SANDBOX_PNG, ScriptedAgent, type AgentHost } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

export interface TencentSimulatorOptions extends SimulatorOptions {
  sdkAppId?: string;
  /** How long a satisfaction request stays open (default 12 h, the docs' effectiveHour). */
  ratingLifetimeSeconds?: number;
  /** The simulated server clock minus the real one (ms), to exercise skew handling. */
  clockSkewMs?: number;
}

const DESK = '@customer_service_account';
/** The flag messages the document says to send with onlineUserOnly: true. */
const ONLINE_ONLY = new Set(['7', '10', '24', '27']);
const BOT_NICK = 'Desk Assistant';
export const WELCOME_BRANCH = ['Order status', 'Talk to a human', 'Fill in a form', 'Show me a card'];
/** The robot's welcome list (src 29 welcome_msg): more than one page of five. */
export const WELCOME_QUESTIONS = [
  'How long does delivery take?',
  'Can I pay by invoice?',
  'Do you ship abroad?',
  'How do I return an item?',
  'Where is my nearest shop?',
  'Do you have gift cards?',
  'Talk to a human',
];
/** The streamed answer (src 31), in the chunks the desk pushes one modification at a time. */
export const STREAMED_ANSWER = ['Standard delivery ', 'takes two to three ', 'working days; ', 'express orders placed before 2 pm ', 'arrive the next day.'];
/** The rich-text answer (src 30): Markdown with a link, an unsafe link and raw HTML. */
export const RICH_TEXT =
  '**Tracking:** follow your parcel on [our tracking page](https://example.com/track).\n\n' +
  '- Not a link: [click](javascript:alert(1))\n- <img src=x onerror="alert(1)">Raw HTML stays inert';
const ROBOT_NICK = 'Desk Robot';
const FOOD = ['Apple', 'Watermelon', 'Strawberry'];
const MENU = [
  { id: '101', content: 'Extremely dissatisfied' },
  { id: '102', content: 'Dissatisfied' },
  { id: '103', content: 'General' },
  { id: '104', content: 'Satisfied' },
  { id: '105', content: 'Highly satisfied' },
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Conversation {
  userID: string;
  socket?: WebSocket;
  history: DeskMessage[];
  byId: Map<string, { message: DeskMessage; data: Obj; flag: Obj }>;
  /** The desk's last plain text line, which "recall" recalls. */
  lastLine?: DeskMessage;
  seat: 'in' | 'out';
  agent?: ScriptedAgent;
  /** Open prompt waiting for the visitor's exact text. */
  prompt?: { id: string; kind: 'branch' | 'food' | 'email' | 'robot'; items: string[] };
  /** The robot's welcome questions are open while the bot holds the seat. */
  faq: boolean;
  ratings: Map<string, string>;
  lastText: string;
  /** The sig the current socket logged in with. */
  userSig?: string;
}

export interface TencentSimulatorHandle extends SimulatorHandle {
  /** Fault hook: cut every widget's socket; conversations and history stay (as Tencent's do). */
  dropClients(): number;
  /**
   * Fault hook: every logged-in visitor's userSig expires now. Like the SDK, each is told
   * (KICKED_OUT, userSigExpired) and logged out, its socket left open; the old sig is refused
   * from then on, so only a freshly minted one logs in again.
   */
  expireSigs(): number;
  /** Frames that broke the desk document's rules (see the header), oldest first. */
  violations: string[];
}

export async function startTencentSimulator(opts: TencentSimulatorOptions = {}): Promise<TencentSimulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const sdkAppId = opts.sdkAppId ?? '1400000000';
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  const sigs = new Map<string, string>();
  const conversations = new Map<string, Conversation>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const scale = opts.agent?.delayScale ?? 1;
  let seq = 0;
  const serverNow = (): number => Date.now() + (opts.clockSkewMs ?? 0);
  /** `chat`: the visitor's userID (their one conversation with the desk), for the agent console's inspector. */
  const record = (channel: string, name: string, payload: unknown, chat?: string): void => {
    received.push({ at: Date.now(), channel, name, payload, ...(chat ? { chat } : {}) });
  };
  const later = (ms: number, fn: () => void): void => {
    const h = setTimeout(() => {
      timers.delete(h);
      fn();
    }, Math.round(ms * scale));
    timers.add(h);
  };

  // --- userSig endpoint (the site's server in real life) ---
  const http = createServer((req, res) => void onHttp(req, res));
  async function onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method !== 'POST' || req.url !== '/usersig') return void res.writeHead(404).end();
    let raw = '';
    for await (const chunk of req) {
      raw += String(chunk);
      if (raw.length > 4096) return void res.writeHead(413).end();
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return void res.writeHead(400).end();
    }
    record('http', 'POST /usersig', body);
    const visitorId = isObj(body) && typeof body.visitorId === 'string' ? body.visitorId.slice(0, 64) : '';
    if (!visitorId) return void res.writeHead(400).end();
    // Stable per visitor: the same browser keeps its userID (and so its history).
    const userID = `visitor_${visitorId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const userSig = randomUUID();
    sigs.set(userSig, userID);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ userID, userSig }));
  }

  // --- desk side ---
  const push = (conv: Conversation, frame: LoopbackPush): void => {
    if (frame.op === 'message' || frame.op === 'modified' || frame.op === 'revoked') opts.agent?.desk?.sent('tencent', `${frame.op} ${frame.message.type}`, frame.message, conv.userID);
    if (conv.socket?.readyState === 1) conv.socket.send(JSON.stringify(frame));
  };
  const view = (conv: Conversation, m: DeskMessage): DeskMessage => ({ ...m, flow: m.from === conv.userID ? 'out' : 'in' });

  function create(conv: Conversation, from: string, type: string, payload: DeskMessage['payload'], nick?: string): DeskMessage {
    return {
      ID: `sim-${++seq}-${randomUUID().slice(0, 8)}`,
      type,
      flow: 'in',
      from,
      conversationID: `C2C${DESK}`,
      time: Math.floor(serverNow() / 1000),
      ...(nick && { nick }),
      payload,
    };
  }
  function deliver(conv: Conversation, m: DeskMessage, stored: boolean): void {
    if (stored) conv.history.push(m);
    push(conv, { op: 'message', message: view(conv, m), serverTime: serverNow() });
  }
  function text(conv: Conversation, line: string, nick = BOT_NICK): void {
    const m = create(conv, DESK, 'TIMTextElem', { text: line }, nick);
    conv.lastLine = m;
    deliver(conv, m, true);
  }
  const DESK_FLAG: Obj = { customerServicePlugin: 0 };
  const ROBOT_FLAG: Obj = { chatbotPlugin: 1 };
  function custom(conv: Conversation, data: Obj, stored = true, nick = BOT_NICK, flag = DESK_FLAG): DeskMessage {
    const m = create(conv, DESK, 'TIMCustomElem', { data: JSON.stringify({ ...flag, ...data }), description: '', extension: '' }, nick);
    conv.byId.set(m.ID, { message: m, data, flag });
    deliver(conv, m, stored);
    return m;
  }
  /** The robot's own messages (29–31) carry `chatbotPlugin: 1`. */
  const robot = (conv: Conversation, data: Obj): DeskMessage => custom(conv, data, true, ROBOT_NICK, ROBOT_FLAG);
  /** The desk changes a message it sent (fills `selected`, grows a stream): MESSAGE_MODIFIED. */
  function modify(conv: Conversation, id: string, change: (data: Obj) => void): void {
    const entry = conv.byId.get(id);
    if (!entry) return;
    change(entry.data);
    entry.message.payload = { ...entry.message.payload, data: JSON.stringify({ ...entry.flag, ...entry.data }) };
    push(conv, { op: 'modified', message: view(conv, entry.message), serverTime: serverNow() });
  }
  /** The desk recalls a message: marked in history, MESSAGE_REVOKED to the widget. */
  function revoke(conv: Conversation, m: DeskMessage): void {
    m.isRevoked = true;
    push(conv, { op: 'revoked', message: view(conv, m), serverTime: serverNow() });
  }
  function welcome(conv: Conversation): void {
    robot(conv, {
      src: '29',
      subtype: 'welcome_msg',
      content: { title: 'Frequently asked questions', items: WELCOME_QUESTIONS.map((content, i) => ({ id: String(i + 1), content })) },
    });
    conv.faq = true;
  }
  /** The robot answers one of its welcome questions. */
  function answer(conv: Conversation, question: string): void {
    if (question === 'Talk to a human') return human(conv);
    if (question !== 'How long does delivery take?') return text(conv, `About "${question}": our help centre has the details.`, ROBOT_NICK);
    const stream = robot(conv, { src: '31', chunks: [], isFinished: 0 });
    const step = (i: number): void => {
      const last = i === STREAMED_ANSWER.length - 1;
      modify(conv, stream.ID, (d) => {
        d.chunks = STREAMED_ANSWER.slice(0, i + 1);
        d.isFinished = last ? 1 : 0;
      });
      if (!last) return later(120, () => step(i + 1));
      later(150, () => {
        robot(conv, { src: '30', content: RICH_TEXT });
        text(conv, 'Delivery is free on all orders.', ROBOT_NICK);
        const follow = robot(conv, { src: '29', content: { title: 'Anything else?', items: [{ content: 'Talk to a human' }, { content: 'No, thanks' }] } });
        conv.prompt = { id: follow.ID, kind: 'robot', items: ['Talk to a human', 'No, thanks'] };
      });
    };
    later(120, () => step(0));
  }
  function ask(conv: Conversation, kind: 'branch' | 'food' | 'email'): void {
    if (kind === 'branch') {
      const m = custom(conv, { src: '15', content: { header: 'How can we help?', items: WELCOME_BRANCH.map((c) => ({ content: c, desc: '' })), tail: '' } });
      conv.prompt = { id: m.ID, kind, items: WELCOME_BRANCH };
    } else if (kind === 'food') {
      const m = custom(conv, { src: '21', content: { header: 'What do you like to eat?', items: FOOD.map((c) => ({ content: c, desc: '' })), type: 1 } });
      conv.prompt = { id: m.ID, kind, items: FOOD };
    } else {
      const m = custom(conv, { src: '21', content: { header: 'What is your email address?', type: 0 } });
      conv.prompt = { id: m.ID, kind, items: [] };
    }
  }
  function rating(conv: Conversation, type: 1 | 2): void {
    const sessionId = randomUUID();
    const m = custom(conv, {
      src: '9',
      menuContent: {
        head: 'Thank you for utilizing our services, please evaluate this service!',
        tail: 'Thank you for providing evaluation for this service, wishing you a pleasant life, goodbye!',
        menu: MENU,
        type,
        sessionId,
        effectiveHour: 12,
        expireTime: Math.floor(serverNow() / 1000) + (opts.ratingLifetimeSeconds ?? 12 * 3600),
      },
    }, true, conv.seat === 'in' ? undefined : BOT_NICK);
    conv.ratings.set(sessionId, m.ID);
  }
  function end(conv: Conversation, by: 'agent' | 'timeout'): void {
    conv.agent?.stop();
    conv.agent = undefined;
    conv.seat = 'out';
    conv.prompt = undefined;
    custom(conv, { src: by === 'timeout' ? '20' : '19' });
  }
  function human(conv: Conversation): void {
    if (conv.seat === 'in' || conv.agent) return;
    // Nobody at the desk ("Agents available" off): src 18, NO_SEAT_ONLINE in the customer-service
    // plugin's constant.ts (T2; "没有客服在线", no agent online, in Tencent's commented copies). Its
    // body is not published (every kit hides it): the flag alone. The robot keeps the conversation.
    if (opts.agent?.available && !opts.agent.available()) return void custom(conv, { src: '18' });
    conv.prompt = undefined;
    conv.faq = false;
    let agentName: string | undefined;
    const agentHost: AgentHost = {
      queue: () => {},
      waiting: (kind, line) => (kind === 'final' ? undefined : text(conv, line)),
      join: (a) => {
        agentName = a.name;
        conv.seat = 'in';
        custom(conv, { src: '26', content: { command: 'updateSeatStatus', content: 'inSeat' } }, true, a.name);
      },
      // The desk's typing flag is an online-only message: never stored, never in history.
      typing: (on) => void (on && custom(conv, { src: '12' }, false)),
      say: (line) => text(conv, line, agentName),
      requestRating: () => rating(conv, /\bnumbers?\b|\bnumeric\b/i.test(conv.lastText) ? 2 : 1),
      // The XSS injector: every field of the desk's custom messages the widget shows (card,
      // branch menu, forms, rating), an image and a file message, from the seated agent.
      inject: ({ text: t, url }) => {
        deliver(conv, create(conv, DESK, 'TIMImageElem', { imageInfoArray: [{ type: 0, url }] }, agentName), true);
        deliver(conv, create(conv, DESK, 'TIMFileElem', { fileName: t, fileUrl: url, fileSize: 68 }, agentName), true);
        custom(conv, { src: '22', content: { header: t, desc: t, pic: url, url } }, true, agentName);
        custom(conv, { src: '15', content: { header: t, items: [{ content: t, desc: t }], tail: t } }, true, agentName);
        custom(conv, { src: '21', content: { header: t, items: [{ content: t, desc: t }], type: 1 } }, true, agentName);
        custom(conv, { src: '21', content: { header: t, type: 0 } }, true, agentName);
        custom(conv, {
          src: '9',
          menuContent: {
            head: t, tail: t, menu: [{ id: '101', content: t }, { id: '102', content: url }], type: 1,
            sessionId: randomUUID(), effectiveHour: 12, expireTime: Math.floor(serverNow() / 1000) + 3600,
          },
        }, true, agentName);
      },
      end: (by) => end(conv, by),
      // The agent console: the desk's own custom messages, sent by the seated agent.
      controls: {
        branch: { label: 'Branch menu (src 15)', run: () => ask(conv, 'branch') },
        form: { label: 'Form (src 21)', run: () => ask(conv, 'food') },
        card: {
          label: 'Card (src 22)',
          run: () => void custom(conv, { src: '22', content: { header: 'Confab Pro', desc: '$49.00 / month', pic: `data:image/png;base64,${SANDBOX_PNG}`, url: 'https://example.com/pro' } }, true, agentName),
        },
        robot: { label: 'Robot message (src 29)', run: () => welcome(conv) },
      },
    };
    const agent = new ScriptedAgent(agentHost, { ...opts.agent, queueFrom: 0, chat: conv.userID });
    conv.agent = agent;
    agent.start('');
  }

  function onVisitorText(conv: Conversation, line: string): void {
    conv.lastText = line;
    const lower = line.toLowerCase();
    if (/\btimeout\b/.test(lower)) return end(conv, 'timeout');
    if (/\brecall\b/.test(lower) && conv.lastLine && !conv.lastLine.isRevoked) {
      revoke(conv, conv.lastLine);
      return text(conv, 'Correction: delivery is free on orders over €50.', conv.lastLine.nick);
    }
    if (conv.seat === 'in' && conv.agent) return conv.agent.hear(line);
    if (conv.faq && WELCOME_QUESTIONS.includes(line)) return answer(conv, line);
    const prompt = conv.prompt;
    // The desk's "strong equal match": only the exact option text selects it.
    if (prompt && (prompt.kind === 'email' || prompt.items.includes(line))) {
      conv.prompt = undefined;
      modify(conv, prompt.id, (d) => {
        if (isObj(d.content)) d.content.selected = { content: line };
      });
      if (prompt.kind === 'food') return ask(conv, 'email');
      if (prompt.kind === 'email') return text(conv, `Thank you, we noted: ${line.slice(0, 200)}`);
      if (prompt.kind === 'robot') return line === 'Talk to a human' ? human(conv) : text(conv, 'Glad to help.', ROBOT_NICK);
      if (line === 'Order status') return text(conv, 'Your order #1234 shipped yesterday and arrives on Friday.');
      if (line === 'Talk to a human') return human(conv);
      if (line === 'Fill in a form') return ask(conv, 'food');
      if (line === 'Show me a card') {
        custom(conv, { src: '22', content: { header: 'Confab Pro', desc: '$49.00 / month', pic: `data:image/png;base64,${SANDBOX_PNG}`, url: 'https://example.com/pro' } });
        return;
      }
    }
    if (/\bhuman\b/.test(lower)) return human(conv);
    if (/\brate\b/.test(lower)) return rating(conv, /\bnumbers?\b|\bnumeric\b/.test(lower) ? 2 : 1);
    text(conv, 'Please choose one of the options, or type "human" to talk to an agent.');
    ask(conv, 'branch');
  }

  function onVisitorCustom(conv: Conversation, data: Obj): void {
    switch (String(data.src)) {
      case '7':
        conv.agent?.stop();
        conv.agent = undefined;
        conv.seat = 'out';
        custom(conv, { src: '23', content: { menuSendRuleFlag: 7 } });
        custom(conv, { src: '26', content: { command: 'updateSeatStatus', content: 'outSeat' } });
        welcome(conv);
        return ask(conv, 'branch');
      case '10': {
        const sel = isObj(data.menuSelected) ? data.menuSelected : {};
        const id = conv.ratings.get(String(sel.sessionId));
        const entry = id ? conv.byId.get(id) : undefined;
        const menu = entry && isObj(entry.data.menuContent) ? entry.data.menuContent : undefined;
        const option = MENU.find((o) => o.id === String(sel.id));
        const issued = entry && menu ? String(menu.sessionId ?? '') : undefined;
        if (issued !== undefined && sel.sessionId !== issued) {
          violations.push(`src 10 echoed sessionId ${JSON.stringify(sel.sessionId)}, not the rating's ${JSON.stringify(issued)}`);
        }
        // Late, duplicate or unknown selections are refused (the desk's 10150/10152).
        if (!id || !menu || !option || menu.selected || Number(menu.expireTime) * 1000 <= serverNow()) return;
        return modify(conv, id, (d) => {
          if (isObj(d.menuContent)) d.menuContent.selected = { id: option.id, content: option.content };
        });
      }
      case '24':
        if (conv.seat === 'in') rating(conv, 1);
        return;
      case '27':
        // "When the user side has accessed the agent" only: in the bot flow the desk refuses it.
        if (conv.seat !== 'in') return void violations.push('src 27 while no agent held the seat (before inSeat)');
        conv.agent?.visitorLeft();
        conv.agent = undefined;
        conv.seat = 'out';
        custom(conv, { src: '19' });
        return;
      default:
        return;
    }
  }

  // --- loopback socket ---
  const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => {
    let conv: Conversation | undefined;
    const reply = (frame: LoopbackPush): void => void (ws.readyState === 1 && ws.send(JSON.stringify(frame)));
    ws.on('message', (raw) => {
      let req: LoopbackRequest;
      try {
        req = JSON.parse(String(raw)) as LoopbackRequest;
        if (!isObj(req) || typeof req.seq !== 'number') throw new Error('no seq');
      } catch {
        record('tencent', 'malformed', String(raw).slice(0, 200));
        return;
      }
      const fail = (code: number, error: string): void => reply({ op: 'reply', seq: req.seq, ok: false, code, error });
      if (req.op === 'login') {
        record('tencent', 'login', { userID: req.userID }, req.userID);
        if (sigs.get(req.userSig) !== req.userID) return fail(70001, 'userSig invalid');
        conv = conversations.get(req.userID);
        if (!conv) {
          conv = { userID: req.userID, history: [], byId: new Map(), seat: 'out', ratings: new Map(), lastText: '', faq: false };
          conversations.set(req.userID, conv);
        }
        const previous = conv.socket;
        conv.socket = ws;
        conv.userSig = req.userSig;
        if (previous && previous !== ws && previous.readyState === 1) {
          previous.send(JSON.stringify({ op: 'kicked', reason: 'multipleAccount' } satisfies LoopbackPush));
          previous.close();
        }
        return reply({ op: 'reply', seq: req.seq, ok: true, serverTime: serverNow() });
      }
      const c = conv;
      if (!c || c.socket !== ws) return fail(2024, 'not logged in');
      if (req.op === 'history') {
        const end = req.next ? c.history.findIndex((m) => m.ID === req.next) : c.history.length;
        const stop = end < 0 ? 0 : end;
        const start = Math.max(0, stop - 15);
        const page = { messages: c.history.slice(start, stop).map((m) => view(c, m)), complete: start === 0, ...(start > 0 && { next: c.history[start]?.ID }) };
        return reply({ op: 'reply', seq: req.seq, ok: true, page });
      }
      if (req.op !== 'send' || !isObj(req.message) || req.to !== DESK) return fail(2106, 'bad send');
      const onlineUserOnly = req.onlineUserOnly === true;
      const msg = req.message;
      if (msg.op === 'text' && typeof msg.text === 'string') {
        record('tencent', 'text', { text: msg.text, onlineUserOnly }, c.userID);
        const m = create(c, c.userID, 'TIMTextElem', { text: msg.text });
        if (!onlineUserOnly) c.history.push(m);
        reply({ op: 'reply', seq: req.seq, ok: true, message: view(c, m) });
        return later(150, () => onVisitorText(c, msg.text));
      }
      if (msg.op === 'custom' && typeof msg.data === 'string') {
        let data: unknown;
        try {
          data = JSON.parse(msg.data);
        } catch {
          data = undefined;
        }
        // cloudCustomData: the SDK's createCustomMessage option, a string (notes/tencent-sdk.md).
        const cloud = msg.cloudCustomData;
        if (cloud !== undefined && typeof cloud !== 'string') violations.push('cloudCustomData that is not a string');
        record('tencent', isObj(data) ? `src:${String(data.src)}` : 'custom', {
          data: data ?? msg.data,
          onlineUserOnly,
          ...(typeof cloud === 'string' && { cloudCustomData: cloud }),
        }, c.userID);
        const src = isObj(data) ? String(data.src) : '';
        if (ONLINE_ONLY.has(src) && !onlineUserOnly) violations.push(`src ${src} sent without onlineUserOnly`);
        const m = create(c, c.userID, 'TIMCustomElem', { data: msg.data, description: '', extension: '' });
        if (!onlineUserOnly) c.history.push(m);
        reply({ op: 'reply', seq: req.seq, ok: true, message: view(c, m) });
        if (isObj(data)) later(150, () => onVisitorCustom(c, data));
        return;
      }
      fail(2106, 'bad message');
    });
    ws.on('close', () => {
      if (conv?.socket === ws) conv.socket = undefined;
    });
  });

  await new Promise<void>((resolve) => http.listen(opts.port ?? 0, host, resolve));
  const { port } = http.address() as AddressInfo;
  const url = `ws://${host}:${port}/`;
  return {
    vendor: 'tencent',
    url,
    options: { sdkAppId, to: DESK, userSigUrl: `http://${host}:${port}/usersig`, sandbox: url },
    received,
    violations,
    expireSigs() {
      let n = 0;
      for (const c of conversations.values()) {
        if (!c.socket || c.socket.readyState !== 1) continue;
        if (c.userSig) sigs.delete(c.userSig);
        c.socket.send(JSON.stringify({ op: 'kicked', reason: 'userSigExpired' } satisfies LoopbackPush));
        record('tencent', 'kicked', { userID: c.userID, reason: 'userSigExpired' }, c.userID);
        c.socket = undefined;
        n++;
      }
      return n;
    },
    dropClients() {
      for (const client of wss.clients) client.terminate();
      return wss.clients.size;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const c of conversations.values()) c.agent?.stop();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
