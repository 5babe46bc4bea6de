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
  Agent,
  BranchPrompt,
  Capability,
  Card,
  Clock,
  Command,
  ConfabEventBody,
  EventSink,
  FormPrompt,
  IncomingMessage,
  RatingPolicy,
  RatingRequest,
  Transport,
  TransportFactory,
  TransportOptions,
} from '../../core/contract';
import { realClock, stamp } from '../../core/contract';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { DEFAULT_DESK_ACCOUNT } from './client';
import type { DeskClient, DeskClientInit, DeskCredentials, DeskEvent, DeskMessage } from './client';
import { mapDeskMessage, type FlowMark, type MapResult } from './map';
import { createLedger, echoOf } from '../../core/delivery';
import { doubtToken, restoreDoubt } from '../../core/delivery-token';
import { askRatingData, cardData, endData, selectionData, triggerData } from './outgoing';

export type DeskClientLoader = (init: DeskClientInit) => Promise<DeskClient>;

const CAPABILITIES: ReadonlySet<Capability> = new Set(['end', 'rating', 'ask-rating', 'card', 'resume']);
/** The desk sends no "typing stopped": the indicator clears itself after this long. */
const TYPING_MS = 6000;
/** History pages of 15 to read on (re)load: the recent conversation, not the archive. */
const HISTORY_PAGES = 4;
/** A userSig that expires again this soon after being renewed is not worth another round. */
const RENEW_GUARD_MS = 60_000;
const MAX_FRAME_WARNINGS = 10;
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

const loadClient: DeskClientLoader = (init) =>
  init.sandbox
    ? import('./loopback-client').then((m) => m.createLoopbackClient(init.sandbox as string))
    : import('./sdk-client').then((m) => m.createSdkClient(init.sdkAppId));

/** `marked` and our wrapper: a chunk fetched when the first Markdown line arrives. */
const loadMarkdown = (): Promise<(source: string) => string> => import('../markdown').then((m) => m.markdownToHtml);

export const createTransport: TransportFactory = (options) => new TencentTransport(options, loadClient);

export function createTencentTransport(options: TransportOptions, load: DeskClientLoader = loadClient): Transport {
  return new TencentTransport(options, load);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function fetchCredentials(url: string, visitorId: string, userID?: string): Promise<DeskCredentials> {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ visitorId, ...(userID && { userID }) }),
  });
  if (!res.ok) throw new Error(`userSig endpoint answered ${res.status}`);
  const body: unknown = await res.json();
  if (!isRecord(body) || typeof body.userID !== 'string' || typeof body.userSig !== 'string' || !body.userID || !body.userSig) {
    throw new Error('userSig endpoint answered without {userID, userSig}');
  }
  return { userID: body.userID, userSig: body.userSig };
}

class TencentTransport implements Transport {
  readonly capabilities = CAPABILITIES;
  private sink: EventSink = () => {};
  private readonly clock: Clock;
  private readonly to: string;
  private client?: DeskClient;
  private ready = false;
  private everOpen = false;
  private closed = false;
  private attempt = 0;
  private pending: Command[] = [];
  private readonly seen = new Set<string>();
  /** Messages recalled: withdrawn once, and later copies or modifications ignored. */
  private readonly withdrawn = new Set<string>();
  /** The visitor's lines put on the wire (core/delivery.ts), in doubt ones from the resume token. */
  private readonly lines = createLedger(CLAIM_SLACK_MS);
  /** History reads on ready still running: commands wait for them, as for ready. */
  private restoring = 0;
  private userID = '';
  private seat?: 'in' | 'out';
  private readonly prompts = new Map<string, BranchPrompt | FormPrompt>();
  private readonly ratings = new Map<string, RatingRequest>();
  /** Rating id → the desk's `sessionId` ('' when it sent none): what src 10 echoes. */
  private readonly ratingSessions = new Map<string, string>();
  /** Markdown renders in flight, by line id: only the newest version's result is used. */
  private readonly renders = new Map<string, number>();
  /** The desk's rating rules (src 23), as sent. */
  private policy?: RatingPolicy;
  /** The rating rules as last published to the core (the desk's, narrowed by `mayAsk`). */
  private published?: RatingPolicy;
  /** The current flow ended (by the desk or the visitor), until the next start or seat. */
  private flowEnded = false;
  private triggered = false;
  private endedLocally = false;
  /** History showed a flow still running (reload mid-conversation). */
  private liveFlow = false;
  /** History has been read once (the first read is the one that resumes a chat). */
  private restored = false;
  /**
   * The visitor ended the chat before the SDK was ready: src 27 is owed to the desk once it
   * is, for a flow this page ran ('flow') or one the session resumes if history shows it live.
   */
  private endOwed?: 'flow' | 'resumed';
  private typingTimer: unknown;
  private badFrames = 0;
  /** data-user-sig-url, checked; where a fresh userSig comes from when one expires. */
  private sigUrl = '';
  /** When the userSig was last renewed: a second expiry within RENEW_GUARD_MS ends the chat. */
  private renewedAt = -Infinity;

