/**
 * Tencent Cloud Desk transport: the desk's custom messages (keyed by `src`) over a Tencent
 * Chat client, turned into Confab events.
 *
 * Options (data-* attributes):
 *   data-sdk-app-id   the Chat application's SDKAppID
 *   data-to           the desk's IM agent virtual number (default @customer_service_account)
 *   data-user-sig-url the site's own endpoint that mints a userSig (never minted in the browser)
 *   data-sandbox      ws://127.0.0.1:port — talk to the sandbox simulator over its loopback
 *                     WebSocket instead of Tencent's SDK (demo and tests only)
 *
 * How the visitor gets a Tencent userID: POST `{visitorId, userID?}` as JSON to
 * data-user-sig-url with credentials 'same-origin', expecting `{userID, userSig}`. Sending
 * the visitor id lets the site map a browser to a stable userID (and so to its history);
 * the previous userID (from `resume`) lets it keep the same one after a navigation, and after
 * a userSig expired mid-chat (the SDK's KICKED_OUT userSigExpired): then we ask again and log in anew.
 *
 * Nothing of the SDK runs before `connect`: the client (and with it the SDK, which opens a
 * socket on create()) is imported lazily in its own chunk.
 *
 * Flow rules (Tencent's Chat SDK documentation and its customer-service plugin 2.2.6, the
 * oracle of test/tencent/differential.test.ts):
 * - src 7 goes out online-only, once per flow: on `start`, not on reconnects; again only
 *   after the flow ended. A reload that finds a live flow in history does not re-trigger.
 * - Every message is de-duplicated by its ID (live pushes and history pages overlap).
 * - Commands issued before the SDK is ready wait in a queue and go out once it is; "end"
 *   meanwhile ends at once, drops what would go on with the flow, and owes the desk src 27.
 * - History is read on every ready. If its last flow message is an end flag (19/20/27), a
 *   flow this page was running ends with it; otherwise that flag is no line of its own.
 * - "Ask for a rating" is offered only while an agent holds the seat (document, src 24).
 * - "End chat" sends src 27 only while a human agent holds the seat (src 26 inSeat): the
 *   document allows it "when the user side has accessed the agent". In the bot flow the chat
 *   ends here and the desk is told nothing.
 * - A satisfaction choice (src 10) echoes the desk's `sessionId`, or '' when it sent none.
 * - The robot's answers (src 29–31) follow map.ts; a modified message updates its line in
 *   place (`message-updated`: src 31 streams so), a recalled one is withdrawn
 *   (MESSAGE_REVOKED, or `isRevoked` in history). src 30 Markdown is rendered by a lazy chunk
 *   (../markdown.ts) and its line updated with the HTML, which the UI sanitizes.
 * - A visitor line is sent once. The core re-sends a line whose echo is missing, with its
 *   client id, on each new connection and after a reload; a line whose send was cut with the
 *   socket may still have reached the desk. Commands wait while history is read on ready, a
 *   visitor text found there is matched to such a line (which then is echoed, not sent
 *   again), and the lines still in doubt travel in the resume token across a reload.
 */
import type {
  BranchPrompt,
  Capability,
  Command,
  EventSink,
  FormPrompt,
  RatingPolicy,
  RatingRequest,
  Transport,
  TransportFactory,
  TransportOptions,
} from '../../core/contract';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { createLedger } from '../../core/delivery';
import { doubtToken, restoreDoubt } from '../../core/delivery-token';
import { createKit, createReadyQueue } from '../../core/transport-kit';
import { DEFAULT_DESK_ACCOUNT } from './client';
import type { DeskClient, DeskClientInit, DeskEvent } from './client';
import { fetchCredentials, isRecord } from './credentials';
import { receive, withdraw } from './incoming';
import { restore } from './history';
import { run } from './commands';
import { endData } from './outgoing';

export type DeskClientLoader = (init: DeskClientInit) => Promise<DeskClient>;

