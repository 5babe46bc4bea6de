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
 *   CHAT_ENDED             → before a representative joined: rejected (nobody available, offline);
 *                            during the conversation: ended; by system with "msg (code …)" when
 *                            it carries an error
 *   NO_CHAT                → nothing while closed or waiting (it is the initial value, and with
 *                            isBackground no STARTED replaces it); during a conversation the
 *                            help vanished without CHAT_ENDED, so: ended by system.
 *                            The document's prose once spells it "N0_CHAT" (a zero): read alike.
 *   cancel / end           → closeMessaging, ended by visitor
 *
 * The queue (D4, and D3: "start this flow in the Diyalog SDK after creating an interaction in
 * your queue structure"): before startAnonymousOnlineHelp the adapter asks the site's queuing
 * service to CreateInteraction and keeps the interaction id with the session. A representative
 * opening it from the queue is what makes CHAT_INPROGRESS come. The interaction is DELETEd when
 * nobody has taken it and the help stops: the visitor cancels, the start fails, CHAT_ENDED or
 * the channel ends the wait, the relay's wait timeout passes, or the session closes.
 * finishonlinehelp (documented for a chat stuck on Diyalog's side) is called when the relay
 * ends a conversation that Diyalog still holds: the channel was lost, or closeMessaging failed.
 *
 * A visitor line is sent to Diyalog once per client id: the widget sends a line again on every
 * new connection until it has seen the echo, so a line whose echo was still on its way when the
 * socket dropped arrives twice. The second time, the echo is repeated with the id Diyalog gave
 * the line (the widget de-duplicates by it) and sendMessage is not called (sendMessage has no
 * idempotency key in the document). A line Diyalog refused is not remembered: Retry sends it.
 */
import type { ConfabEventBody, VisitorInfo } from '../../../core/contract';
import { createLedger, echoOf } from '../../../core/delivery';
import type { WireCommand } from '../../../protocol/relay';
import { DEVICE_HASH_PATTERN } from '../../../transports/diyalog/device-hash';
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
import type { QueuingService } from './diyalog-queue';
import { DIYALOG_START_ERRORS, type DiyalogStartErrorCode } from './diyalog-errors';
import type { DiyalogApplicationApi } from './transaction-hash-issuer';

/** setTimeout / clearTimeout, injected so tests advance time instead of waiting. */
export interface AdapterTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: AdapterTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

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

export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;
const NO_QUEUE =
  'Diyalog: no queuing service (DIYALOG_QUEUE_URL) is configured, so no queue interaction is created and representatives will not be routed chats';

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
  if (!DEVICE_HASH_PATTERN.test(deviceHash)) return 'deviceHash is missing or not base64';
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
  /** The visitor's lines Diyalog took (core/delivery.ts): a resend is echoed again, not sent twice. */
  private readonly lines = createLedger();
  /** The queue's interaction for this session's help, until a representative takes it. */
  private interactionId: string | null = null;
  /** The site's attributes from the last start (`update`), sent as CreateInteraction's attachedData. */
  private attributes: Readonly<Record<string, string>> = {};
  private waitTimer: unknown = null;
  /** The customer and representative of the running help (finishonlinehelp's two ids). */
  private customerId = '';
  private staffId = '';
  /** The channel's own device hash (a real SDK's), when it has one. */
  private channelDeviceHash: string | null = null;
  private readonly timers: AdapterTimers;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly deps: DiyalogAdapterDeps,
  ) {
    this.hookKey = ctx.sessionId;
    this.timers = deps.timers ?? realTimers;
  }

  async open(): Promise<void> {
    if (this.deps.channel.getDeviceHash) {
      try {
        const hash = await this.deps.channel.getDeviceHash({ sessionId: this.ctx.sessionId });
        if (typeof hash === 'string' && DEVICE_HASH_PATTERN.test(hash)) this.channelDeviceHash = hash;
        else this.ctx.log('diyalog: the channel gave a device hash that is not base64 of 8-128 characters; the browser\'s is used');
      } catch (err) {
        this.ctx.log(`diyalog: getDeviceHash failed: ${String(err)}`);
      }
    }
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
    await this.withdrawInteraction();
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
      this.startFailed('DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY', DIYALOG_START_ERRORS.DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY);
      return;
    }
    // A real SDK's device hash is the one Diyalog checks; the transaction was requested for it.
    if (this.channelDeviceHash) params.deviceHash = this.channelDeviceHash;
    this.phase = 'starting';
    this.waitText = params.waitDisplayText;
    this.customerId = params.customerId;
    this.staffId = '';
    if (!(await this.createInteraction(params))) return;
    if (this.phase !== 'starting') return this.withdrawInteraction();
    this.early = [];
    let result: OnlineHelpStartResult;
    try {
      result = await this.deps.channel.startAnonymousOnlineHelp(params, this.events());
    } catch (err) {
      this.phase = 'idle';
      this.early = null;
      await this.withdrawInteraction();
      this.ctx.log(`diyalog: startAnonymousOnlineHelp failed: ${String(err)}`);
      this.emit({ type: 'error', code: 'unreachable', message: 'Online help is unreachable right now. Please try again.', fatal: false, retryable: true });
      return;
    }
    if (!result.success) {
      this.phase = 'idle';
      this.early = null;
      await this.withdrawInteraction();
      const { code, msg } = result.error;
      this.startFailed(code, msg);
      return;
    }
    if (this.phase !== 'starting') {
      // The session closed while Diyalog was answering: do not leave a help open there.
      await result.help.closeMessaging().catch(() => undefined);
      result.help.dispose();
      await this.withdrawInteraction();
      return;
    }
    this.help = result.help;
    this.enterWaiting();
    this.armWaitTimeout();
    const early = this.early;
    this.early = null;
    early.forEach((run) => run());
  }

  /**
   * A failed start, retryable. A documented code keeps its own name (the widget words it in the
   * visitor's language); any other passes through with Diyalog's message, as before.
   */
  private startFailed(code: string, msg: string): void {
    const documented = Object.prototype.hasOwnProperty.call(DIYALOG_START_ERRORS, code);
    this.emit({
      type: 'error',
      code: documented ? (code as DiyalogStartErrorCode) : 'start-failed',
      message: `Online help could not be started: ${describe(code, msg)}`,
      fatal: false,
      retryable: true,
    });
  }

  /** CreateInteraction (D4) before the help starts; false when the visitor was told it failed. */
  private async createInteraction(params: OnlineHelpParams): Promise<boolean> {
    const queue = this.deps.queue;
    if (!queue) return true;
    try {
      this.interactionId = await queue.createInteraction({
        identityNumber: params.idNumber > 0 ? String(params.idNumber) : '',
        customerId: params.customerId,
        attachedData: {
          // The site's attributes (update): D4's attachedData is a string→string map; ours come first.
          ...this.attributes,
          channel: 'web',
          helpType: params.helpType,
          customerName: params.customerName,
          pageUrl: this.ctx.page.url.slice(0, 500),
        },
      });
      return true;
    } catch (err) {
      this.phase = 'idle';
      this.ctx.log(`diyalog: CreateInteraction failed: ${String(err)}`);
      this.emit({ type: 'error', code: 'unreachable', message: 'Online help is unreachable right now. Please try again.', fatal: false, retryable: true });
      return false;
    }
  }

  /** DELETE the interaction nobody took, once. */
  private async withdrawInteraction(): Promise<void> {
    this.disarmWaitTimeout();
    const id = this.interactionId;
    this.interactionId = null;
    if (!id || !this.deps.queue) return;
    try {
      await this.deps.queue.deleteInteraction(id);
    } catch (err) {
      this.ctx.log(`diyalog: DELETE interaction ${id} failed: ${String(err)}`);
    }
  }

  private armWaitTimeout(): void {
    const ms = this.deps.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    if (ms <= 0 || this.phase !== 'waiting') return;
    const gen = this.generation;
    this.waitTimer = this.timers.setTimeout(() => {
      this.waitTimer = null;
      if (gen === this.generation && this.phase === 'waiting') void this.waitTimedOut();
    }, ms);
  }

  private disarmWaitTimeout(): void {
    if (this.waitTimer !== null) this.timers.clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  /** Nobody took the chat in time: stop the help, withdraw it from the queue, go offline. */
  private async waitTimedOut(): Promise<void> {
    this.phase = 'ended';
    await this.closeMessaging();
    await this.withdrawInteraction();
    this.release();
    this.emit({ type: 'rejected', reason: '' });
  }

  /** finishonlinehelp for a conversation Diyalog still holds (needs the representative's id). */
  private async finishOnlineHelp(why: string): Promise<void> {
    if (!this.deps.api) return this.ctx.log(`diyalog: ${why}; no Diyalog API configured to call finishonlinehelp`);
    if (!this.staffId) return this.ctx.log(`diyalog: ${why}; the channel gave no staffId, so finishonlinehelp cannot be called`);
    try {
      await this.deps.api.finishOnlineHelp({ customerId: this.customerId, staffId: this.staffId });
    } catch (err) {
      this.ctx.log(`diyalog: finishonlinehelp failed: ${String(err)}`);
    }
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
        // A representative took it from the queue: the interaction is no longer ours to delete.
        this.interactionId = null;
        this.disarmWaitTimeout();
        if (typeof info.staffId === 'string' && /^[\w.@:-]{1,100}$/.test(info.staffId)) this.staffId = info.staffId;
        this.emit({ type: 'agent', action: 'joined', agent: { name: this.agentName(info.agentName), isBot: false } });
        return;
      case 'CHAT_ENDED': {
        if (!active) return;
        const error = info.error;
        // Ended before any representative took it (NO_REPRESENTATIVE and the like): nobody is
        // available — the offline view, in the visitor's words, not "msg (code X)" (issue 25).
        if (this.phase !== 'chatting') return this.finish({ type: 'rejected', reason: '' });
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
    const known = clientId ? this.lines.get(clientId) : undefined;
    if (known?.id !== undefined) return this.emit({ type: 'message', message: echoOf(known) });
    if (this.phase !== 'chatting' || !this.help) {
      this.emit({ type: 'error', code: 'not-chatting', message: 'Your message could not be sent: no representative has joined yet.', fatal: false });
      return;
    }
    try {
      const { id } = await this.help.sendMessage(text.slice(0, MAX_TEXT));
      if (clientId) {
        this.lines.add(clientId, text, Date.now(), undefined);
        this.lines.claim({ id, clientId });
        const all = this.lines.all();
        if (all.length > REMEMBERED_CLIENT_IDS) this.lines.forget(all[0]!.clientId);
      }
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
    await this.withdrawInteraction();
    this.finish({ type: 'ended', by: 'visitor' });
  }

  /** true when Diyalog took the close. */
  private async closeMessaging(): Promise<boolean> {
    try {
      await this.help?.closeMessaging();
      return true;
    } catch (err) {
      this.ctx.log(`diyalog: closeMessaging failed: ${String(err)}`);
      return false;
    }
  }

  private finish(ended: ConfabEventBody & { type: 'ended' | 'rejected' }): void {
    const wasWaiting = this.interactionId !== null;
    this.phase = 'ended';
    this.release();
    this.emit(ended);
    // The wait ended without a representative (CHAT_ENDED, NO_CHAT, a lost channel).
    if (wasWaiting) void this.withdrawInteraction();
  }

  private release(): void {
    this.disarmWaitTimeout();
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
