/**
 * The session state machine: folds a transport's normalized events into the signals the
 * UI renders, and turns the visitor's actions into commands. It knows no vendor.
 *
 * Phases: closed → prechat → starting → waiting → chatting → ended → postchat → done,
 * and offline (nobody there). Choices made where the contract leaves room, so the UI
 * and transports can rely on them:
 * - end() and cancelWaiting() end the chat locally at once (by 'visitor'); the server's
 *   own `ended` that may follow is ignored. A transport need not confirm them.
 * - An agent or bot line while starting/waiting means someone is talking: → chatting.
 * - A fatal error while starting returns to prechat (retryable); while waiting or
 *   chatting it ends the chat by 'system'. Non-fatal errors never change the phase.
 * - A visitor echo confirms its line by client id (the transport claimed it with the ledger
 *   of delivery.ts); an echo without one is a line from elsewhere (another tab).
 * - A connection that is `closed` for good fails the lines still waiting for an echo;
 *   `reconnecting` holds them, and they go out once on the next `open`.
 * - `rejected` before an agent joined (closed, prechat, starting, waiting) → offline; also
 *   while chatting (a bot was talking, then nobody took the hand-off): never ignored.
 * - An error marked `retryable` keeps its Retry; when the connection is `closed` for good,
 *   open() (Retry) replaces the transport with a new one (resuming the chat).
 * - open()/close() send the `window` command only to transports with 'window-state'.
 */
import { batch, computed, effect, signal, type ReadonlySignal, type Signal } from '@preact/signals-core';
import type {
  Agent,
  Card,
  ChatConfig,
  ConfabEvent,
  ConnectionState,
  EndedBy,
  IncomingMessage,
  Json,
  RatingPolicy,
  SurveyField,
  Transport,
  TransportFactory,
  TransportOptions,
  Capability,
  Clock,
  VisitorInfo,
  AttachmentKind,
} from './contract';
import { realClock } from './contract';
import type {
  CardItem,
  DeliveryStatus,
  MessageItem,
  NoticeItem,
  OfflineState,
  Phase,
  RequestState,
  Session,
  SessionError,
  SessionEventMap,
  TranscriptItem,
  WaitState,
} from './session-api';
import { formatBytes, t } from './i18n';
import { safeUrl } from './urls';
import { keepUnread } from './unread-memory';
import { afterChatReach } from './after-chat';
import { htmlToText } from './html-text';
import { fileAllowed, fileTypes } from './visitor-may';
import { createOutbox, newClientId } from './outbox';
import { createTypingReporter } from './typing';
import { forgetVisitor } from './forget-visitor';
import { closeEarlierChat } from './earlier-chat';
import { masksReady, normalize, validate } from './survey';
import {
  loadSnapshot,
  saveSnapshot,
  visitorIdFrom,
  type Snapshot,
  type StorageLike,
} from './persistence';

export interface SessionDeps {
  /** Resolves the vendor transport lazily; called on the first open() (or immediately when restoring an active session). */
  loadTransport: () => Promise<TransportFactory>;
  transportOptions: Omit<TransportOptions, 'resume' | 'visitorId'>;
  /** sessionStorage-like store (may be null: then nothing persists); key prefix namespaced per widget instance. */
  storage: StorageLike | null;
  /** localStorage-like store for the stable visitor id (may be null). */
  durableStorage?: StorageLike | null;
  storageKey: string;
  clock?: Clock;
  /** ms before an unechoed visitor line is marked failed (default 15000). */
  sendTimeoutMs?: number;
  /** data-consent="required": nothing loads, connects or is stored until the visitor accepts. */
  consentRequired?: boolean;
}

export const DEFAULT_SEND_TIMEOUT_MS = 15000;
export const DEFAULT_MAX_MESSAGE_LENGTH = 4000;
/** The agent-typing indicator clears itself when no new typing event came for this long. */
export const AGENT_TYPING_TIMEOUT_MS = 10000;
/** Persistence writes at most this often while a chat is busy (plus once when the page hides). */
export const SAVE_INTERVAL_MS = 500;
/** Lines kept across a page change; older ones give way to a notice. */
export const MAX_STORED_ITEMS = 500;
const EARLIER_ID = 'notice:earlier';
/** Uploads take longer than lines: their echo may arrive this many times later. */
const FILE_TIMEOUT_FACTOR = 4;

const ACTIVE: ReadonlySet<Phase> = new Set<Phase>(['starting', 'waiting', 'chatting']);
const BEFORE_AGENT: ReadonlySet<Phase> = new Set<Phase>(['closed', 'prechat', 'starting', 'waiting']);
const AFTER_CHAT: ReadonlySet<Phase> = new Set<Phase>(['ended', 'postchat', 'done', 'offline']);
const NO_CAPABILITIES: ReadonlySet<Capability> = new Set();
const AFTER_END: ReadonlySet<Phase> = new Set<Phase>(['ended', 'postchat', 'done']);
const IDENTITY_KEYS = ['email', 'phone', 'name'] as const;

type LeaveMessageFields = Parameters<Session['leaveMessage']>[0];
type Listener<K extends keyof SessionEventMap> = (detail: SessionEventMap[K]) => void;

/** The visitor field a survey field pre-fills from, if any. */
function identityKey(field: SurveyField): (typeof IDENTITY_KEYS)[number] | undefined {
  for (const key of IDENTITY_KEYS) {
    if (field.type === key || new RegExp(key, 'i').test(field.name)) return key;
  }
  return undefined;
}