const CAPABILITIES: ReadonlySet<Capability> = new Set(['end', 'rating', 'ask-rating', 'card', 'resume']);
/** The desk sends no "typing stopped": the indicator clears itself after this long. */
const TYPING_MS = 6000;
/** A userSig that expires again this soon after being renewed is not worth another round. */
const RENEW_GUARD_MS = 60_000;
/**
 * How much earlier than a line was first put on the wire its stored copy may be stamped and
 * still be that line: message times are whole seconds, and `at` is the server clock as this
 * page estimates it. A wider margin would take an identical earlier line for this one.
 */
const CLAIM_SLACK_MS = 2000;
/**
 * What an early "end" drops from the queue: commands that would start the flow or carry it
 * on after the visitor left it. Ratings stay (they are given after the end anyway).
 */
const FLOW_COMMANDS: ReadonlySet<Command['type']> = new Set(['start', 'send', 'choose', 'submit-form', 'send-card', 'ask-rating']);

/**
 * With data-sandbox, the sandbox's stand-in for Tencent's SDK: a module the sandbox serves next
 * to the built assets (src/server/sandbox/tencent-loopback-module.ts), so it is never part of
 * the product build. Tests in Node pass their own loader with the same client.
 */
const SANDBOX_CLIENT = '../sandbox/tencent-loopback.js';
const chunkUrl = import.meta.url;
const loadClient: DeskClientLoader = (init) =>
  init.sandbox
    ? (import(/* @vite-ignore */ new URL(SANDBOX_CLIENT, chunkUrl).href) as Promise<{ createLoopbackClient(url: string): DeskClient }>).then((m) =>
        m.createLoopbackClient(init.sandbox as string),
      )
    : import('./sdk-client').then((m) => m.createSdkClient(init.sdkAppId));

export const createTransport: TransportFactory = (options) => new TencentTransport(options, loadClient);

export function createTencentTransport(options: TransportOptions, load: DeskClientLoader = loadClient): Transport {
  return new TencentTransport(options, load);
}

/** The transport's state is shared with incoming.ts, history.ts and commands.ts (not API). */
export class TencentTransport implements Transport {
  readonly capabilities = CAPABILITIES;
  readonly kit;
  /** Commands wait here until the client is ready and history read (`flush`). */
  readonly queue = createReadyQueue<Command>((c) => this.exec(c));
  readonly to: string;
  client?: DeskClient;
  ready = false;
  everOpen = false;
  attempt = 0;
  readonly seen = new Set<string>();
  /** Messages recalled: withdrawn once, and later copies or modifications ignored. */
  readonly withdrawn = new Set<string>();
  /** The visitor's lines put on the wire (core/delivery.ts), in doubt ones from the resume token. */
  readonly lines = createLedger(CLAIM_SLACK_MS);
  /** History reads on ready still running: commands wait for them, as for ready. */
  restoring = 0;
  userID = '';
  seat?: 'in' | 'out';
  readonly prompts = new Map<string, BranchPrompt | FormPrompt>();
  readonly ratings = new Map<string, RatingRequest>();
  /** Rating id → the desk's `sessionId` ('' when it sent none): what src 10 echoes. */
  readonly ratingSessions = new Map<string, string>();
  /** Markdown renders in flight, by line id: only the newest version's result is used. */
  readonly renders = new Map<string, number>();
  /** The desk's rating rules (src 23), as sent. */
  policy?: RatingPolicy;
  /** The rating rules as last published to the core (the desk's, narrowed by `mayAsk`). */
  published?: RatingPolicy;
  /** The current flow ended (by the desk or the visitor), until the next start or seat. */
  flowEnded = false;
  triggered = false;
  endedLocally = false;
  /** History showed a flow still running (reload mid-conversation). */
  liveFlow = false;
  /** History has been read once (the first read is the one that resumes a chat). */
  restored = false;
  /**
   * The visitor ended the chat before the SDK was ready: src 27 is owed to the desk once it
   * is, for a flow this page ran ('flow') or one the session resumes if history shows it live.
   */
  endOwed?: 'flow' | 'resumed';
  /** data-user-sig-url, checked; where a fresh userSig comes from when one expires. */
  sigUrl = '';
  /** When the userSig was last renewed: a second expiry within RENEW_GUARD_MS ends the chat. */
  renewedAt = -Infinity;

