/**
 * The agent desk behind the sandbox's agent console (`/agent`): one per vendor. Every
 * ScriptedAgent a simulator starts registers here with the `AgentHost` it drives, so a person
 * can act through exactly the same host methods (the vendor's own frames) as the script does.
 * The first console action on a chat takes it over: the script's timers stop and it no longer
 * answers that chat. The desk also keeps the vendor's wire (frames in and out), bounded.
 */
import { AGENT_ATTACHMENT, type AgentHost, type ScriptedAgent, type ScriptedAgentIdentity } from './agent';
import { ALWAYS, GENERIC, TYPING_UNSEEN, VENDOR_ACTIONS, type DeskAction, type DeskActionInfo } from './desk-actions';
import { VisitorTyping } from './desk-typing';
import type { ReceivedFrame } from './types';

export { TYPING_UNSEEN, VENDOR_ACTIONS, type DeskAction, type DeskActionInfo } from './desk-actions';

/** What a ScriptedAgent needs from the desk (ScriptedAgentOptions.desk). */
export interface DeskLink {
  /**
   * A new chat: answers the host the agent should use (the same host, transcribed). `key`: the
   * vendor's own id of the chat (e.g. WhosOn's ChatUid), when the simulator tags its frames with it.
   */
  attach(agent: ScriptedAgent, host: AgentHost, key?: string): AgentHost;
  /** A visitor line reached the agent; true when a person holds the chat (the script keeps quiet). */
  heard(agent: ScriptedAgent, text: string): boolean;
  /** True when a person answers this chat from its start: the script does not start at all. */
  holds(agent: ScriptedAgent): boolean;
  /**
   * A frame the vendor's server sent to the widget (the inspector's "out" side). `chat`: the
   * chat's key where the simulator knows it; else the chat whose host call sent it, if any.
   */
  sent(channel: string, name: string, payload: unknown, chat?: string): void;
}

export interface DeskLine {
  at: number;
  from: 'visitor' | 'agent' | 'event';
  text: string;
}

export interface WireFrame {
  seq: number;
  at: number;
  dir: 'in' | 'out';
  channel: string;
  name: string;
  /** JSON of the payload, cut at MAX_PAYLOAD characters. */
  payload: string;
  /** The chat's key (DeskSnapshot chat.key); absent where the simulator cannot place the frame (e.g. a login). */
  chat?: string;
}

const TRANSFER_TO: ScriptedAgentIdentity = { name: 'Sam Lee', isBot: false };
const MAX_CHATS = 20;
const MAX_LINES = 300;
const MAX_WIRE = 500;
const MAX_PAYLOAD = 2000;
const MAX_TEXT = 2000;
const MAX_KEY = 80;

interface Chat {
  id: number;
  startedAt: number;
  /** The vendor's id of the chat, or `#<id>` where the simulator gives none. */
  key: string;
  agent: ScriptedAgent;
  host: AgentHost;
  manual: boolean;
  ended: boolean;
  lines: DeskLine[];
}

export interface DeskSnapshot {
  vendor: string;
  hold: boolean;
  /** What the visitor's side last said about typing: null (not typing), or the preview text ('' none). */
  visitorTyping: string | null;
  /** Why the console cannot see the visitor's typing on this vendor (absent where it can). */
  typingUnseen?: string;
  chat: null | { id: number; key: string; startedAt: number; manual: boolean; ended: boolean; lines: DeskLine[]; actions: DeskActionInfo[] };
}

export type DeskEvent = { type: 'chat'; snapshot: DeskSnapshot } | { type: 'wire'; frame: WireFrame };

function clip(payload: unknown): string {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : JSON.stringify(payload) ?? String(payload);
  } catch {
    text = String(payload);
  }
  return text.length > MAX_PAYLOAD ? `${text.slice(0, MAX_PAYLOAD)}…` : text;
}

export class Desk implements DeskLink {
  private readonly chats: Chat[] = [];
  private readonly frames: WireFrame[] = [];
  private readonly listeners = new Set<(e: DeskEvent) => void>();
  private nextChat = 1;
  private nextFrame = 1;
  private inCursor = 0;
  /** New chats are a person's from the start (the console's "Answer new chats myself"). */
  hold = false;
  /** What the visitor's side last said about typing (read off the inbound frames). */
  private readonly typing = new VisitorTyping(() => this.publish());
  /** The chat whose host call is running: frames it sends without a key are its own. */
  private acting: Chat | null = null;