  constructor(
    private readonly options: TransportOptions,
    private readonly load: DeskClientLoader,
  ) {
    this.clock = options.clock ?? realClock;
    this.to = options.options.to || DEFAULT_DESK_ACCOUNT;
    const resume = options.resume;
    if (isRecord(resume) && !Array.isArray(resume)) restoreDoubt(this.lines, resume.sending);
  }

  connect(sink: EventSink): void {
    this.sink = sink;
    this.emit({ type: 'connection', state: 'connecting' });
    this.emit({
      type: 'config',
      config: { prechat: [], postchat: [], allowedFileTypes: [], leaveMessage: false, previewAllowed: false },
    });
    this.boot().catch((e: unknown) => this.fail('connect-failed', t('error.signIn'), e));
  }

  send(command: Command): void {
    if (this.closed) return;
    if (!this.ready || this.restoring > 0) {
      if (command.type === 'end') return this.endBeforeReady();
      this.pending.push(command);
      return;
    }
    this.run(command).catch((e: unknown) => {
      console.warn('[confab] desk command failed', command.type, e);
      this.emit({ type: 'error', code: 'send-failed', message: t('messages.failed'), fatal: false });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.typingTimer);
    void this.client?.destroy().catch(() => {});
  }

  private emit(body: ConfabEventBody): void {
    if (!this.closed) this.sink(stamp(body, this.clock));
  }

  private fail(code: string, message: string, cause?: unknown): void {
    if (this.closed) return;
    console.warn('[confab] desk connection failed', cause);
    this.emit({ type: 'error', code, message, fatal: true });
    this.emit({ type: 'connection', state: 'closed', reason: code });
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
    if (this.closed) return;
    const client = await this.load({ sdkAppId: o.sdkAppId ?? '', ...(sandbox && { sandbox }) });
    if (this.closed) return void client.destroy().catch(() => {});
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
        this.emit({ type: 'connection', state: 'open' });
        this.publishResume();
        void this.restore().finally(() => {
          this.restoring -= 1;
          if (this.restoring === 0) this.flush();
        });
        return;
      case 'not-ready':
        this.ready = false;
        return;
      case 'net':
        if (e.state === 'connected') {
          if (this.everOpen && this.attempt > 0) this.emit({ type: 'connection', state: 'open' });
          this.attempt = 0;
        } else if (this.everOpen) {
          this.emit({ type: 'connection', state: 'reconnecting', attempt: ++this.attempt });
        }
        return;
      case 'kicked':
        if (e.reason === 'userSigExpired') return void this.renewSig(userID);
        // Tencent allows one web instance per userID by default: another tab took over.
        return this.fail('kicked', t('error.otherTab'), e.reason);
      case 'error':
        console.warn('[confab] desk client error', e.code, e.message);
        return;
      case 'received':
        return this.receive(e.messages, false);
      case 'modified':
        return this.receive(e.messages, true);
      case 'revoked':
        return this.withdraw(e.messages);
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
    const now = this.clock.now();
    if (now - this.renewedAt < RENEW_GUARD_MS) return this.fail('kicked', t('error.sessionExpired'), 'userSig expired again at once');
    this.renewedAt = now;
    this.emit({ type: 'connection', state: 'reconnecting', attempt: ++this.attempt });
    try {
      const fresh = await fetchCredentials(this.sigUrl, this.options.visitorId, userID);
      if (fresh.userID !== userID) throw new Error('the userSig endpoint answered for another userID');
      if (this.closed) return;
      await this.client?.login(fresh);
    } catch (e) {
      this.fail('kicked', t('error.sessionExpired'), e);
    }
  }

  /**
   * Read the recent conversation from history (on load and after every reconnection) and
   * replay what is new, oldest first. The last flow message read decides the flow's state:
   * - an end flag (19/20/27) ends a flow this page was running (started here, or the session
   *   resuming one), as `ended`, whose marker the session writes; otherwise that session
   *   already ended the chat itself (its marker is in its transcript) or this is an old chat
   *   seen afresh, and the flag adds no line. Earlier flags, between flows, stay as lines.
   * - anything else, on a resume, is a live flow: no new trigger, and the agent in the seat
   *   (named by the seat message's nick, so the session sees the same agent) is announced.
   */
  private async restore(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const pages: DeskMessage[][] = [];
    let next: string | undefined;
    const inDoubt = this.lines.inDoubt();
    try {
      for (let i = 0; i < HISTORY_PAGES; i++) {
        const page = await client.history(this.to, next);
        pages.unshift(page.messages);
        if (page.complete || !page.next) break;
        next = page.next;
      }
    } catch (e) {
      console.warn('[confab] desk history unavailable', e);
      return;
    }
    this.lines.historyRead(inDoubt);
    const first = !this.restored;
    this.restored = true;
    const resuming = first && this.options.resume !== undefined;
    const running = this.triggered || this.liveFlow || resuming;
    const seatBefore = this.seat;
    let seatAgent: Agent | undefined;
    const fresh: MapResult[] = [];
    for (const msg of pages.flat()) {
      if (msg.isRevoked) {
        // Recalled while this page was away (or before a reload): its line goes, once.
        this.withdraw([msg]);
        continue;
      }
      if (this.seen.has(msg.ID) || notDelivered(msg)) continue;
      this.seen.add(msg.ID);
      const result = this.claimed(msg, mapDeskMessage(msg, { seat: this.seat, serverSkew: this.skew(), replay: true }));
      if (result.seat) {
        this.seat = result.seat;
        seatAgent = result.agent;
      }
      fresh.push(result);
    }
    let lastMark = -1;
    for (let i = 0; i < fresh.length; i++) if (fresh[i]?.flow !== undefined) lastMark = i;
    const last: FlowMark | undefined = fresh[lastMark]?.flow;
    const ended = last !== undefined && last !== 'live' ? last.ended : undefined;
    // Before replaying, so the rating rules replayed are judged by the flow's final state.
    if (last !== undefined) this.flowEnded = ended !== undefined;
    fresh.forEach((r, i) => {
      if (i !== lastMark || !ended) {
        r.events.forEach((ev) => this.dispatch(ev));
        return this.follow(r);
      }
      if (running && !this.endedLocally) this.dispatch({ type: 'ended', by: ended });
    });
    if (ended) this.liveFlow = false;
    else if (resuming && this.seen.size > 0) this.liveFlow = true;
    if (!ended && (this.liveFlow || this.triggered) && this.seat === 'in' && seatBefore !== 'in' && !this.endedLocally) {
      this.emit({ type: 'agent', action: 'joined', agent: seatAgent ?? { name: t('messages.agent'), isBot: false } });
    }
    this.publishPolicy();
  }

  private flush(): void {
    const owed = this.endOwed;
    this.endOwed = undefined;
    // Owed only to a human agent's seat (document, src 27), as history (read first) shows it.
    if ((owed === 'flow' || (owed === 'resumed' && this.liveFlow)) && this.seat === 'in') {
      this.liveFlow = false;
      this.client?.sendCustom(this.to, endData(), true).catch((e: unknown) => console.warn('[confab] desk command failed', 'end', e));
    }
    const queued = this.pending;
    this.pending = [];
    for (const c of queued) this.send(c);
  }

  private skew(): number {
    const server = this.client?.serverTime();
    return server === undefined ? 0 : server - this.clock.now();
  }

  private receive(messages: DeskMessage[], modified: boolean): void {
    const conversation = `C2C${this.to}`;
    for (const msg of messages) {
      if (msg.conversationID !== conversation || notDelivered(msg)) continue;
      if (msg.isRevoked) {
        this.withdraw([msg]);
        continue;
      }
      if (!modified) {
        if (this.seen.has(msg.ID)) continue;
      } else if (this.withdrawn.has(msg.ID)) continue;
      this.seen.add(msg.ID);
      const mapped = mapDeskMessage(msg, { seat: this.seat, serverSkew: this.skew() });
      const result = modified ? mapped : this.claimed(msg, mapped);
      const { seat, flow } = result;
      if (seat) this.seat = seat;
      // The desk's answer to a trigger, or a seat change: the flow is on again.
      if (flow === 'live') this.flowEnded = false;
      // A modified message changes its line in place (a streamed answer grows so).
      const events = modified
        ? result.events.flatMap((ev): ConfabEventBody[] =>
            ev.type === 'message' ? [{ type: 'message-updated', message: ev.message }] : ev.type === 'ended' || ev.type === 'typing' ? [] : [ev],
          )
        : result.events;
      for (const ev of events) {
        if (ev.type === 'ended' && this.endedLocally) continue;
        if (ev.type === 'typing') {
          this.typing(ev.on);
          continue;
        }
        // An unreadable message is not the agent having finished typing.
        if (msg.flow === 'in' && ev.type !== 'rating-policy' && ev.type !== 'error') this.typing(false);
        this.dispatch(ev);
      }
      this.follow(result);
      this.publishPolicy();
    }
  }

  /** What a mapped message leaves for the transport to do: remember a rating's desk session, render Markdown. */
  private follow(result: MapResult): void {
    for (const ev of result.events) {
      if (ev.type === 'rating' && result.ratingSession !== undefined) this.ratingSessions.set(ev.rating.id, result.ratingSession);
      if ((ev.type === 'message' || ev.type === 'message-updated') && result.markdown) this.render(ev.message);
    }
  }

  /**
   * A Markdown line (src 30) is on screen as its source, partial; once the Markdown chunk is
   * here its HTML replaces it. If the chunk cannot load, the source stays, as finished text.
   */
  private render(message: IncomingMessage): void {
    const source = message.text ?? '';
    const { text: _text, partial: _partial, ...rest } = message;
    const version = (this.renders.get(message.id) ?? 0) + 1;
    this.renders.set(message.id, version);
    loadMarkdown()
      .then(
        (toHtml): IncomingMessage => ({ ...rest, html: toHtml(source) }),
        (e: unknown): IncomingMessage => {
          console.warn('[confab] Markdown renderer unavailable', e);
          return { ...rest, text: source };
        },
      )
      .then((done) => {
        if (this.renders.get(message.id) !== version || this.withdrawn.has(message.id)) return;
        this.renders.delete(message.id);
        this.emit({ type: 'message-updated', message: done });
      });
  }

  /** Recalled messages (MESSAGE_REVOKED, or marked so in history): their lines go. */
  private withdraw(messages: DeskMessage[]): void {
    const conversation = `C2C${this.to}`;
    for (const msg of messages) {
      if (msg.conversationID !== conversation || this.withdrawn.has(msg.ID)) continue;
      this.withdrawn.add(msg.ID);
      this.seen.add(msg.ID);
      this.prompts.delete(msg.ID);
      this.emit({ type: 'message-withdrawn', id: msg.ID });
    }
  }

  private typing(on: boolean): void {
    this.clock.clearTimeout(this.typingTimer);
    if (on) this.typingTimer = this.clock.setTimeout(() => this.typing(false), TYPING_MS);
    else if (this.typingTimer === undefined) return;
    if (!on) this.typingTimer = undefined;
    this.emit({ type: 'typing', on });
  }

  /** Emit, remembering what later commands need (prompts, ratings, policy, flow end). */
  private dispatch(ev: ConfabEventBody): void {
    if (ev.type === 'branch') this.prompts.set(ev.branch.id, ev.branch);
    else if (ev.type === 'form') this.prompts.set(ev.form.id, ev.form);
    else if (ev.type === 'rating') this.ratings.set(ev.rating.id, ev.rating);
    else if (ev.type === 'rating-policy') {
      this.policy = ev.policy;
      return this.publishPolicy();
    } else if (ev.type === 'ended' || ev.type === 'rejected') this.flowOver();
    // Each unreadable message is an `error` event; only the first few reach the console too.
    else if (ev.type === 'error' && ++this.badFrames <= MAX_FRAME_WARNINGS) console.warn('[confab] desk message skipped:', ev.message);
    this.emit(ev);
    if (ev.type === 'ended') this.publishPolicy();
  }

  /**
   * The desk acts on src 24 only "when the user enters manual service and the rules [...]
   * include that the user can send" (document, src 24): so the visitor may ask only while an
   * agent holds the seat, within a flow that has not ended, and if src 23 allows it.
   */
  private mayAsk(): boolean {
    return !!this.policy?.visitorMayAsk && this.seat === 'in' && !this.flowEnded;
  }

  /** Tell the core the rating rules as they stand now (src 23, narrowed by `mayAsk`), when they changed. */
  private publishPolicy(): void {
    if (!this.policy) return;
    const policy: RatingPolicy = { ...this.policy, visitorMayAsk: this.mayAsk() };
    const was = this.published;
    if (was && was.autoAtEnd === policy.autoAtEnd && was.agentMaySend === policy.agentMaySend && was.visitorMayAsk === policy.visitorMayAsk) return;
    this.published = policy;
    this.emit({ type: 'rating-policy', policy });
  }

  private flowOver(): void {
    this.triggered = false;
    this.liveFlow = false;
    this.flowEnded = true;
  }

  private endLocally(): void {
    this.endedLocally = true;
    this.flowOver();
    this.emit({ type: 'ended', by: 'visitor' });
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
    this.pending = this.pending.filter((c) => !FLOW_COMMANDS.has(c.type));
    if (!this.endedLocally) this.endLocally();
  }

  /**
   * A visitor text the desk holds (history or a push) that is one of this page's lines still
   * in doubt: the oldest with the same text first put on the wire no later than the message
   * was stored. Its message event then carries the line's client id, and the line is not
   * sent again. The one ambiguity left: the same text sent twice within CLAIM_SLACK_MS, the
   * first copy's echo also lost (or the page reloaded meanwhile), counts the first copy for
   * the second line; a duplicate is what the visitor sees otherwise, so the margin stays small.
   */
  private claimed(msg: DeskMessage, result: MapResult): MapResult {
    if (msg.flow !== 'out' || msg.type !== 'TIMTextElem' || msg.payload.text === undefined) return result;
    const clientId = this.lines.claim({ id: msg.ID, text: msg.payload.text, at: msg.time * 1000 })?.clientId;
    if (clientId === undefined) return result;
    this.publishResume();
    const events = result.events.map((ev) => (ev.type === 'message' ? { ...ev, message: { ...ev.message, clientId } } : ev));
    return { ...result, events };
  }

  /** The resume token: the userID, and the lines in doubt so a reload can still match them. */
  private publishResume(): void {
    if (!this.userID) return;
    const sending = doubtToken(this.lines);
    this.emit({ type: 'resume', token: this.lines.inDoubt().length ? { userID: this.userID, sending } : { userID: this.userID } });
  }

  private async sendText(text: string, clientId?: string): Promise<void> {
    const client = this.client as DeskClient;
    let line = clientId === undefined ? undefined : this.lines.get(clientId);
    // Sent before and no history read since (a retry on the same connection): look first.
    if (line && line.id === undefined && !line.checked) await this.restore();
    // It reached the desk; the echo was lost. Echo it now (the core ignores a second one).
    if (line?.id !== undefined) return this.emit({ type: 'message', message: echoOf(line) });
    if (clientId !== undefined && !line) {
      line = this.lines.add(clientId, text, this.clock.now() + this.skew(), undefined);
      this.publishResume();
    }
    if (line) this.lines.wrote(line);
    const msg = await client.sendText(this.to, text);
    this.seen.add(msg.ID);
    if (line && line.id === undefined) {
      this.lines.claim({ id: msg.ID, clientId: line.clientId });
      this.publishResume();
    }
    this.emit({
      type: 'message',
      message: { id: msg.ID, sender: 'visitor', text, sentAt: msg.time * 1000, ...(clientId && { clientId }) },
    });
  }

  private async run(c: Command): Promise<void> {
    const client = this.client as DeskClient;
    switch (c.type) {
      case 'start':
        this.endedLocally = false;
        this.flowEnded = false;
        // The site's attributes (update) ride on the trigger as its cloud custom data.
        if (!this.triggered && !this.liveFlow) await client.sendCustom(this.to, triggerData(), true, c.attributes && JSON.stringify(c.attributes));
        this.triggered = true;
        this.liveFlow = false;
        return this.emit({ type: 'accepted' });
      case 'send':
        return this.sendText(c.text, c.clientId);
      case 'choose':
      case 'submit-form': {
        const id = c.promptId;
        const prompt = this.prompts.get(id);
        const value = c.type === 'choose' ? c.optionId : c.value;
        if (!prompt) return;
        if ('options' in prompt) {
          if (prompt.selected || !prompt.options.some((o) => o.id === value)) return;
          const chosen = { ...prompt, selected: value };
          this.prompts.set(id, chosen);
          this.emit({ type: 'branch', branch: chosen });
        } else {
          if (prompt.submitted) return;
          const done = { ...prompt, submitted: value };
          this.prompts.set(id, done);
          this.emit({ type: 'form', form: done });
        }
        // The desk matches the visitor's TEXT to the option's content, exactly.
        return this.sendText(value);
      }
      case 'send-card': {
        const card = safeCard(c.card);
        const msg = await client.sendCustom(this.to, cardData(card), false);
        this.seen.add(msg.ID);
        return this.emit({ type: 'card', id: msg.ID, sender: 'visitor', card, clientId: c.clientId });
      }
      case 'rate': {
        const rating = this.ratings.get(c.ratingId);
        const option = rating?.options.find((o) => o.id === c.optionId);
        if (!rating || !option || rating.selected) return;
        if (rating.expiresAt !== undefined && this.clock.now() + this.skew() >= rating.expiresAt) {
          return this.emit({ type: 'error', code: 'rating-expired', message: t('rating.expired'), fatal: false });
        }
        await client.sendCustom(this.to, selectionData(option.id, option.label, this.ratingSessions.get(rating.id) ?? ''), true);
        const rated = { ...rating, selected: option.id };
        this.ratings.set(rating.id, rated);
        return this.emit({ type: 'rating', rating: rated });
      }
      case 'ask-rating':
        if (!this.mayAsk()) {
          return this.emit({ type: 'error', code: 'not-allowed', message: t('error.notAllowed'), fatal: false });
        }
        await client.sendCustom(this.to, askRatingData(), true);
        return;
      case 'end': {
        // src 27 is for "when the user side has accessed the agent" (document): in the bot
        // flow the chat ends here only.
        const seated = this.seat === 'in' && !this.flowEnded;
        if (!this.endedLocally) this.endLocally();
        if (seated) await client.sendCustom(this.to, endData(), true);
        return;
      }
      case 'typing':
      case 'preview':
        return; // the desk has no visitor typing signal
      default:
        return this.emit({ type: 'error', code: 'unsupported', message: t('error.notAllowed'), fatal: false });
    }
  }
}

/** A message of this user's that the SDK's local list keeps but the desk never got (or not yet). */
const notDelivered = (msg: DeskMessage): boolean => msg.flow === 'out' && (msg.status === 'fail' || msg.status === 'unSend');

function safeCard(card: Card): Card {
  const image = safeUrl(card.image, 'image');
  const url = safeUrl(card.url, 'link');
  return {
    title: String(card.title ?? ''),
    ...(card.description && { description: String(card.description) }),
    ...(image && { image }),
    ...(url && { url }),
  };
}
