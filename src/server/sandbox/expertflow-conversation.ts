/**
 * How an ExpertFlow conversation behaves, whatever socket.io generation carries it: the
 * document's ChatMessage and ActivityMessage frames, the AgentHost the scripted agent (or the
 * agent console) speaks through, the bot-first flow, and the Participant checks.
 */
import { ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';
import { iso, obj, str, type ExpertFlowConversation, type ExpertFlowExtra, type ExpertFlowStore, type Obj, type WireParticipant } from './expertflow-store';

/** The bot's lines (bot-first flow). */
export const BOT_LINES = {
  name: 'Virtual Assistant',
  greeting: (visitor: string) =>
    `Hi ${visitor || 'there'}, I am the virtual assistant. Ask me anything, or type "agent" to talk to a person.`,
  answer: 'I can help with orders, invoices and deliveries. Type "agent" to talk to a person.',
  handOff: 'Let me find a person for you.',
} as const;
const ASKS_FOR_PERSON = /\b(agent|human|person)\b/i;
export const GREETING_TEXT = 'Thank you for contacting us.';
const NO_AGENT_TEXT = 'No agents are available at the moment. Please try again later.';
/** The document's Participant has exactly these members. */
const PARTICIPANT_KEYS = ['id', 'name'];

export type ConversationRules = ReturnType<typeof conversationRules>;

/** The conversation behaviour over `store` (its `deliver` reaches the running server's rooms). */
export function conversationRules(store: ExpertFlowStore, agentOptions: ScriptedAgentOptions) {
  const scale = agentOptions.delayScale ?? 1;
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

  return { violation, extra, wire, withText, checkParticipant, deliver, activity, noAgent, hostFor, handToAgent, botSay, botHears, conversationOf };
}