  /** `received`: the simulator's inbound log (read for new frames when the wire is asked for). */
  constructor(
    readonly vendor: string,
    private readonly received: () => readonly ReceivedFrame[] = () => [],
  ) {}

  attach(agent: ScriptedAgent, host: AgentHost, key?: string): AgentHost {
    const id = this.nextChat++;
    const chat: Chat = { id, key: key?.slice(0, MAX_KEY) || `#${id}`, startedAt: Date.now(), agent, host, manual: this.hold, ended: false, lines: [] };
    this.chats.push(chat);
    if (this.chats.length > MAX_CHATS) this.chats.shift();
    const note = (from: DeskLine['from'], text: string) => this.line(chat, from, text);
    // Frames sent during a host call belong to this chat (restored after: calls may nest).
    const as = <T>(run: () => T): T => {
      const before = this.acting;
      this.acting = chat;
      try {
        return run();
      } finally {
        this.acting = before;
      }
    };
    // Every member named (hosts may be class instances: their methods are not own properties).
    const wrapped: AgentHost = {
      queue: (position, total) => (note('event', `Queue position ${position} of ${total}`), as(() => host.queue(position, total))),
      waiting: (kind, text) => (note('event', `${kind}: ${text}`), as(() => host.waiting(kind, text))),
      join: (who) => (note('event', `${who.name} joined`), as(() => host.join(who))),
      typing: (on) => as(() => host.typing(on)),
      say: (text, html) => (note('agent', text), as(() => host.say(text, html))),
      end: (by) => {
        chat.ended = true;
        note('event', `Ended (${by})`);
        as(() => host.end(by));
      },
    };
    if (host.controls) wrapped.controls = host.controls;
    if (host.inject) wrapped.inject = (p) => as(() => host.inject?.(p));
    if (host.requestFile) wrapped.requestFile = (types) => (note('event', `Asked for a file (${types.join(', ')})`), as(() => host.requestFile?.(types)));
    if (host.requestField) wrapped.requestField = (f) => (note('event', `Asked for ${f.name}`), as(() => host.requestField?.(f)));
    if (host.sendAttachment) wrapped.sendAttachment = (f) => (note('event', `Sent ${f.name}`), as(() => host.sendAttachment?.(f)));
    if (host.requestRating) wrapped.requestRating = () => (note('event', 'Asked for a rating'), as(() => host.requestRating?.()));
    chat.host = wrapped;
    this.publish();
    return wrapped;
  }

  heard(agent: ScriptedAgent, text: string): boolean {
    const chat = this.chats.find((c) => c.agent === agent);
    if (!chat) return false;
    this.typing.clear();
    this.line(chat, 'visitor', text);
    return chat.manual;
  }

  holds(agent: ScriptedAgent): boolean {
    return this.chats.find((c) => c.agent === agent)?.manual === true;
  }

  sent(channel: string, name: string, payload: unknown, chat?: string): void {
    // With a console watching, the frames in that led to this one are listed first. (Without
    // one, nothing reads the inbound log per frame: a benchmark's flood stays linear.)
    if (this.listeners.size) this.pullReceived();
    this.frame('out', channel, name, payload, Date.now(), chat || this.acting?.key);
  }

  /** The chat in progress: the newest one. */
  snapshot(): DeskSnapshot {
    const chat = this.chats[this.chats.length - 1];
    const unseen = TYPING_UNSEEN[this.vendor];
    const head = { vendor: this.vendor, hold: this.hold, visitorTyping: this.typing.value, ...(unseen ? { typingUnseen: unseen } : {}) };
    if (!chat) return { ...head, chat: null };
    return {
      ...head,
      chat: { id: chat.id, key: chat.key, startedAt: chat.startedAt, manual: chat.manual, ended: chat.ended, lines: chat.lines.slice(), actions: this.actions(chat) },
    };
  }

  /** The wire so far (after `since`), oldest first. */
  wire(since = 0): WireFrame[] {
    this.pullReceived();
    return this.frames.filter((f) => f.seq > since);
  }

