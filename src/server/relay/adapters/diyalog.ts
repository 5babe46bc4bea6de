/**
 * Diyalog online help as a relay adapter: the relay plays the part of Diyalog's SDK for one
 * browser, following the document's numbered flow from step 5 on (steps 1–4, the transaction
 * hash, happen between the widget and the site's own server before `start` arrives here).
 *
 * The online help states as chat steps: ./diyalog-events.ts. The queue's interaction and the
 * wait timeout: ./diyalog-wait.ts. The start command's parameters: ./diyalog-params.ts.
 *
 * Closing a help on Diyalog's side (closeMessaging, finishonlinehelp): ./diyalog-close.ts.
 * A visitor line goes to Diyalog once per client id: ./diyalog-lines.ts.
 */
import type { ConfabEventBody, VisitorInfo } from '../../../core/contract';
import type { WireCommand } from '../../../protocol/relay';
import { baseConfig, type AdapterContext, type RelayAdapter, type RelayAdapterFactory } from '../adapter';
import type {
  DiyalogChannel,
  OnlineHelp,
  OnlineHelpChatMessage,
  OnlineHelpEvents,
  OnlineHelpParams,
  OnlineHelpStartResult,
  OnlineHelpStateInfo,
} from './diyalog-channel';
import type { QueuingService } from './diyalog-queue';
import { DIYALOG_START_ERRORS, startFailedEvent } from './diyalog-errors';
import { channelDeviceHash, onlineHelpParams } from './diyalog-params';
import { agentLine, stateStep, type Finish, type Phase } from './diyalog-events';
import { closeMessaging, finishOnlineHelp } from './diyalog-close';
import { SentLines } from './diyalog-lines';
import { QueueWait, type AdapterTimers } from './diyalog-wait';
import type { DiyalogApplicationApi } from './transaction-hash-issuer';

export { onlineHelpParams } from './diyalog-params';
export { DEFAULT_WAIT_TIMEOUT_MS, type AdapterTimers } from './diyalog-wait';

export interface DiyalogAdapterDeps {
  channel: DiyalogChannel;
  /** The site's queuing service (DIYALOG_QUEUE_URL). Without it no representative is routed chats. */
  queue?: QueuingService;
  /** The signed REST client, for finishonlinehelp. */
  api?: Pick<DiyalogApplicationApi, 'finishOnlineHelp'>;
  /** How long a visitor waits for a representative before the wait ends (0: no limit). */
  waitTimeoutMs?: number;
  timers?: AdapterTimers;
  /** Shown as the representative's name when the channel gives none. */
  agentName?: string;
  /** Operator notices (default console.warn). */
  log?: (message: string) => void;
}

const NO_QUEUE =
  'Diyalog: no queuing service (DIYALOG_QUEUE_URL) is configured, so no queue interaction is created and representatives will not be routed chats';

const MAX_TEXT = 4000;
const UNREACHABLE: ConfabEventBody = { type: 'error', code: 'unreachable', message: 'Online help is unreachable right now. Please try again.', fatal: false, retryable: true };

