/**
 * The Tencent Cloud Desk simulator's desk side: what the desk's robot, bot and (scripted or
 * console) agent send as the document's custom messages (src 7–31), and how it answers the
 * visitor's text and custom messages. The loopback socket and the userSig endpoint are in
 * tencent.ts.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { DeskMessage } from '../../transports/tencent/client';
import type { LoopbackPush } from './tencent-loopback-protocol';
import { SANDBOX_PNG, ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';

export const DESK = '@customer_service_account';
/** The flag messages the document says to send with onlineUserOnly: true. */
export const ONLINE_ONLY = new Set(['7', '10', '24', '27']);
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

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface TencentConversation {
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

/** What the desk needs from the running server. */
export interface DeskServerLink {
  agent: ScriptedAgentOptions | undefined;
  ratingLifetimeSeconds: number | undefined;
  /** The simulated server clock (ms). */
  serverNow(): number;
  /** `fn` after `ms` (scaled by the agent's delayScale; cleared on close). */
  later(ms: number, fn: () => void): void;
  violations: string[];
}

export type TencentDesk = ReturnType<typeof tencentDesk>;

export function tencentDesk(link: DeskServerLink) {
  let seq = 0;
  // --- desk side ---
  const push = (conv: TencentConversation, frame: LoopbackPush): void => {
    if (frame.op === 'message' || frame.op === 'modified' || frame.op === 'revoked') link.agent?.desk?.sent('tencent', `${frame.op} ${frame.message.type}`, frame.message, conv.userID);
    if (conv.socket?.readyState === 1) conv.socket.send(JSON.stringify(frame));
  };
  const view = (conv: TencentConversation, m: DeskMessage): DeskMessage => ({ ...m, flow: m.from === conv.userID ? 'out' : 'in' });

  function create(conv: TencentConversation, from: string, type: string, payload: DeskMessage['payload'], nick?: string): DeskMessage {
    return {
      ID: `sim-${++seq}-${randomUUID().slice(0, 8)}`,
      type,
      flow: 'in',
      from,
      conversationID: `C2C${DESK}`,
      time: Math.floor(link.serverNow() / 1000),
      ...(nick && { nick }),
      payload,
    };
  }
  function deliver(conv: TencentConversation, m: DeskMessage, stored: boolean): void {
    if (stored) conv.history.push(m);
    push(conv, { op: 'message', message: view(conv, m), serverTime: link.serverNow() });
  }
  function text(conv: TencentConversation, line: string, nick = BOT_NICK): void {
    const m = create(conv, DESK, 'TIMTextElem', { text: line }, nick);
    conv.lastLine = m;
    deliver(conv, m, true);
  }
  const DESK_FLAG: Obj = { customerServicePlugin: 0 };
  const ROBOT_FLAG: Obj = { chatbotPlugin: 1 };
  function custom(conv: TencentConversation, data: Obj, stored = true, nick = BOT_NICK, flag = DESK_FLAG): DeskMessage {
    const m = create(conv, DESK, 'TIMCustomElem', { data: JSON.stringify({ ...flag, ...data }), description: '', extension: '' }, nick);
    conv.byId.set(m.ID, { message: m, data, flag });
    deliver(conv, m, stored);
    return m;
  }
  /** The robot's own messages (29–31) carry `chatbotPlugin: 1`. */
  const robot = (conv: TencentConversation, data: Obj): DeskMessage => custom(conv, data, true, ROBOT_NICK, ROBOT_FLAG);
  /** The desk changes a message it sent (fills `selected`, grows a stream): MESSAGE_MODIFIED. */
  function modify(conv: TencentConversation, id: string, change: (data: Obj) => void): void {
    const entry = conv.byId.get(id);
    if (!entry) return;
    change(entry.data);
    entry.message.payload = { ...entry.message.payload, data: JSON.stringify({ ...entry.flag, ...entry.data }) };
    push(conv, { op: 'modified', message: view(conv, entry.message), serverTime: link.serverNow() });
  }
  /** The desk recalls a message: marked in history, MESSAGE_REVOKED to the widget. */
  function revoke(conv: TencentConversation, m: DeskMessage): void {
    m.isRevoked = true;
    push(conv, { op: 'revoked', message: view(conv, m), serverTime: link.serverNow() });
  }
  function welcome(conv: TencentConversation): void {
    robot(conv, {
      src: '29',
      subtype: 'welcome_msg',
      content: { title: 'Frequently asked questions', items: WELCOME_QUESTIONS.map((content, i) => ({ id: String(i + 1), content })) },
    });
    conv.faq = true;
  }
  /** The robot answers one of its welcome questions. */
  function answer(conv: TencentConversation, question: string): void {
    if (question === 'Talk to a human') return human(conv);
    if (question !== 'How long does delivery take?') return text(conv, `About "${question}": our help centre has the details.`, ROBOT_NICK);
    const stream = robot(conv, { src: '31', chunks: [], isFinished: 0 });
    const step = (i: number): void => {
      const last = i === STREAMED_ANSWER.length - 1;
      modify(conv, stream.ID, (d) => {
        d.chunks = STREAMED_ANSWER.slice(0, i + 1);
        d.isFinished = last ? 1 : 0;
      });
      if (!last) return link.later(120, () => step(i + 1));
      link.later(150, () => {
        robot(conv, { src: '30', content: RICH_TEXT });
        text(conv, 'Delivery is free on all orders.', ROBOT_NICK);
        const follow = robot(conv, { src: '29', content: { title: 'Anything else?', items: [{ content: 'Talk to a human' }, { content: 'No, thanks' }] } });
        conv.prompt = { id: follow.ID, kind: 'robot', items: ['Talk to a human', 'No, thanks'] };
      });
    };
    link.later(120, () => step(0));
  }
  function ask(conv: TencentConversation, kind: 'branch' | 'food' | 'email'): void {
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
  function rating(conv: TencentConversation, type: 1 | 2): void {
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
        expireTime: Math.floor(link.serverNow() / 1000) + (link.ratingLifetimeSeconds ?? 12 * 3600),
      },
    }, true, conv.seat === 'in' ? undefined : BOT_NICK);
    conv.ratings.set(sessionId, m.ID);
  }
  function end(conv: TencentConversation, by: 'agent' | 'timeout'): void {
    conv.agent?.stop();
    conv.agent = undefined;
    conv.seat = 'out';
    conv.prompt = undefined;
    custom(conv, { src: by === 'timeout' ? '20' : '19' });
  }
  function human(conv: TencentConversation): void {
    if (conv.seat === 'in' || conv.agent) return;
    // Nobody at the desk ("Agents available" off): src 18, NO_SEAT_ONLINE in the customer-service
    // plugin's constant.ts (T2; "没有客服在线", no agent online, in Tencent's commented copies). Its
    // body is not published (every kit hides it): the flag alone. The robot keeps the conversation.
    if (link.agent?.available && !link.agent.available()) return void custom(conv, { src: '18' });
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
            sessionId: randomUUID(), effectiveHour: 12, expireTime: Math.floor(link.serverNow() / 1000) + 3600,
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
    const agent = new ScriptedAgent(agentHost, { ...link.agent, queueFrom: 0, chat: conv.userID });
    conv.agent = agent;
    agent.start('');
  }

  function onVisitorText(conv: TencentConversation, line: string): void {
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

  function onVisitorCustom(conv: TencentConversation, data: Obj): void {
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
          link.violations.push(`src 10 echoed sessionId ${JSON.stringify(sel.sessionId)}, not the rating's ${JSON.stringify(issued)}`);
        }
        // Late, duplicate or unknown selections are refused (the desk's 10150/10152).
        if (!id || !menu || !option || menu.selected || Number(menu.expireTime) * 1000 <= link.serverNow()) return;
        return modify(conv, id, (d) => {
          if (isObj(d.menuContent)) d.menuContent.selected = { id: option.id, content: option.content };
        });
      }
      case '24':
        if (conv.seat === 'in') rating(conv, 1);
        return;
      case '27':
        // "When the user side has accessed the agent" only: in the bot flow the desk refuses it.
        if (conv.seat !== 'in') return void link.violations.push('src 27 while no agent held the seat (before inSeat)');
        conv.agent?.visitorLeft();
        conv.agent = undefined;
        conv.seat = 'out';
        custom(conv, { src: '19' });
        return;
      default:
        return;
    }
  }

  return { view, create, onVisitorText, onVisitorCustom };
}