/** A line as text for the public `message` event and translations (never rendered as HTML). */
function plainText(m: Pick<IncomingMessage, 'text' | 'html' | 'attachments'>): string {
  return m.text || (m.html ? htmlToText(m.html, true) : (m.attachments ?? []).map((a) => a.name).join(', '));
}

/**
 * A resume token marked `ended: true` describes a chat that is over (ExpertFlow keeps its
 * conversation id for the transcript): it is passed back after a page change in the ended
 * phases too. Any other token would resume a live chat, so it is passed only while one runs.
 */
function endedToken(token: Json | undefined): boolean {
  return !!token && typeof token === 'object' && !Array.isArray(token) && token.ended === true;
}

function readConsent(storage: StorageLike | null, key: string): boolean {
  try {
    return storage?.getItem(key) === '1';
  } catch {
    return false;
  }
}

function attachmentKind(mime: string): AttachmentKind {
  const top = mime.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}



export function createSession(deps: SessionDeps): Session {
  const clock = deps.clock ?? realClock;
  const sessionKey = `${deps.storageKey}:session`;
  // Privacy: nothing is written to storage until the visitor opens the chat (or a chat from an
  // earlier page is restored), so the visitor id is made on first connection, not here.
  let visitorId: string | null = null;
  const getVisitorId = (): string =>
    (visitorId ??= visitorIdFrom(deps.durableStorage ?? null, `${deps.storageKey}:visitor`));
  const engaged = signal(false);
  const consentKey = `${deps.storageKey}:consent`;

  const phase = signal<Phase>('closed');
  const connection = signal<ConnectionState>('connecting');
  const reconnectAttempt = signal(0);
  const config = signal<ChatConfig | null>(null);
  const capabilities = signal<ReadonlySet<Capability>>(NO_CAPABILITIES);
  // Long chats (10,000 lines) must not cost O(n) per line: the transcript is one append-only
  // array changed in place (its items stay immutable, so rows can memoize on them), with
  // id → index maps for lookups. A plain signal would need a new array per line to notify
  // (the signals library ignores a value set back within a batch), so `transcript` is a signal
  // whose value reads a revision counter: reading it subscribes, and every change bumps it.
  let items: TranscriptItem[] = [];
  const revision = signal(0);
  const transcript = Object.defineProperties(signal<readonly TranscriptItem[]>(items), {
    value: { get: (): readonly TranscriptItem[] => (revision.value, items) },
    peek: { value: (): readonly TranscriptItem[] => items },
  }) as ReadonlySignal<readonly TranscriptItem[]>;
  const agent = signal<Agent | null>(null);
  const agentTyping = signal(false);
  const wait = signal<WaitState>({});
  const offline = signal<OfflineState | null>(null);
  const reach = afterChatReach();
  const error = signal<SessionError | null>(null);
  const ratingPolicy = signal<RatingPolicy | null>(null);
  const fileRequest = signal<string[] | null>(null);
  const logoUrl = signal<string | null>(null);
  const unread = signal(0);
  const isOpen = signal(false);
  const visitor = signal<VisitorInfo>({});
  const endedBy = signal<EndedBy | null>(null);
  const postchat = signal<RequestState>('idle');
  const transcriptRequest = signal<RequestState>('idle');
  const leaveMessageState = signal<RequestState>('idle');
  const resume = signal<Json | undefined>(undefined);
  /** What a new chat starts afresh (the visitor, the window and the unread count carry over). */
  const perChat: Signal<unknown>[] = [
    agent, wait, offline, error, endedBy, fileRequest, ratingPolicy,
    postchat, transcriptRequest, leaveMessageState, resume, config, connection, reconnectAttempt,
  ];
  const perChatInitial = perChat.map((s) => s.peek());

  const maxMessageLength = computed(() => config.value?.maxMessageLength || DEFAULT_MAX_MESSAGE_LENGTH);
  const prechatFields = computed<readonly SurveyField[]>(() => {
    const fromConfig = config.value?.prechat ?? [];
    const fields: SurveyField[] =
      fromConfig.length > 0
        ? fromConfig
        : capabilities.value.has('prechat')
          ? // The vendor takes pre-chat details but defines no form: ask for a name (agents
            // greet people by it) and, optionally, an email to follow up on.
            [
              { name: 'name', type: 'name', label: t('prechat.name'), required: true, maxLength: 100 },
              { name: 'email', type: 'email', label: t('prechat.email'), required: false, maxLength: 250 },
            ]
          : [];
    const known = visitor.value;
    return fields.map((field) => {
      const key = identityKey(field);
      const value = key ? known[key] : undefined;
      return value && !field.defaultValue ? { ...field, defaultValue: value } : field;
    });
  });

  let transport: Transport | null = null;
  let loading: Promise<void> | null = null;
  /** Bumped whenever a transport is dropped, so its late events and loads are ignored. */
  let generation = 0;
  let destroyed = false;
  /** Vendor message id → transcript item id (de-duplication, translations, late echoes). */
  let seen = new Map<string, string>();
  let typingTimer: unknown;
  const listeners = new Map<keyof SessionEventMap, Set<Listener<keyof SessionEventMap>>>();

  const emit = <K extends keyof SessionEventMap>(name: K, detail: SessionEventMap[K]): void => {
    for (const fn of listeners.get(name) ?? []) {
      try {
        (fn as Listener<K>)(detail);
      } catch (err) {
        // A host page's handler must not break the chat.
        console.warn('[confab] event handler failed', err);
      }
    }
  };

  const send = (command: Parameters<Transport['send']>[0]): void => {
    transport?.send(command);
  };

  const inChat = (): boolean => phase.value === 'waiting' || phase.value === 'chatting';
  /** A non-fatal error (a refused file, a bad frame) is stale once the visitor carries on. */
  const clearMinorError = (): void => {
    if (error.value && !error.value.fatal) error.value = null;
  };

  // ---- transcript helpers ----
  /** Item id → index. Items never move and a replacement keeps its id. */
  let byId = new Map<string, number>();
  const publish = (): void => void revision.value++;
  const resetTranscript = (next: TranscriptItem[]): void => {
    items = next;
    byId = new Map(next.map((item, i) => [item.id, i]));
    publish();
  };
  const append = (item: TranscriptItem): void => {
    byId.set(item.id, items.push(item) - 1);
    publish();
  };
  const indexOf = (id: string): number => byId.get(id) ?? -1;
  const replaceAt = (index: number, item: TranscriptItem): void => {
    items[index] = item;
    publish();
  };
  const upsert = (item: TranscriptItem): void => {
    const i = indexOf(item.id);
    const old = items[i];
    if (old) replaceAt(i, { ...item, at: old.at });
    else append(item);
  };
  const notice = (text: string, tone: NoticeItem['tone'] = 'info'): void => {
    append({ kind: 'notice', id: `n-${newClientId()}`, at: clock.now(), text, tone });
  };
  /** A visitor line on its way out: shown at once, marked `sending` until the server echoes it. */
  const appendVisitorLine = (content: Pick<MessageItem, 'text' | 'attachments'>): string => {
    const clientId = newClientId();
    clearMinorError();
    append({
      kind: 'message',
      id: clientId,
      at: clock.now(),
      sender: 'visitor',
      authorName: visitor.value.name,
      ...content,
      status: 'sending',
      clientId,
    });
    return clientId;
  };
  // A visitor line's item id is its clientId (see appendVisitorLine).
  const visitorLineIndex = (clientId: string): number => {
    const i = indexOf(clientId);
    return (items[i] as MessageItem | undefined)?.clientId === clientId ? i : -1;
  };

  const setPhase = (next: Phase): void => {
    if (phase.value === next) return;
    phase.value = next;
    if (!ACTIVE.has(next)) {
      typing.reset();
      setAgentTyping(false);
    }
    emit('phase', { phase: next });
  };

  const setAgentTyping = (on: boolean): void => {
    if (typingTimer !== undefined) clock.clearTimeout(typingTimer);
    typingTimer = undefined;
    agentTyping.value = on;
    if (on) typingTimer = clock.setTimeout(() => setAgentTyping(false), AGENT_TYPING_TIMEOUT_MS);
  };

  const outbox = createOutbox({
    clock,
    timeoutMs: deps.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    transmit: send,
    onStatus(clientId: string, status: DeliveryStatus) {
      const i = visitorLineIndex(clientId);
      const item = items[i];
      if (item?.kind === 'message') replaceAt(i, { ...item, status });
    },
  });

  const typing = createTypingReporter({
    clock,
    typing: (on) => send({ type: 'typing', on }),
    preview: (text) => send({ type: 'preview', text }),
    typingAllowed: () => inChat() && capabilities.value.has('typing'),
    previewAllowed: () =>
      inChat() && capabilities.value.has('preview') && config.value?.previewAllowed === true,
  });

  // ---- transitions ----
  const endedNotice = (by: EndedBy): string => {
    switch (by) {
      case 'visitor':
        return t('notice.endedByVisitor');
      case 'agent':
        return t('notice.endedByAgent', { name: agent.value?.name || t('notice.theAgent') });
      case 'timeout':
        return t('notice.endedByTimeout');
      default:
        return t('notice.endedBySystem');
    }
  };

  const endChat = (by: EndedBy, vendorText?: string, noticeText?: string): void => {
    if (!ACTIVE.has(phase.value)) return;
    batch(() => {
      outbox.failPending();
      notice(noticeText ?? endedNotice(by), 'ended');
      if (vendorText) notice(vendorText);
      endedBy.value = by;
      fileRequest.value = null;
      setPhase('ended');
    });
    emit('ended', { by });
  };

  const goOffline = (reason: string | undefined, forwardingUrl?: string): void => {
    const caps = capabilities.value;
    const cfg = config.value;
    batch(() => {
      outbox.failPending();
      offline.value = {
        reason: reason || t('offline.default'),
        leaveMessage: caps.has('leave-message') && (cfg ? cfg.leaveMessage : true),
        forwardingUrl: safeUrl(forwardingUrl ?? cfg?.forwardingUrl, 'link') ?? undefined,
      };
      setPhase('offline');
    });
  };

  const failPendingRequests = (): void => {
    if (postchat.value === 'pending') {
      postchat.value = 'failed';
      if (phase.value === 'postchat') setPhase('ended');
    }
    if (transcriptRequest.value === 'pending') transcriptRequest.value = 'failed';
    if (leaveMessageState.value === 'pending') leaveMessageState.value = 'failed';
  };

  // ---- incoming events ----
  const onMessage = (m: IncomingMessage): void => {
    const known = seen.get(m.id);
    if (known !== undefined) {
      // A line still growing when this page last saw it (a reload mid-stream) may come again whole.
      const item = items[indexOf(known)];
      if (item?.kind === 'message' && item.partial) onUpdate(m);
      return;
    }
    if (m.translationOf) {
      const targetId = seen.get(m.translationOf) ?? m.translationOf;
      const i = indexOf(targetId);
      const target = items[i];
      if (target?.kind === 'message') {
        seen.set(m.id, targetId);
        replaceAt(i, { ...target, translations: [...(target.translations ?? []), plainText(m)] });
        return;
      }
      // The original is unknown (e.g. before a reload): show the translation as a line.
    }
    if (m.sender === 'visitor') {
      // The transport claimed its echo (core/delivery.ts): one without a client id is a line from elsewhere.
      const clientId = m.clientId;
      if (clientId !== undefined && visitorLineIndex(clientId) >= 0) {
        outbox.confirm(clientId);
        const i = visitorLineIndex(clientId);
        const line = items[i];
        seen.set(m.id, line?.id ?? clientId);
        if (line?.kind === 'message') {
          // The server's attachments carry the real URL of an upload.
          const attachments = m.attachments?.length ? m.attachments : line.attachments;
          replaceAt(i, { ...line, status: 'sent', attachments });
        }
        return;
      }
    }
    seen.set(m.id, m.id);
    const item: MessageItem = {
      kind: 'message',
      id: m.id,
      // A line replayed from history keeps its real time (issue 25 item 11).
      at: m.sentAt ?? clock.now(),
      sender: m.sender,
      authorName: m.authorName,
      text: m.text,
      html: m.html,
      attachments: m.attachments,
    };
    if (m.partial) item.partial = true;
    if (m.sender === 'visitor') item.status = 'sent';
    append(item);
    if (m.sender === 'system') return;
    if (m.sender !== 'visitor') {
      setAgentTyping(false);
      if (phase.value === 'starting' || phase.value === 'waiting') setPhase('chatting');
      if (!isOpen.value) {
        unread.value += 1;
        emit('unread', { count: unread.value });
      }
    }
    // A growing line is news once, when it is finished (onUpdate).
    if (!m.partial) emit('message', { id: item.id, at: item.at, sender: m.sender, text: plainText(m), authorName: m.authorName });
  };

  /** A line changed in place: new content, same place in the transcript. */
  const onUpdate = (m: IncomingMessage): void => {
    const known = seen.get(m.id);
    if (known === undefined) return onMessage(m);
    const i = indexOf(known);
    const old = items[i];
    // Withdrawn meanwhile (or not a line): nothing to update.
    if (old?.kind !== 'message') return;
    const next: MessageItem = { ...old, text: m.text, html: m.html, attachments: m.attachments };
    if (m.partial) next.partial = true;
    else delete next.partial;
    replaceAt(i, next);
    if (old.partial && !m.partial && old.sender !== 'system') {
      emit('message', { id: old.id, at: clock.now(), sender: old.sender, text: plainText(m), authorName: old.authorName });
    }
  };

  /** The vendor recalled what it sent under `vendorId`: its line, card, branch or form goes. */
  const onWithdraw = (vendorId: string): void => {
    const gone = new Set([seen.get(vendorId) ?? vendorId, `card:${vendorId}`, `branch:${vendorId}`, `form:${vendorId}`]);
    // A copy arriving later (a history page, a retried push) stays out.
    if (!seen.has(vendorId)) seen.set(vendorId, vendorId);
    if (!seen.has(`card:${vendorId}`)) seen.set(`card:${vendorId}`, `card:${vendorId}`);
    if (!items.some((item) => gone.has(item.id))) return;
    // Rare: the one change that moves items, so the index is rebuilt.
    resetTranscript(items.filter((item) => !gone.has(item.id)));
  };

  const onCard = (ev: Extract<ConfabEvent, { type: 'card' }>): void => {
    const vendorKey = `card:${ev.id}`;
    if (seen.has(vendorKey)) return;
    if (ev.clientId !== undefined && indexOf(`card:${ev.clientId}`) >= 0) {
      outbox.confirm(ev.clientId);
      seen.set(vendorKey, `card:${ev.clientId}`);
      return;
    }
    seen.set(vendorKey, vendorKey);
    const item: CardItem = { kind: 'card', id: vendorKey, at: clock.now(), sender: ev.sender, card: ev.card };
    append(item);
  };

  const handle = (ev: ConfabEvent): void => {
    switch (ev.type) {
      case 'connection': {
        const prev = connection.value;
        connection.value = ev.state;
        if (ev.state === 'reconnecting') reconnectAttempt.value = ev.attempt ?? reconnectAttempt.value + 1;
        if (ev.state === 'open') {
          reconnectAttempt.value = 0;
          // "Continued in another tab" is over once this tab holds the chat again.
          if (error.value?.code === 'kicked' && !error.value.fatal) error.value = null;
          // A relay learns its vendor's capabilities in its welcome: take a fresh copy.
          if (transport) capabilities.value = new Set(transport.capabilities);
          if (prev !== 'open') outbox.online();
        } else if (ev.state === 'closed') {
          outbox.failPending();
        } else if (prev === 'open') {
          outbox.offline();
        }
        return;
      }
      case 'config':
        config.value = ev.config;
        // Fetch the mask matcher now, so the visitor's submit need not wait for it.
        void masksReady([...ev.config.prechat, ...ev.config.postchat]);
        if (phase.value === 'closed' || phase.value === 'prechat') {
          if (ev.config.agentsAvailable === false) goOffline(undefined);
          else setPhase('prechat');
        }
        return;
      case 'queue':
        wait.value = { ...wait.value, position: ev.position, total: ev.total };
        return;
      case 'waiting':
        wait.value = { ...wait.value, text: ev.text, kind: ev.kind };
        if (ev.kind === 'final' && (phase.value === 'waiting' || phase.value === 'starting')) {
          goOffline(ev.text);
        }
        return;
      case 'accepted':
        reach.accepted();
        if (phase.value === 'starting') setPhase('waiting');
        return;
      case 'rejected':
        // Before the start too: a server that refuses chats up front means nobody is there.
        if (BEFORE_AGENT.has(phase.value) || phase.value === 'chatting') goOffline(ev.reason, ev.forwardingUrl);
        return;
      case 'agent': {
        const name = ev.agent.name || t('notice.theAgent');
        if (ev.action === 'joined') {
          // A resumed connection may announce the same agent again: no second notice.
          const same = phase.value === 'chatting' && agent.value?.name === ev.agent.name;
          agent.value = ev.agent;
          if (!same) notice(t('notice.joined', { name }));
          if (phase.value === 'starting' || phase.value === 'waiting') setPhase('chatting');
        } else {
          notice(t('notice.left', { name }));
          if (agent.value?.name === ev.agent.name) agent.value = null;
          setAgentTyping(false);
        }
        return;
      }
      case 'message':
        onMessage(ev.message);
        return;
      case 'message-updated':
        onUpdate(ev.message);
        return;
      case 'message-withdrawn':
        onWithdraw(ev.id);
        return;
      case 'typing':
        setAgentTyping(ev.on);
        return;
      case 'branch':
        upsert({ kind: 'branch', id: `branch:${ev.branch.id}`, at: clock.now(), branch: ev.branch });
        return;
      case 'form':
        void masksReady([ev.form.field]);
        upsert({ kind: 'form', id: `form:${ev.form.id}`, at: clock.now(), form: ev.form });
        return;
      case 'card':
        onCard(ev);
        return;
      case 'rating':
        upsert({ kind: 'rating', id: `rating:${ev.rating.id}`, at: clock.now(), rating: ev.rating });
        return;
      case 'rating-policy':
        ratingPolicy.value = ev.policy;
        return;
      case 'file-request':
        fileRequest.value = ev.allowedTypes;
        append({ kind: 'file-request', id: `f-${newClientId()}`, at: clock.now(), allowedTypes: ev.allowedTypes });
        return;
      case 'ended':
        endChat(ev.by, ev.text);
        return;
      case 'ack':
        if (ev.what === 'postchat') {
          postchat.value = 'done';
          if (phase.value === 'postchat' || phase.value === 'ended') setPhase('done');
        } else if (ev.what === 'transcript') transcriptRequest.value = 'done';
        else leaveMessageState.value = 'done';
        return;
      case 'image':
        logoUrl.value = safeUrl(ev.url, 'image');
        return;
      case 'resume':
        resume.value = ev.token;
        return;
      case 'error':
        error.value = { code: ev.code, message: ev.message, fatal: ev.fatal, ...(ev.retryable ? { retryable: true } : {}) };
        // A line the server turned down at once fails now (issue 25 item 9), for good unless retryable.
        if (ev.clientId && outbox.fail(ev.clientId, !ev.retryable) && !ev.retryable) {
          const i = visitorLineIndex(ev.clientId);
          replaceAt(i, { ...(items[i] as MessageItem), refused: true });
        }
        // "Not available yet" is no failure: the visitor may simply ask again.
        if (ev.code === 'transcript-unavailable' && transcriptRequest.value === 'pending') transcriptRequest.value = 'idle';
        failPendingRequests();
        if (phase.value === 'starting' && (ev.retryable || ev.fatal)) {
          error.value = { ...error.value, retryable: true };
          setPhase('prechat');
        } else if (ev.fatal && inChat()) {
          endChat('system');
        }
        return;
      default: {
        const unknown: never = ev;
        console.warn('[confab] ignoring unknown event', unknown);
      }
    }
  };

  // ---- transport lifecycle ----
  /** Set when a restored chat must learn whether its transport can resume it. */
  let checkResume = false;
  const connectTransport = (): Promise<void> => {
    if (destroyed) return Promise.resolve();
    if (transport) return Promise.resolve();
    if (loading) return loading;
    const gen = generation;
    const token = ACTIVE.has(phase.value) || (AFTER_END.has(phase.value) && endedToken(resume.value)) ? resume.value : undefined;
    loading = deps
      .loadTransport()
      .then((factory) => {
        if (destroyed || gen !== generation) return;
        const options: TransportOptions = { ...deps.transportOptions, visitorId: getVisitorId() };
        if (token !== undefined) options.resume = token;
        if (!options.clock && deps.clock) options.clock = deps.clock;
        const created = factory(options);
        transport = created;
        capabilities.value = new Set(created.capabilities);
        reach.transport(created.capabilities, ACTIVE.has(phase.value) || AFTER_END.has(phase.value));
        if (error.value?.code === 'load') error.value = null;
        const mustResume = checkResume;
        checkResume = false;
        if (mustResume && !created.capabilities.has('resume')) {
          endChat('system', undefined, t('notice.endedByNavigation'));
        }
        created.connect((ev) => {
          if (!destroyed && gen === generation) batch(() => handle(ev));
        });
        emit('ready', undefined);
      })
      .catch((err: unknown) => {
        if (gen !== generation) return;
        console.warn('[confab] could not load the chat transport', err);
        error.value = { code: 'load', message: t('error.load'), fatal: true, retryable: true };
      })
      .finally(() => {
        if (gen === generation) loading = null;
      });
    return loading;
  };

  const dropTransport = (): void => {
    generation += 1;
    loading = null;
    const old = transport;
    transport = null;
    try {
      old?.close();
    } catch (err) {
      console.warn('[confab] transport close failed', err);
    }
  };

  // ---- restore ----
  const snap = loadSnapshot(deps.storage, sessionKey);
  // A snapshot exists only after consent was given earlier in this page session (nothing
  // is stored before it), so a restored chat never asks again.
  const consentPending = signal(!!deps.consentRequired && !snap && !readConsent(deps.storage, consentKey));
  if (snap) {
    batch(() => {
      // A post-chat survey whose acknowledgement was lost with the page can be sent again.
      phase.value = snap.phase === 'postchat' ? 'ended' : snap.phase;
      config.value = snap.config;
      agent.value = snap.agent;
      wait.value = snap.wait;
      endedBy.value = snap.endedBy;
      isOpen.value = snap.isOpen;
      visitor.value = snap.visitor;
      offline.value = snap.offline ?? null;
      ratingPolicy.value = snap.ratingPolicy ?? null;
      resume.value = snap.resume;
      seen = new Map(Object.entries(snap.seen));
      const restored = snap.transcript.map((item): TranscriptItem => {
        if (item.kind !== 'message' || item.sender !== 'visitor' || !item.clientId || item.status === 'sent') {
          return item;
        }
        if (item.text !== undefined && !item.attachments?.length) {
          outbox.restore({ type: 'send', clientId: item.clientId, text: item.text }, item.status ?? 'sending');
          return item;
        }
        // An upload's bytes do not survive the page: it cannot be sent again.
        return { ...item, status: 'failed' };
      });
      if (snap.earlier) {
        restored.unshift({ kind: 'notice', id: EARLIER_ID, at: restored[0]?.at ?? clock.now(), text: t('notice.earlierNotKept') });
      }
      resetTranscript(restored);
    });
  }

  const stopUnread = keepUnread(unread, deps.storage, `${sessionKey}:unread`, !!snap);

  // ---- persistence ----
  // Writing is throttled: the first change after a quiet spell is written at the end of its
  // task, later ones at most once per SAVE_INTERVAL_MS, and whatever is pending when the page
  // is hidden or left. Only the newest MAX_STORED_ITEMS lines are kept (a long chat would
  // otherwise cost megabytes per write and crash the next page restoring it).
  let pendingSave: Omit<Snapshot, 'seen' | 'transcript'> | null = null;
  let saveTimer: unknown;
  let lastSave = -Infinity;
  let earlier = !!snap?.earlier;
  const flushSave = (): void => {
    clock.clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!pendingSave) return;
    lastSave = clock.now();
    const all = items[0]?.id === EARLIER_ID ? items.slice(1) : items;
    const kept = all.slice(-MAX_STORED_ITEMS);
    earlier ||= kept.length < all.length;
    const ids = new Set(kept.map((item) => item.id));
    // The de-duplication map shrinks with the transcript: a resume is not expected to deliver
    // lines older than the kept ones again.
    const keptSeen = Object.fromEntries([...seen].filter(([, id]) => ids.has(id)));
    saveSnapshot(deps.storage, sessionKey, { ...pendingSave, transcript: kept, seen: keptSeen, earlier });
    pendingSave = null;
  };
  const stopPersisting = effect(() => {
    void transcript.value; // subscribes; the array itself is read when it is written
    const next: Omit<Snapshot, 'seen' | 'transcript'> = {
      v: 1,
      phase: phase.value,
      agent: agent.value,
      wait: wait.value,
      config: config.value,
      resume: resume.value,
      endedBy: endedBy.value,
      isOpen: isOpen.value,
      visitor: visitor.value,
      offline: offline.value,
      ratingPolicy: ratingPolicy.value,
    };
    if (!deps.storage || !engaged.value) return;
    const first = pendingSave === null;
    pendingSave = next;
    if (!first) return;
    const due = lastSave + SAVE_INTERVAL_MS - clock.now();
    if (due > 0) saveTimer = clock.setTimeout(flushSave, due);
    else queueMicrotask(flushSave);
  });
  // A hidden page may be frozen or discarded without another event: write what is pending.
  if (deps.storage) {
    globalThis.addEventListener?.('pagehide', flushSave);
    globalThis.document?.addEventListener('visibilitychange', flushSave);
  }

  if (snap) engaged.value = true;
  if (snap && (ACTIVE.has(snap.phase) || snap.isOpen)) {
    checkResume = ACTIVE.has(snap.phase);
    void connectTransport();
  }

  // ---- actions ----
  const findItem = <K extends TranscriptItem['kind']>(
    kind: K,
    id: string,
  ): [number, Extract<TranscriptItem, { kind: K }> | undefined] => {
    const i = indexOf(`${kind}:${id}`);
    const item = items[i];
    return [i, item && item.kind === kind ? (item as Extract<TranscriptItem, { kind: K }>) : undefined];
  };

  function leaveMessageAction(fields: LeaveMessageFields): void {
    if (phase.value !== 'offline' || !capabilities.value.has('leave-message')) return;
    if (leaveMessageState.value === 'pending' || leaveMessageState.value === 'done') return;
    leaveMessageState.value = 'pending';
    send({ type: 'leave-message', ...fields });
  }

  /** The session's submitForm once any mask can be judged; the chat may have moved on meanwhile. */
  function submitFormNow(promptId: string, value: string): void {
    if (!ACTIVE.has(phase.value)) return;
    const [i, item] = findItem('form', promptId);
    if (!item || item.form.submitted !== undefined) return;
    const normalized = normalize(item.form.field, value);
    // The UI shows the validation message; an invalid value is not sent.
    if (validate(item.form.field, normalized) !== null) return;
    replaceAt(i, { ...item, form: { ...item.form, submitted: normalized } });
    send({ type: 'submit-form', promptId, fieldName: item.form.field.name, value: normalized });
  }

  const session: Session = {
    phase,
    connection,
    reconnectAttempt,
    config,
    capabilities,
    transcript,
    agent,
    agentTyping,
    wait,
    offline,
    error,
    ratingPolicy,
    fileRequest,
    logoUrl,
    unread,
    isOpen,
    visitor,
    endedBy,
    postchat,
    transcriptRequest,
    leaveMessageRequest: leaveMessageState,
    afterChatPossible: reach.possible,
    consentPending,
    draft: signal(''),
    leaveMessage: leaveMessageAction,
    prechatFields,
    maxMessageLength,

    open() {
      if (destroyed) return;
      // Before consent the window shows the consent step: no transport, no storage.
      const gated = consentPending.value;
      if (!gated) engaged.value = true;
      const hadUnread = unread.value > 0;
      batch(() => {
        isOpen.value = true;
        unread.value = 0;
      });
      if (hadUnread) emit('unread', { count: 0 });
      emit('open', undefined);
      if (capabilities.value.has('window-state')) send({ type: 'window', open: true });
      // A transport that gave up connecting (closed, a retryable error) is replaced: Retry.
      if (!gated && transport && connection.value === 'closed' && error.value?.retryable) {
        dropTransport();
        error.value = null;
      }
      if (!gated) void connectTransport();
    },
    consent(accepted) {
      if (destroyed || !consentPending.value) return;
      if (!accepted) {
        session.close();
        return;
      }
      consentPending.value = false;
      try {
        // Remembered for this page session only (sessionStorage), and only once accepted.
        deps.storage?.setItem(consentKey, '1');
      } catch {
        // storage full or blocked: the visitor is asked again on the next page
      }
      if (isOpen.value) {
        engaged.value = true;
        void connectTransport();
      }
    },
    close() {
      if (destroyed) return;
      isOpen.value = false;
      emit('close', undefined);
      if (capabilities.value.has('window-state')) send({ type: 'window', open: false });
    },
    start(answers, department) {
      if (phase.value !== 'prechat' || !transport) return;
      const known: VisitorInfo = { ...visitor.value };
      for (const field of prechatFields.value) {
        const key = identityKey(field);
        const value = answers[field.name]?.trim();
        if (key && value) known[key] = value;
      }
      const earlier = closeEarlierChat(items, clock.now());
      if (earlier) resetTranscript(earlier);
      batch(() => {
        visitor.value = known;
        error.value = null;
        setPhase('starting');
      });
      const command: Parameters<Transport['send']>[0] = { type: 'start', visitor: known, answers };
      if (department !== undefined) command.department = department;
      send(command);
    },
    send(text) {
      if (!inChat()) return '';
      // A paste over the vendor's cap is cut to it (the composer shows the counter), never
      // in the middle of a surrogate pair.
      const line = text.trim().slice(0, maxMessageLength.value).replace(/[\ud800-\udbff]$/, '');
      if (!line) return '';
      typing.sent();
      const clientId = appendVisitorLine({ text: line });
      outbox.add({ type: 'send', clientId, text: line });
      emit('message', { id: clientId, at: clock.now(), sender: 'visitor', text: line, authorName: visitor.value.name });
      return clientId;
    },
    sendCard(card: Card) {
      if (!inChat() || !capabilities.value.has('card')) return '';
      const clientId = newClientId();
      clearMinorError();
      append({ kind: 'card', id: `card:${clientId}`, at: clock.now(), sender: 'visitor', card });
      outbox.add({ type: 'send-card', clientId, card });
      return clientId;
    },
    retry(clientId) {
      if (inChat()) outbox.retry(clientId);
    },
    sendFile(file) {
      const cfg = config.value;
      const allowed = fileTypes(fileRequest.value, cfg, capabilities.value);
      if (!inChat() || (!allowed.length && !capabilities.value.has('file'))) return '';
      if (!fileAllowed(file.name, file.type, allowed)) {
        error.value = {
          code: 'file-type',
          message: t('error.fileType', { types: allowed.join(', ') }),
          fatal: false,
        };
        return '';
      }
      if (cfg?.maxFileBytes && file.size > cfg.maxFileBytes) {
        error.value = {
          code: 'file-size',
          message: t('error.fileSize', { max: formatBytes(cfg.maxFileBytes) }),
          fatal: false,
        };
        return '';
      }
      const clientId = appendVisitorLine({
        // No URL until the server's echo: the UI shows the name until then.
        attachments: [{ name: file.name, url: '', kind: attachmentKind(file.type), mime: file.type, size: file.size }],
      });
      fileRequest.value = null;
      outbox.add(
        { type: 'send-file', clientId, file, name: file.name },
        (deps.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS) * FILE_TIMEOUT_FACTOR,
      );
      return clientId;
    },
    composing(text) {
      if (inChat()) typing.composing(text);
    },
    choose(promptId, optionId) {
      if (!ACTIVE.has(phase.value)) return;
      const [i, item] = findItem('branch', promptId);
      const option = item?.branch.options.find((o) => o.id === optionId);
      if (!item || !option || item.branch.selected !== undefined || item.closed) return;
      replaceAt(i, { ...item, branch: { ...item.branch, selected: optionId } });
      send({ type: 'choose', promptId, optionId, label: option.label });
    },
    submitForm(promptId, value) {
      const field = findItem('form', promptId)[1]?.form.field;
      // A mask is judged by the lazily loaded matcher: wait for it, then judge (once: if the
      // load failed, validate refuses the masked value).
      const ready = field && masksReady([field]);
      if (ready) void ready.then(() => submitFormNow(promptId, value));
      else submitFormNow(promptId, value);
    },
    rate(ratingId, optionId) {
      if (!transport) return;
      const [i, item] = findItem('rating', ratingId);
      if (!item || item.rating.selected !== undefined) return;
      if (!item.rating.options.some((o) => o.id === optionId)) return;
      const { expiresAt, serverSkew } = item.rating;
      if (expiresAt !== undefined && clock.now() + (serverSkew ?? 0) > expiresAt) return;
      replaceAt(i, { ...item, rating: { ...item.rating, selected: optionId } });
      send({ type: 'rate', ratingId, optionId });
    },
    askRating() {
      if (phase.value === 'chatting' && capabilities.value.has('ask-rating')) send({ type: 'ask-rating' });
    },
    cancelWaiting() {
      if (phase.value !== 'starting' && phase.value !== 'waiting') return;
      const caps = capabilities.value;
      if (caps.has('cancel')) send({ type: 'cancel' });
      else if (caps.has('end')) send({ type: 'end' });
      endChat('visitor');
    },
    end() {
      if (!ACTIVE.has(phase.value)) return;
      send({ type: 'end' });
      endChat('visitor');
    },
    submitPostchat(answers) {
      if (phase.value !== 'ended' || postchat.value === 'pending' || postchat.value === 'done') return;
      batch(() => {
        postchat.value = 'pending';
        setPhase('postchat');
      });
      send({ type: 'postchat', answers });
    },
    requestTranscript(format, email) {
      if (phase.value === 'closed' || phase.value === 'prechat' || phase.value === 'offline') return;
      if (!capabilities.value.has(format === 'pdf' ? 'transcript-pdf' : 'transcript-email')) return;
      if (transcriptRequest.value === 'pending') return;
      transcriptRequest.value = 'pending';
      send(email !== undefined ? { type: 'transcript', format, email } : { type: 'transcript', format });
    },
    newChat() {
      if (destroyed) return;
      if (!AFTER_CHAT.has(phase.value) && !error.value?.fatal) return;
      dropTransport();
      outbox.clear();
      typing.reset();
      seen = new Map();
      batch(() => {
        perChat.forEach((s, i) => (s.value = perChatInitial[i]));
        resetTranscript([]);
        setAgentTyping(false);
        setPhase('closed');
      });
      void connectTransport();
    },
    reset() {
      if (destroyed) return;
      if (isOpen.value) session.close();
      // A running chat is ended for the agent too; then a clean slate, as before the first open.
      if (ACTIVE.has(phase.value)) send({ type: 'end' });
      dropTransport();
      outbox.clear();
      typing.reset();
      seen = new Map();
      clock.clearTimeout(saveTimer);
      pendingSave = null;
      visitorId = null;
      batch(() => {
        engaged.value = false;
        perChat.forEach((s, i) => (s.value = perChatInitial[i]));
        resetTranscript([]);
        setAgentTyping(false);
        visitor.value = {};
        unread.value = 0;
        session.draft.value = '';
        consentPending.value = !!deps.consentRequired;
        setPhase('closed');
      });
      forgetVisitor(deps.storage, deps.durableStorage, deps.storageKey);
    },
    identify(info) {
      const merged: VisitorInfo = { ...visitor.value };
      for (const [key, value] of Object.entries(info)) {
        if (typeof value === 'string') merged[key] = value;
      }
      visitor.value = merged;
    },
    on(name, fn) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const listener = fn as Listener<keyof SessionEventMap>;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    destroy() {
      if (destroyed) return;
      flushSave();
      destroyed = true;
      stopPersisting();
      stopUnread();
      globalThis.removeEventListener?.('pagehide', flushSave);
      globalThis.document?.removeEventListener('visibilitychange', flushSave);
      dropTransport();
      outbox.clear();
      typing.reset();
      if (typingTimer !== undefined) clock.clearTimeout(typingTimer);
      typingTimer = undefined;
      listeners.clear();
    },
  };
  return session;
}