export class DiyalogAdapter implements RelayAdapter {
  readonly hookKey: string;
  private phase: Phase = 'idle';
  private help: OnlineHelp | null = null;
  private waitText = '';
  /** Events that arrived while the start result was still on its way. */
  private early: Array<() => void> | null = null;
  /** Bumped per start, so callbacks of an earlier online help can never touch this one. */
  private generation = 0;
  /** The visitor's lines Diyalog took: a resend is echoed again, not sent twice. */
  private readonly lines = new SentLines();
  /** The site's attributes from the last start (`update`), sent as CreateInteraction's attachedData. */
  private attributes: Readonly<Record<string, string>> = {};
  /** The customer and representative of the running help (finishonlinehelp's two ids). */
  private customerId = '';
  private staffId = '';
  /** The channel's own device hash (a real SDK's), when it has one. */
  private channelDeviceHash: string | null = null;
  private readonly wait: QueueWait;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly deps: DiyalogAdapterDeps,
  ) {
    this.hookKey = ctx.sessionId;
    this.wait = new QueueWait(deps.queue, (m) => ctx.log(m), deps.waitTimeoutMs, deps.timers);
  }

  async open(): Promise<void> {
    this.channelDeviceHash = await channelDeviceHash(this.deps.channel, this.ctx.sessionId, (m) => this.ctx.log(m));
    // Diyalog's flow has no files or offline messages. The name field is added in the browser
    // when the site did not identify the visitor (Diyalog refuses an empty customerName).
    this.emit({
      type: 'config',
      config: {
        ...baseConfig(this.ctx.files),
        allowedFileTypes: [],
        leaveMessage: false,
        ...(this.channelDeviceHash ? { deviceHash: this.channelDeviceHash } : {}),
      },
    });
  }

  async handle(command: WireCommand): Promise<void> {
    this.ctx.touch();
    switch (command.type) {
      case 'start':
        this.attributes = command.attributes ?? {};
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

  /** The relay ends the session (expired, shutting down): Diyalog must not keep it. */
  async close(): Promise<void> {
    const was = this.phase;
    this.phase = 'ended';
    if (was === 'waiting' || was === 'chatting') {
      const closed = await this.closeMessaging();
      if (was === 'chatting' && !closed) await this.finishOnlineHelp('the session ended and closeMessaging failed');
    }
    await this.wait.withdraw();
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
    if (!params.customerName) {
      // The SDK refuses it (DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY): say so without queueing anyone.
      this.emit(startFailedEvent('DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY', DIYALOG_START_ERRORS.DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY));
      return;
    }
    // A real SDK's device hash is the one Diyalog checks; the transaction was requested for it.
    if (this.channelDeviceHash) params.deviceHash = this.channelDeviceHash;
    this.phase = 'starting';
    this.waitText = params.waitDisplayText;
    this.customerId = params.customerId;
    this.staffId = '';
    if (!(await this.createInteraction(params))) return;
    if (this.phase !== 'starting') return this.wait.withdraw();
    this.early = [];
    let result: OnlineHelpStartResult;
    try {
      result = await this.deps.channel.startAnonymousOnlineHelp(params, this.events());
    } catch (err) {
      this.phase = 'idle';
      this.early = null;
      await this.wait.withdraw();
      this.ctx.log(`diyalog: startAnonymousOnlineHelp failed: ${String(err)}`);
      this.emit(UNREACHABLE);
      return;
    }
    if (!result.success) {
      this.phase = 'idle';
      this.early = null;
      await this.wait.withdraw();
      const { code, msg } = result.error;
      this.emit(startFailedEvent(code, msg));
      return;
    }
    if (this.phase !== 'starting') {
      // The session closed while Diyalog was answering: do not leave a help open there.
      await result.help.closeMessaging().catch(() => undefined);
      result.help.dispose();
      await this.wait.withdraw();
      return;
    }
    this.help = result.help;
    this.enterWaiting();
    this.armWaitTimeout();
    const early = this.early;
    this.early = null;
    early.forEach((run) => run());
  }

  /** CreateInteraction (D4) before the help starts; false when the visitor was told it failed. */
  private async createInteraction(params: OnlineHelpParams): Promise<boolean> {
    try {
      await this.wait.create(params, this.attributes, this.ctx.page.url);
      return true;
    } catch (err) {
      this.phase = 'idle';
      this.ctx.log(`diyalog: CreateInteraction failed: ${String(err)}`);
      this.emit(UNREACHABLE);
      return false;
    }
  }

  private armWaitTimeout(): void {
    if (this.phase !== 'waiting') return;
    const gen = this.generation;
    this.wait.arm(() => {
      if (gen === this.generation && this.phase === 'waiting') void this.waitTimedOut();
    });
  }

  /** Nobody took the chat in time: stop the help, withdraw it from the queue, go offline. */
  private async waitTimedOut(): Promise<void> {
    this.phase = 'ended';
    await this.closeMessaging();
    await this.wait.withdraw();
    this.release();
    this.emit({ type: 'rejected', reason: '' });
  }

  private finishOnlineHelp(why: string): Promise<void> {
    return finishOnlineHelp(this.deps.api, { customerId: this.customerId, staffId: this.staffId }, why, (m) => this.ctx.log(m));
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
        const was = this.phase;
        if (was !== 'waiting' && was !== 'chatting') return;
        this.ctx.log(`diyalog: channel lost: ${reason}`);
        this.finish({ type: 'ended', by: 'system', text: 'The connection to online help was lost.' });
        // Diyalog may still hold the conversation (its agent sees a customer who is gone).
        if (was === 'chatting') void this.finishOnlineHelp('the channel was lost during the conversation');
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
    const next = stateStep(this.phase, raw, info);
    switch (next.step) {
      case 'malformed':
        return this.malformed(next.detail);
      case 'waiting':
        return this.enterWaiting();
      case 'joined':
        this.phase = 'chatting';
        this.wait.taken();
        if (next.staffId) this.staffId = next.staffId;
        this.emit({ type: 'agent', action: 'joined', agent: { name: this.agentName(info.agentName), isBot: false } });
        return;
      case 'finish':
        return this.finish(next.event);
    }
  }

  private onMessage(m: OnlineHelpChatMessage): void {
    const line = agentLine(m);
    if (!line) return this.malformed('chat message without id or text');
    if (this.phase === 'chatting' || this.phase === 'waiting') this.emit(line);
  }

  private async send(clientId: string, text: string): Promise<void> {
    const again = this.lines.echoOf(clientId);
    if (again) return this.emit({ type: 'message', message: again });
    if (this.phase !== 'chatting' || !this.help) {
      this.emit({ type: 'error', code: 'not-chatting', message: 'Your message could not be sent: no representative has joined yet.', fatal: false });
      return;
    }
    try {
      const { id } = await this.help.sendMessage(text.slice(0, MAX_TEXT));
      this.lines.taken(clientId, text, id);
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
    const chatting = this.phase === 'chatting';
    this.phase = 'ended';
    if (active && !(await this.closeMessaging()) && chatting) await this.finishOnlineHelp('closeMessaging failed as the visitor ended');
    // Cancel on the wait screen: the interaction must not reach a representative (D4).
    await this.wait.withdraw();
    this.finish({ type: 'ended', by: 'visitor' });
  }

  private closeMessaging(): Promise<boolean> {
    return closeMessaging(this.help, (m) => this.ctx.log(m));
  }

  private finish(ended: Finish): void {
    const wasWaiting = this.wait.pending;
    this.phase = 'ended';
    this.release();
    this.emit(ended);
    // The wait ended without a representative (CHAT_ENDED, NO_CHAT, a lost channel).
    if (wasWaiting) void this.wait.withdraw();
  }

  private release(): void {
    this.wait.disarm();
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

export function createDiyalogAdapterFactory(deps: DiyalogAdapterDeps): RelayAdapterFactory<DiyalogAdapter> {
  // Said once, at start: without the queue, the chat waits for a representative who never comes.
  if (!deps.queue) (deps.log ?? ((m: string) => console.warn(`confab relay: ${m}`)))(NO_QUEUE);
  return {
    vendor: 'diyalog',
    capabilities: ['cancel', 'end'],
    // Diyalog's document has no server-to-relay callbacks: everything comes through the channel.
    routes: [],
    create: (ctx) => new DiyalogAdapter(ctx, deps),
  };
}
