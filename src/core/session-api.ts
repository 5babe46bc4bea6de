/**
 * The session as the UI and the public JS API see it: read-only signals plus actions.
 * `src/core/session.ts` implements it over a Transport; `src/ui/` renders it and calls
 * its actions, never a transport. Types only.
 */
import type { ReadonlySignal, Signal } from '@preact/signals-core';
import type {
  Agent,
  Attachment,
  BranchPrompt,
  Capability,
  Card,
  ChatConfig,
  ConnectionState,
  EndedBy,
  FormPrompt,
  RatingPolicy,
  RatingRequest,
  Sender,
  SurveyField,
  VisitorInfo,
  WaitingKind,
} from './contract';

export type Phase =
  | 'closed' // nothing started; the window may be open on a loading/connecting view
  | 'prechat' // connected, showing the welcome message and pre-chat survey
  | 'starting' // start sent, waiting for accepted/rejected
  | 'waiting' // accepted, waiting for an agent (wait screen)
  | 'chatting'
  | 'ended' // chat over: post-chat survey / transcript / new chat offered
  | 'postchat' // post-chat survey submitted, waiting for acknowledgement
  | 'done' // nothing more to do but start a new chat
  | 'offline'; // nobody available: leave a message / forwarding URL / server's message

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

interface ItemBase {
  /** Unique within the transcript; stable across reloads. */
  id: string;
  /** Local time the item was added (ms since epoch). */
  at: number;
}

export interface MessageItem extends ItemBase {
  kind: 'message';
  sender: Sender;
  authorName?: string;
  text?: string;
  /** Untrusted vendor HTML: only ever rendered through the sanitizer. */
  html?: string;
  attachments?: Attachment[];
  /** Visitor lines only: outbox state. */
  status?: DeliveryStatus;
  /** Failed for good: the server refused it (a file too large), so no Retry is offered. */
  refused?: boolean;
  clientId?: string;
  /** Translation lines shown under the line they translate. */
  translations?: string[];
  /** Still growing (a streamed answer): updates follow, the last one finishes it. */
  partial?: boolean;
}

/** A line the widget or server writes about the chat: joined, left, paging, ended. */
export interface NoticeItem extends ItemBase {
  kind: 'notice';
  text: string;
  /** `divider`: where a new chat begins below an earlier one's lines. */
  tone?: 'info' | 'ended' | 'error' | 'divider';
}

export interface BranchItem extends ItemBase {
  kind: 'branch';
  branch: BranchPrompt;
  /** The menu belongs to an earlier chat: shown, but no longer answerable. */
  closed?: boolean;
}

export interface FormItem extends ItemBase {
  kind: 'form';
  form: FormPrompt;
}

export interface CardItem extends ItemBase {
  kind: 'card';
  sender: Sender;
  card: Card;
}

export interface RatingItem extends ItemBase {
  kind: 'rating';
  rating: RatingRequest;
}

export interface FileRequestItem extends ItemBase {
  kind: 'file-request';
  allowedTypes: string[];
}

export type TranscriptItem =
  | MessageItem
  | NoticeItem
  | BranchItem
  | FormItem
  | CardItem
  | RatingItem
  | FileRequestItem;

export interface WaitState {
  /** The latest paging / waiting / queue line. */
  text?: string;
  kind?: WaitingKind;
  position?: number;
  total?: number;
}

export interface OfflineState {
  /** The server's message (or our own when it gave none). */
  reason: string;
  leaveMessage: boolean;
  forwardingUrl?: string;
}

export interface SessionError {
  code: string;
  message: string;
  fatal: boolean;
  /** The action that would retry, when there is one (e.g. a failed start). */
  retryable?: boolean;
}

/** One-off requests the visitor made after or outside the chat, and how they went. */
export type RequestState = 'idle' | 'pending' | 'done' | 'failed';

/** Public events (JS API `Confab('on', …)`), vendor-neutral. */
export interface SessionEventMap {
  ready: undefined;
  open: undefined;
  close: undefined;
  /** `id`: the transcript item's (a visitor line's is its client id); `at`: when it was added. */
  message: { id: string; at: number; sender: Sender; text: string; authorName?: string };
  unread: { count: number };
  ended: { by: EndedBy };
  phase: { phase: Phase };
}