  subscribe(fn: (e: DeskEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Checks the simulator's inbound log for frames the desk has not seen (SSE polls this). */
  pullReceived(): void {
    const all = this.received();
    if (all.length < this.inCursor) this.inCursor = 0; // a restarted server starts a new log
    for (const f of all.slice(this.inCursor)) this.frame('in', f.channel, f.name, f.payload, f.at, f.chat);
    this.inCursor = all.length;
  }

  /** A person acts on the chat in progress. Answers an error text, or null when done. */
  act(action: string, text = ''): string | null {
    const chat = this.chats[this.chats.length - 1];
    if (!chat) return 'no chat in progress';
    if (chat.ended) return 'the chat has ended';
    const allowed = this.actions(chat).some((a) => a.action === action);
    if (!allowed && action !== 'take-over') return `${this.vendor} has no ${action}`;
    if (!chat.manual) {
      chat.manual = true;
      chat.agent.stop();
      this.line(chat, 'event', 'A person took the chat over from the script');
    }
    const before = this.acting;
    this.acting = chat; // a control's frames (run below) are this chat's
    try {
      return this.run(chat, action, text);
    } finally {
      this.acting = before;
    }
  }

  private run(chat: Chat, action: string, text: string): string | null {
    const h = chat.host;
    const line = text.trim().slice(0, MAX_TEXT);
    switch (action) {
      case 'take-over': break;
      case 'say':
        if (!line) return 'nothing to send';
        h.typing(false);
        h.say(line);
        break;
      case 'typing-on': h.typing(true); break;
      case 'typing-off': h.typing(false); break;
      case 'queue': h.queue(Math.max(1, Number(line) || 2), 5); break;
      case 'paging': h.waiting('paging', 'Please wait. An operator will be with you shortly.'); break;
      case 'waiting1': h.waiting('waiting1', 'One moment please...'); break;
      case 'waiting2': h.waiting('waiting2', 'We apologize for the delay. An operator will be with you shortly.'); break;
      case 'join': h.join({ name: line || 'Alex Morgan', isBot: false }); break;
      case 'transfer': h.join(TRANSFER_TO); break;
      case 'request-file': h.requestFile?.(['pdf', 'png', 'jpg', 'txt']); break;
      case 'request-field': h.requestField?.({ name: 'OrderNumber', prompt: line || 'Please enter the order number:', maxLength: 10 }); break;
      case 'attach': h.sendAttachment?.(AGENT_ATTACHMENT); break;
      case 'rating': h.requestRating?.(); break;
      case 'end': chat.agent.finish('agent'); break;
      case 'timeout':
        if (h.controls?.timeout) h.controls.timeout.run();
        else chat.agent.finish('timeout');
        break;
      default: {
        const control = h.controls?.[action.slice('control:'.length)];
        if (!control) return `${this.vendor} has no ${action}`;
        this.line(chat, 'event', control.label);
        control.run(line);
      }
    }
    this.publish();
    return null;
  }

  private actions(chat: Chat): DeskActionInfo[] {
    const list = VENDOR_ACTIONS[this.vendor] ?? ALWAYS;
    const generic = (Object.keys(GENERIC) as (keyof typeof GENERIC)[])
      .filter((action) => list.includes(action))
      .map((action) => ({ action, label: GENERIC[action] }));
    const own = Object.entries(chat.host.controls ?? {})
      .filter(([name]) => name !== 'timeout')
      .map(([name, c]) => ({ action: `control:${name}` as DeskAction, label: c.label }));
    return [...generic, ...own];
  }

  private line(chat: Chat, from: DeskLine['from'], text: string): void {
    chat.lines.push({ at: Date.now(), from, text: text.slice(0, MAX_TEXT) });
    if (chat.lines.length > MAX_LINES) chat.lines.shift();
    this.publish();
  }

  private frame(dir: 'in' | 'out', channel: string, name: string, payload: unknown, at = Date.now(), chat?: string): void {
    const frame: WireFrame = { seq: this.nextFrame++, at, dir, channel, name, payload: clip(payload) };
    if (chat) frame.chat = chat.slice(0, MAX_KEY);
    this.frames.push(frame);
    if (this.frames.length > MAX_WIRE) this.frames.shift();
    for (const fn of this.listeners) fn({ type: 'wire', frame });
    if (dir === 'in') this.typing.read(name, payload, frame.payload);
  }

  private publish(): void {
    if (!this.listeners.size) return;
    const snapshot = this.snapshot();
    for (const fn of this.listeners) fn({ type: 'chat', snapshot });
  }
}