  constructor(
    readonly options: TransportOptions,
    private readonly load: DeskClientLoader,
  ) {
    this.kit = createKit({ vendor: 'tencent', clock: options.clock, agentTypingMs: TYPING_MS });
    this.to = options.options.to || DEFAULT_DESK_ACCOUNT;
    const resume = options.resume;
    if (isRecord(resume) && !Array.isArray(resume)) restoreDoubt(this.lines, resume.sending);
  }

  connect(sink: EventSink): void {
    this.kit.connect(sink);
    this.kit.emit({ type: 'connection', state: 'connecting' });
    this.kit.emit({
      type: 'config',
      config: { prechat: [], postchat: [], allowedFileTypes: [], leaveMessage: false, previewAllowed: false },
    });
    this.boot().catch((e: unknown) => this.fail('connect-failed', t('error.signIn'), e));
  }

  send(command: Command): void {
    if (this.kit.closed) return;
    if (!this.queue.ready && command.type === 'end') return this.endBeforeReady();
    this.queue.submit(command);
  }

  private exec(command: Command): void {
    run(this, command).catch((e: unknown) => {
      this.kit.log('command failed', command.type, e);
      this.kit.emit({ type: 'error', code: 'send-failed', message: t('messages.failed'), fatal: false });
    });
  }

  close(): void {
    if (this.kit.closed) return;
    this.kit.close();
    void this.client?.destroy().catch(() => {});
  }

  /** Fatal: the chat cannot go on here (no sign-in, another tab took over, a userSig that keeps expiring). */
  private fail(code: string, message: string, cause?: unknown): void {
    if (this.kit.closed) return;
    this.kit.log('connection failed', cause);
    this.kit.emit({ type: 'error', code, message, fatal: true });
    this.kit.emit({ type: 'connection', state: 'closed', reason: code });
    this.close();
  }

  private async boot(): Promise<void> {
    const o = this.options.options;
    const sigUrl = safeUrl(o.userSigUrl, 'media');
    const sandbox = o.sandbox && /^wss?:\/\//i.test(o.sandbox) ? o.sandbox : undefined;
    if (!sigUrl || (!o.sdkAppId && !sandbox)) {
      return this.fail('config', t('error.load'), 'data-sdk-app-id and data-user-sig-url are required');
    }
    this.sigUrl = sigUrl;
    const previous = isRecord(this.options.resume) && typeof this.options.resume.userID === 'string' ? this.options.resume.userID : undefined;
    const credentials = await fetchCredentials(sigUrl, this.options.visitorId, previous);
    if (this.kit.closed) return;
    const client = await this.load({ sdkAppId: o.sdkAppId ?? '', ...(sandbox && { sandbox }) });
    if (this.kit.closed) return void client.destroy().catch(() => {});
    this.client = client;
    client.on((e) => this.onClientEvent(e, credentials.userID));
    await client.login(credentials);
  }

  private onClientEvent(e: DeskEvent, userID: string): void {
    switch (e.name) {
      case 'ready':
        if (this.ready) return;
        this.ready = true;
        this.everOpen = true;
        this.attempt = 0;
        this.userID = userID;
        // Before `open`: the core re-sends lines in doubt on it, and they must wait for history.
        this.restoring += 1;
        this.kit.emit({ type: 'connection', state: 'open' });
        this.publishResume();
        void restore(this).finally(() => {
          this.restoring -= 1;
          if (this.restoring === 0) this.flush();
        });
        return;
      case 'not-ready':
        this.ready = false;
        this.queue.shut();
        return;
      case 'net':
        if (e.state === 'connected') {
          if (this.everOpen && this.attempt > 0) this.kit.emit({ type: 'connection', state: 'open' });
          this.attempt = 0;
        } else if (this.everOpen) {
          this.kit.emit({ type: 'connection', state: 'reconnecting', attempt: ++this.attempt });
        }
        return;
      case 'kicked':
        if (e.reason === 'userSigExpired') return void this.renewSig(userID);
        // Tencent allows one web instance per userID by default: another tab took over.
        return this.fail('kicked', t('error.otherTab'), e.reason);
      case 'error':
        this.kit.log('client error', e.code, e.message);
        return;
      case 'received':
        return receive(this, e.messages, false);
      case 'modified':
        return receive(this, e.messages, true);
      case 'revoked':
        return withdraw(this, e.messages);
    }
  }

