/**
 * One WhosOn chat in the sandbox, and the AgentHost the scripted agent (or the agent console)
 * speaks WhosOn through.
 */
import { WebSocket } from 'ws';
import { AGENT_LINES, DEFAULT_AGENT, injectLists, ScriptedAgent, type AgentHost, type InjectPayload, type ScriptedAgentOptions } from './agent';
import { chatUid, clock, escapeHtml, field, operatorData } from './whoson-frames';

/** The operator sees a visitor's preview at most this often; the latest text wins. */
const PREVIEW_THROTTLE_MS = 500;
/** Events kept for a chat whose socket is closed, delivered when it is re-attached. */
const MAX_BACKLOG = 500;
const NOT_AVAILABLE = (time: string) =>
  `No operators are available at this time. Operators may only be available during office hours. The time is currently ${time}.`;

/** What a chat needs from the server that holds it. */
export interface ChatWorld {
  readonly agent: ScriptedAgentOptions | undefined;
  readonly chats: Map<string, Chat>;
  /** How long a chat whose socket closed waits to be re-attached. */
  readonly reattachMs: number;
  /** Preview texts the operator was shown. */
  readonly previews: string[];
  /** The server sends the alternative spellings (ClassName, ChatUID, SessionId). */
  alternative(): boolean;
  /** Accepted chats wait in the queue with no operator (holdOperators). */
  holding(): boolean;
  violation(what: string): void;
}

/** The socket carrying a chat. */
export interface ChatSocket {
  chat: Chat | null;
  readonly socket: WebSocket;
  emit(EventName: string, Data: unknown, ChatUid?: string | null): void;
}

/**
 * One chat: it outlives its socket (W1: "that chat will still function if the connection is
 * closed and re-opened"). While no socket carries it, what it says is kept and delivered on
 * re-attach; after `reattachMs` without one it ends. Visitor lines are echoed once an
 * operator has joined; before that they wait (the document shows echoes in a running chat).
 */
export class Chat implements AgentHost {
  readonly uid = chatUid();
  conn: ChatSocket | null = null;
  agent: ScriptedAgent | null = null;
  agentName: string;
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
    private readonly world: ChatWorld,
    private readonly visitor: string,
    private readonly translateTo: string,
  ) {
    this.agentName = (world.agent?.identity ?? DEFAULT_AGENT).name;
    world.chats.set(this.uid, this);
  }

  attach(conn: ChatSocket): void {
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

  detach(conn: ChatSocket): void {
    if (this.conn !== conn) return;
    this.conn = null;
    if (this.over) return;
    this.expiry = setTimeout(() => this.quit(), this.world.reattachMs);
    this.expiry.unref?.();
  }

  emit(EventName: string, Data: unknown): void {
    if (this.over) return;
    if (this.conn && this.conn.socket.readyState === WebSocket.OPEN) return this.conn.emit(EventName, Data, this.uid);
    if (this.backlog.length < MAX_BACKLOG) this.backlog.push([EventName, Data]);
  }

  line(Classname: string, Content: string): void {
    this.emit('newline', this.world.alternative() ? { ClassName: Classname, Content } : { Classname, Content });
  }

  start(): void {
    const agent = new ScriptedAgent(this, this.world.agent && { ...this.world.agent, chat: this.uid });
    if (!agent.isAvailable()) {
      // "the message to display or a forwarding URL": the XSS injector's URL, if set.
      const forward = injectLists(this.world.agent)?.urls[0];
      this.emit('notaccepted', forward ?? NOT_AVAILABLE(clock()));
      this.over = true;
      return;
    }
    this.agent = agent;
    this.accepted = true;
    this.emit('accepted', 'Please wait. An operator will be with you shortly.');
    if (!this.world.holding()) agent.start(this.visitor);
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
    if (/<\s*\/?\s*original/i.test(text)) this.world.violation('a visitor line carrying an <original> translation claim');
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
      this.world.previews.push(this.pendingPreview);
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
