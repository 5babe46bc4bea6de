/**
 * Diyalog online help as a relay adapter: the relay plays the part of Diyalog's SDK for one
 * browser, following the document's numbered flow from step 5 on (steps 1–4, the transaction
 * hash, happen between the widget and the site's own server before `start` arrives here).
 *
 * State mapping (isBackground is always true: Confab manages the wait screen, so the document
 * says STARTED "will not return" — the successful start result itself opens the wait screen):
 *   start result true      → accepted + waiting (the waitDisplayText)
 *   start result false     → error "start-failed" with Diyalog's code and message, retryable:
 *                            the session returns to the pre-chat step and offers Retry (the
 *                            browser fetches a fresh transactionHash for it)
 *   STARTED                → same as a successful result, if it comes anyway (at most once)
 *   CHAT_INPROGRESS        → agent joined (chatting)
 *   CHAT_ENDED             → ended; by system with "msg (code …)" when it carries an error
 *   NO_CHAT                → nothing while closed or waiting (it is the initial value, and with
 *                            isBackground no STARTED replaces it); during a conversation the
 *                            help vanished without CHAT_ENDED, so: ended by system.
 *                            The document's prose once spells it "N0_CHAT" (a zero): read alike.
 *   cancel / end           → closeMessaging, ended by visitor
 *
 * A visitor line is sent to Diyalog once per client id: the widget sends a line again on every
 * new connection until it has seen the echo, so a line whose echo was still on its way when the
 * socket dropped arrives twice. The second time, the echo is repeated with the id Diyalog gave
 * the line (the widget de-duplicates by it) and sendMessage is not called (sendMessage has no
 * idempotency key in the document). A line Diyalog refused is not remembered: Retry sends it.
 */
import type { ConfabEventBody, VisitorInfo } from '../../../core/contract';
import type { WireCommand } from '../../../transports/relay/protocol';
import { baseConfig, type AdapterContext, type RelayAdapter, type RelayAdapterFactory } from '../adapter';
import {
  HELP_TYPES,
  ONLINE_HELP_STATES,
  type DiyalogChannel,
  type HelpType,
  type OnlineHelp,
  type OnlineHelpChatMessage,
  type OnlineHelpEvents,
  type OnlineHelpParams,
  type OnlineHelpStartResult,
  type OnlineHelpState,
  type OnlineHelpStateInfo,
} from './diyalog-channel';

export interface DiyalogAdapterDeps {
  channel: DiyalogChannel;
  /** Shown as the representative's name when the channel gives none. */
  agentName?: string;
}

type Phase = 'idle' | 'starting' | 'waiting' | 'chatting' | 'ended';

const MAX_HASH = 512;
const MAX_TEXT = 4000;
const MAX_WAIT_TEXT = 500;
/** Repeats come from reconnects, so only recent lines need remembering. */
const REMEMBERED_CLIENT_IDS = 200;

/**
 * The start command's `visitor` carries the handshake and the customer fields under the
 * document's parameter names (the browser `diyalog` transport puts them there); the generic
 * VisitorInfo names (name, lastName, phone) are accepted as fallbacks.
 */
export function onlineHelpParams(visitor: VisitorInfo): OnlineHelpParams | string {
  const str = (v: string | undefined, max: number) => (v ?? '').trim().slice(0, max);
  const transactionHash = str(visitor.transactionHash, MAX_HASH + 1);
  const deviceHash = str(visitor.deviceHash, MAX_HASH + 1);
  const customerId = str(visitor.customerId, 200);
  if (!transactionHash || transactionHash.length > MAX_HASH) return 'transactionHash is missing or too long';
  if (!deviceHash || deviceHash.length > MAX_HASH) return 'deviceHash is missing or too long';
  if (!customerId) return 'customerId is missing';
  const helpType = visitor.helpType ?? 'chat';
  const fullName = [visitor.name, visitor.lastName].filter(Boolean).join(' ');
  return {
    customerId,
    customerName: str(visitor.customerName || fullName, 200),
    idNumber: int64(visitor.idNumber),
    customerPhone: int64(visitor.customerPhone ?? visitor.phone),
    email: str(visitor.email, 254),
    helpType: (HELP_TYPES as readonly string[]).includes(helpType) ? (helpType as HelpType) : 'chat',
    transactionHash,
    isLoggedIn: visitor.isLoggedIn === 'true',
    isBackground: true,
    waitDisplayText: str(visitor.waitDisplayText, MAX_WAIT_TEXT),
    deviceHash,
  };
}

/**
 * The SDK's Int64 fields as a JS number. Phone numbers arrive formatted ("+90 555 …"), so
 * separators are dropped; anything else, or beyond 2^53, becomes the document's "unknown" 0.
 */
function int64(raw: string | undefined): number {
  const digits = (raw ?? '').replace(/[\s()+.-]/g, '');
  if (!/^\d{1,16}$/.test(digits)) return 0;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : 0;
}