  /**
   * The userSig expired mid-chat and the SDK logged itself out (the SDK's KICKED_OUT event, reason userSigExpired): ask
   * the site's endpoint for a fresh sig for the same userID and log in again. The chat goes on
   * as after a reconnection: lines typed meanwhile wait in the queue, history fills any gap.
   * An endpoint that fails, answers for another userID (that would be someone else's
   * conversation) or mints sigs that expire at once ends the chat with a clear message.
   */
  private async renewSig(userID: string): Promise<void> {
    this.ready = false;
    this.queue.shut();
    const now = this.kit.clock.now();
    if (now - this.renewedAt < RENEW_GUARD_MS) return this.fail('kicked', t('error.sessionExpired'), 'userSig expired again at once');
    this.renewedAt = now;
    this.kit.emit({ type: 'connection', state: 'reconnecting', attempt: ++this.attempt });
    try {
      const fresh = await fetchCredentials(this.sigUrl, this.options.visitorId, userID);
      if (fresh.userID !== userID) throw new Error('the userSig endpoint answered for another userID');
      if (this.kit.closed) return;
      await this.client?.login(fresh);
    } catch (e) {
      this.fail('kicked', t('error.sessionExpired'), e);
    }
  }

  private flush(): void {
    const owed = this.endOwed;
    this.endOwed = undefined;
    // Owed only to a human agent's seat (document, src 27), as history (read first) shows it.
    if ((owed === 'flow' || (owed === 'resumed' && this.liveFlow)) && this.seat === 'in') {
      this.liveFlow = false;
      this.client?.sendCustom(this.to, endData(), true).catch((e: unknown) => this.kit.log('command failed', 'end', e));
    }
    if (this.ready) this.queue.open();
  }

  skew(): number {
    const server = this.client?.serverTime();
    return server === undefined ? 0 : server - this.kit.clock.now();
  }



  /**
   * The desk acts on src 24 only "when the user enters manual service and the rules [...]
   * include that the user can send" (document, src 24): so the visitor may ask only while an
   * agent holds the seat, within a flow that has not ended, and if src 23 allows it.
   */
  mayAsk(): boolean {
    return !!this.policy?.visitorMayAsk && this.seat === 'in' && !this.flowEnded;
  }

  /** Tell the core the rating rules as they stand now (src 23, narrowed by `mayAsk`), when they changed. */
  publishPolicy(): void {
    if (!this.policy) return;
    const policy: RatingPolicy = { ...this.policy, visitorMayAsk: this.mayAsk() };
    const was = this.published;
    if (was && was.autoAtEnd === policy.autoAtEnd && was.agentMaySend === policy.agentMaySend && was.visitorMayAsk === policy.visitorMayAsk) return;
    this.published = policy;
    this.kit.emit({ type: 'rating-policy', policy });
  }

  flowOver(): void {
    this.triggered = false;
    this.liveFlow = false;
    this.flowEnded = true;
  }

  endLocally(): void {
    this.endedLocally = true;
    this.flowOver();
    this.kit.emit({ type: 'ended', by: 'visitor' });
    this.publishPolicy();
  }

  /**
   * "End chat" before the SDK is ready (loading, or reconnecting): the chat ends now, what
   * would carry the flow on is dropped (a queued start would otherwise trigger a flow after
   * the end), and the desk hears src 27 once ready if a flow is or may be live. A chat the
   * session resumes counts as live until history, read first on ready, says otherwise.
   */
  private endBeforeReady(): void {
    if (this.triggered || this.liveFlow) this.endOwed = 'flow';
    else if (!this.restored && this.options.resume !== undefined) this.endOwed ??= 'resumed';
    this.queue.drop((c) => !FLOW_COMMANDS.has(c.type));
    if (!this.endedLocally) this.endLocally();
  }

  /** The resume token: the userID, and the lines in doubt so a reload can still match them. */
  publishResume(): void {
    if (!this.userID) return;
    const sending = doubtToken(this.lines);
    this.kit.emit({ type: 'resume', token: this.lines.inDoubt().length ? { userID: this.userID, sending } : { userID: this.userID } });
  }
}