export interface SessionState {
  readonly phase: ReadonlySignal<Phase>;
  readonly connection: ReadonlySignal<ConnectionState>;
  readonly reconnectAttempt: ReadonlySignal<number>;
  readonly config: ReadonlySignal<ChatConfig | null>;
  readonly capabilities: ReadonlySignal<ReadonlySet<Capability>>;
  /**
   * Oldest first. The array may be the same one, grown or patched in place, after a change
   * (so a long chat costs O(1) per line): read `.value` to subscribe, and copy it to keep a
   * snapshot. Items themselves are immutable: a changed item is a new object.
   */
  readonly transcript: ReadonlySignal<readonly TranscriptItem[]>;
  readonly agent: ReadonlySignal<Agent | null>;
  readonly agentTyping: ReadonlySignal<boolean>;
  readonly wait: ReadonlySignal<WaitState>;
  readonly offline: ReadonlySignal<OfflineState | null>;
  readonly error: ReadonlySignal<SessionError | null>;
  readonly ratingPolicy: ReadonlySignal<RatingPolicy | null>;
  /** File types the agent asked for right now (overrides config while set). */
  readonly fileRequest: ReadonlySignal<string[] | null>;
  readonly logoUrl: ReadonlySignal<string | null>;
  /** Incoming messages not yet seen (window closed or minimised). */
  readonly unread: ReadonlySignal<number>;
  /** Whether the window is open: unread counting and the launcher depend on it. */
  readonly isOpen: ReadonlySignal<boolean>;
  /** Visitor details from `identify`, used to pre-fill forms. */
  readonly visitor: ReadonlySignal<VisitorInfo>;
  readonly endedBy: ReadonlySignal<EndedBy | null>;
  readonly postchat: ReadonlySignal<RequestState>;
  readonly transcriptRequest: ReadonlySignal<RequestState>;
  readonly leaveMessageRequest: ReadonlySignal<RequestState>;
  /**
   * Whether the ended chat's post-chat survey and transcript can still be sent: false for a chat
   * restored after a reload by a transport that cannot resume it (core/after-chat.ts).
   */
  readonly afterChatPossible: ReadonlySignal<boolean>;
  /** Pre-chat fields the UI should render (config's, or the widget's own when the vendor has none). */
  readonly prechatFields: ReadonlySignal<readonly SurveyField[]>;
  /** Longest message the composer allows. */
  readonly maxMessageLength: ReadonlySignal<number>;
  /** data-consent="required" and the visitor has not accepted yet: show the consent step. */
  readonly consentPending: ReadonlySignal<boolean>;
  /**
   * The composer's text, written by the visitor or pre-filled by the site (`open({ message })`,
   * or `send` before a chat): the visitor sends it once the chat runs.
   */
  readonly draft: Signal<string>;
}

export interface SessionActions {
  /** The window opened: connect lazily if not yet connected, clear unread. */
  open(): void;
  /** The window closed or minimised (the chat goes on). */
  close(): void;
  start(answers: Record<string, string>, department?: string): void;
  /** Send a visitor line; returns its client id. Empty text is ignored (returns ''). */
  send(text: string): string;
  sendCard(card: Card): string;
  retry(clientId: string): void;
  sendFile(file: File): string;
  /** The composer's value changed: drives typing start/stop and throttled preview. */
  composing(text: string): void;
  choose(promptId: string, optionId: string): void;
  submitForm(promptId: string, value: string): void;
  rate(ratingId: string, optionId: string): void;
  askRating(): void;
  cancelWaiting(): void;
  end(): void;
  submitPostchat(answers: Record<string, string>): void;
  requestTranscript(format: 'email' | 'pdf', email?: string): void;
  leaveMessage(fields: { name: string; email?: string; phone?: string; message: string }): void;
  /**
   * The consent step's answer: accepting connects (and remembers it for this page session);
   * declining closes the window and nothing is loaded or stored.
   */
  consent(accepted: boolean): void;
  /** After an ended chat: forget it and go back to the pre-chat step. */
  newChat(): void;
  /**
   * `Confab('reset')` (a visitor logs out; a shared computer): ends a running chat, forgets the
   * visitor id, the stored chat, the consent and the visitor's details, and closes the window.
   * The next chat is a new visitor's.
   */
  reset(): void;
  identify(visitor: VisitorInfo): void;
  on<K extends keyof SessionEventMap>(name: K, fn: (detail: SessionEventMap[K]) => void): () => void;
  /** Close the transport and stop every timer. */
  destroy(): void;
}

export type Session = SessionState & SessionActions;