const isState = (v: string): v is OnlineHelpState => (ONLINE_HELP_STATES as readonly string[]).includes(v);
const normalState = (v: unknown) => (v === 'N0_CHAT' ? 'NO_CHAT' : v);

export class DiyalogAdapter implements RelayAdapter {
  readonly hookKey: string;
  private phase: Phase = 'idle';
  private help: OnlineHelp | null = null;
  private waitText = '';
  /** Events that arrived while the start result was still on its way. */
  private early: Array<() => void> | null = null;
  /** Bumped per start, so callbacks of an earlier online help can never touch this one. */
  private generation = 0;
  /** clientId → the id Diyalog gave the line (insertion order: oldest first). */
  private readonly delivered = new Map<string, string>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly deps: DiyalogAdapterDeps,
  ) {
    this.hookKey = ctx.sessionId;
  }

  async open(): Promise<void> {
    // Diyalog's flow has no files, pre-chat survey or offline messages.
    this.emit({ type: 'config', config: { ...baseConfig(this.ctx.files), allowedFileTypes: [], leaveMessage: false } });
  }

  async handle(command: WireCommand): Promise<void> {
    this.ctx.touch();
    switch (command.type) {
      case 'start':
        return this.start(command.visitor);
      case 'send':
        return this.send(command.clientId, command.text);
      case 'cancel':
      case 'end':
        return this.stop();
      default:
        this.emit({ type: 'error', code: 'unsupported', message: `"${command.type}" is not available in this chat.`, fatal: false });
    }
  }

  async close(): Promise<void> {
    const active = this.phase === 'waiting' || this.phase === 'chatting';
    this.phase = 'ended';
    if (active) await this.closeMessaging();
    this.release();
  }

  private async start(visitor: VisitorInfo): Promise<void> {
    if (this.phase === 'starting' || this.phase === 'waiting' || this.phase === 'chatting') {
      this.emit({ type: 'error', code: 'already-started', message: 'The chat has already started.', fatal: false });
      return;
    }
    const params = onlineHelpParams(visitor);
    if (typeof params === 'string') {
      this.ctx.log(`diyalog: bad start command: ${params}`);
      this.emit({ type: 'error', code: 'bad-start', message: `The chat could not be started (${params}).`, fatal: false, retryable: true });
      return;
    }
    this.phase = 'starting';
    this.waitText = params.waitDisplayText;
    this.early = [];
    let result: OnlineHelpStartResult;
    try {
      result = await this.deps.channel.startAnonymousOnlineHelp(params, this.events());
    } catch (err) {
      this.phase = 'idle';
      this.early = null;
      this.ctx.log(`diyalog: startAnonymousOnlineHelp failed: ${String(err)}`);
      this.emit({ type: 'error', code: 'unreachable', message: 'Online help is unreachable right now. Please try again.', fatal: false, retryable: true });
      return;
    }
    if (!result.success) {
      this.phase = 'idle';
      this.early = null;
      const { code, msg } = result.error;
      this.emit({ type: 'error', code: 'start-failed', message: `Online help could not be started: ${describe(code, msg)}`, fatal: false, retryable: true });
      return;
    }
    if (this.phase !== 'starting') {
      // The session closed while Diyalog was answering: do not leave a help open there.
      await result.help.closeMessaging().catch(() => undefined);
      result.help.dispose();
      return;
    }
    this.help = result.help;
    this.enterWaiting();
    const early = this.early;
    this.early = null;
    early.forEach((run) => run());
  }

  /** The channel callbacks, each deferred while the start result is pending. */
  private events(): OnlineHelpEvents {
    const gen = ++this.generation;
    const defer =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (gen !== this.generation) return;
        if (this.early) this.early.push(() => fn(...args));
        else fn(...args);
      };
    return {
      state: defer((value: string, info?: OnlineHelpStateInfo) => this.onState(value, info ?? {})),
      message: defer((m: OnlineHelpChatMessage) => this.onMessage(m)),
      typing: defer((on: boolean) => {
        if (this.phase === 'chatting' && typeof on === 'boolean') this.emit({ type: 'typing', on });
      }),
      lost: defer((reason: string) => {
        if (this.phase !== 'waiting' && this.phase !== 'chatting') return;
        this.ctx.log(`diyalog: channel lost: ${reason}`);
        this.finish({ type: 'ended', by: 'system', text: 'The connection to online help was lost.' });
      }),
    };
  }

  private enterWaiting(): void {
    if (this.phase !== 'starting') return;
    this.phase = 'waiting';
    this.emit({ type: 'accepted' });
    if (this.waitText) this.emit({ type: 'waiting', kind: 'paging', text: this.waitText });
  }

  private onState(raw: string, info: OnlineHelpStateInfo): void {
    const value = normalState(raw);
    if (typeof value !== 'string' || !isState(value)) {
      this.malformed(`unknown online help state ${JSON.stringify(raw)?.slice(0, 60)}`);
      return;
    }
    const active = this.phase === 'waiting' || this.phase === 'chatting';
    switch (value) {
      case 'NO_CHAT':
        if (this.phase === 'chatting') this.finish({ type: 'ended', by: 'system' });
        return;
      case 'STARTED':
        return this.enterWaiting();
      case 'CHAT_INPROGRESS':
        if (this.phase !== 'waiting') return;
        this.phase = 'chatting';
        this.emit({ type: 'agent', action: 'joined', agent: { name: this.agentName(info.agentName), isBot: false } });
        return;
      case 'CHAT_ENDED': {
        if (!active) return;
        const error = info.error;
        if (error && typeof error.code === 'string' && typeof error.msg === 'string') {
          this.finish({ type: 'ended', by: 'system', text: describe(error.code, error.msg) });
        } else {
          // Who ended it is not in the document: a conversation that had started was most
          // likely closed by the representative; one that never started, by Diyalog.
          this.finish({ type: 'ended', by: this.phase === 'chatting' ? 'agent' : 'system' });
        }
      }
    }
  }

  private onMessage(m: OnlineHelpChatMessage): void {
    if (!m || typeof m.id !== 'string' || !m.id || typeof m.text !== 'string') {
      this.malformed('chat message without id or text');
      return;
    }
    if (this.phase !== 'chatting' && this.phase !== 'waiting') return;
    this.emit({
      type: 'message',
      message: {
        id: m.id,
        sender: 'agent',
        text: m.text.slice(0, MAX_TEXT),
        ...(typeof m.authorName === 'string' && m.authorName ? { authorName: m.authorName.slice(0, 100) } : {}),
        ...(typeof m.sentAt === 'number' && Number.isFinite(m.sentAt) ? { sentAt: m.sentAt } : {}),
      },
    });
  }

  private async send(clientId: string, text: string): Promise<void> {
    const known = clientId ? this.delivered.get(clientId) : undefined;
    if (known !== undefined) {
      this.emit({ type: 'message', message: { id: known, sender: 'visitor', text, clientId } });
      return;
    }
    if (this.phase !== 'chatting' || !this.help) {
      this.emit({ type: 'error', code: 'not-chatting', message: 'Your message could not be sent: no representative has joined yet.', fatal: false });
      return;
    }
    try {
      const { id } = await this.help.sendMessage(text.slice(0, MAX_TEXT));
      if (clientId) this.delivered.set(clientId, id);
      if (this.delivered.size > REMEMBERED_CLIENT_IDS) this.delivered.delete(this.delivered.keys().next().value!);
      this.emit({ type: 'message', message: { id, sender: 'visitor', text, clientId } });
    } catch (err) {
      this.ctx.log(`diyalog: sendMessage failed: ${String(err)}`);
      this.emit({ type: 'error', code: 'send-failed', message: 'Your message could not be sent. Please try again.', fatal: false });
    }
  }

  /** Cancel on the wait screen, or End chat: the document's closeMessaging either way. */
  private async stop(): Promise<void> {
    if (this.phase === 'ended') return;
    const active = this.phase === 'waiting' || this.phase === 'chatting';
    // States arriving while we close are the echo of our own closeMessaging: ignore them.
    this.phase = 'ended';
    if (active) await this.closeMessaging();
    this.finish({ type: 'ended', by: 'visitor' });
  }

  private async closeMessaging(): Promise<void> {
    try {
      await this.help?.closeMessaging();
    } catch (err) {
      this.ctx.log(`diyalog: closeMessaging failed: ${String(err)}`);
    }
  }

  private finish(ended: ConfabEventBody & { type: 'ended' }): void {
    this.phase = 'ended';
    this.release();
    this.emit(ended);
  }

  private release(): void {
    this.help?.dispose();
    this.help = null;
  }

  private agentName(fromChannel: string | undefined): string {
    const name = typeof fromChannel === 'string' ? fromChannel.trim().slice(0, 100) : '';
    return name || this.deps.agentName || 'Representative';
  }

  private malformed(detail: string): void {
    console.warn(`confab relay: malformed Diyalog event: ${detail}`);
    this.emit({ type: 'error', code: 'bad-frame', message: 'A message from online help could not be read.', fatal: false });
  }

  private emit(event: ConfabEventBody): void {
    this.ctx.emit(event);
  }
}

function describe(code: string, msg: string): string {
  return `${msg.slice(0, 300) || 'unknown error'} (code ${code.slice(0, 40) || '?'})`;
}

export function createDiyalogAdapterFactory(deps: DiyalogAdapterDeps): RelayAdapterFactory<DiyalogAdapter> {
  return {
    vendor: 'diyalog',
    capabilities: ['cancel', 'end'],
    // Diyalog's document has no server-to-relay callbacks: everything comes through the channel.
    routes: [],
    create: (ctx) => new DiyalogAdapter(ctx, deps),
  };
}
