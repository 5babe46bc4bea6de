/**
 * The one idea of Confab: every vendor module turns its wire protocol into this
 * normalized event stream, and turns these commands back into its wire protocol.
 * Nothing outside `src/transports/` and `src/server/` knows a vendor exists.
 *
 * Types only (plus two tiny helpers): this module costs no bytes at run time.
 */

/** Who wrote a line. `system` is for lines the server or widget writes (paging, joined, ended). */
export type Sender = 'visitor' | 'agent' | 'bot' | 'system';

export interface Agent {
  name: string;
  /** Avatar URL, untrusted: the UI passes it through the URL allowlist. */
  avatar?: string;
  isBot: boolean;
}

export type AttachmentKind = 'image' | 'audio' | 'video' | 'file';

export interface Attachment {
  name: string;
  /** Untrusted URL: only allowlisted schemes become links or media. */
  url: string;
  kind: AttachmentKind;
  mime?: string;
  size?: number;
  /**
   * Untrusted URL of an image standing for a document (ExpertFlow's thumbnailUrl): shown in
   * its place, and a click opens the document itself.
   */
  thumbnailUrl?: string;
}

/**
 * One survey field, the normalized form of WhosOn's survey field (the richest model of
 * the five vendors); other vendors' forms map onto it.
 */
export type FieldType =
  | 'text'
  | 'name'
  | 'numeric'
  | 'date'
  | 'time'
  | 'boolean'
  | 'select'
  | 'rating'
  | 'company'
  | 'email'
  | 'phone';

export interface SurveyField {
  name: string;
  type: FieldType;
  /** Prompt shown as the field's label (plain text). */
  label: string;
  required: boolean;
  /** Maximum characters; absent or 0 means no limit. */
  maxLength?: number;
  multiline?: boolean;
  lines?: number;
  password?: boolean;
  changeCase?: 'none' | 'upper' | 'words' | 'lower';
  /** A regular expression from the server: compiled defensively, ignored if unsafe. */
  mask?: string;
  defaultValue?: string;
  /** date: default to today; time: default to now. */
  defaultNow?: boolean;
  selectAs?: 'select' | 'radio';
  options?: string[];
  /** numeric bounds (inclusive); rating: `max` is the top of the scale. */
  min?: number;
  max?: number;
  /** The address the vendor mails the transcript to (WhosOn's `transEmail`): the one e-mail field shown. */
  transcript?: boolean;
}

export interface Language {
  code: string;
  name: string;
}

/** What the server tells us about the chat before it starts. */
export interface ChatConfig {
  siteName?: string;
  /** Opening message; may contain vendor HTML (sanitized where rendered). */
  welcomeHtml?: string;
  closingText?: string;
  prechat: SurveyField[];
  postchat: SurveyField[];
  /** Lower-case extensions without dots; empty means no uploads. */
  allowedFileTypes: string[];
  maxFileBytes?: number;
  leaveMessage: boolean;
  forwardingUrl?: string;
  languages?: Language[];
  previewAllowed: boolean;
  /** false when the vendor says nobody is there (→ offline before starting). */
  agentsAvailable?: boolean;
  /** Longest visitor line the vendor accepts. */
  maxMessageLength?: number;
  /** Diyalog: the device hash the relay's channel presents (its SDK's); the widget uses it. */
  deviceHash?: string;
  /**
   * Set when the vendor mails the transcript to the address it already holds (ExpertFlow): that
   * address, or '' when it holds none (then no email copy is offered). Unset: the visitor types
   * the address.
   */
  transcriptEmailTo?: string;
}

export interface IncomingMessage {
  /** Stable id for de-duplication (vendor id, or one the transport derives). */
  id: string;
  sender: Sender;
  authorName?: string;
  text?: string;
  /** Vendor HTML, untrusted: sanitized at the one place it is rendered. */
  html?: string;
  attachments?: Attachment[];
  /** Set on a line that translates an earlier one: that line's id. */
  translationOf?: string;
  /** The visitor's own echo: the client id of the outbox entry it confirms. */
  clientId?: string;
  /** Server time of the line when the vendor gives one (ms since epoch). */
  sentAt?: number;
  /**
   * More of this line is coming (a streamed answer, or formatting still being prepared):
   * `message-updated` events with the same id carry it, the last one without `partial`.
   * A partial line is shown as it grows and announced once, when it is finished.
   */
  partial?: boolean;
}

export interface ChoiceOption {
  id: string;
  label: string;
}

export interface BranchPrompt {
  id: string;
  header: string;
  options: ChoiceOption[];
  tail?: string;
  /** Option id already chosen (restored history, or the vendor says so). */
  selected?: string;
  /**
   * Options shown at a time; a button shows the next ones, from the first again after the
   * last (Tencent's robot welcome list, five at a time). Absent: all at once.
   */
  pageSize?: number;
}

export interface FormPrompt {
  id: string;
  header: string;
  field: SurveyField;
  /** The value already submitted. */
  submitted?: string;
}

export interface Card {
  title: string;
  description?: string;
  image?: string;
  url?: string;
}

export interface RatingRequest {
  id: string;
  title?: string;
  closing?: string;
  scale: 'stars' | 'numeric';
  options: ChoiceOption[];
  /** ms since epoch, server clock; after it the request is read-only. */
  expiresAt?: number;
  /** Server's clock minus ours (ms) when the request arrived, to check expiry fairly. */
  serverSkew?: number;
  selected?: string;
}

export interface RatingPolicy {
  autoAtEnd: boolean;
  agentMaySend: boolean;
  visitorMayAsk: boolean;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';
export type WaitingKind = 'paging' | 'waiting' | 'final' | 'queue' | 'info';
export type EndedBy = 'visitor' | 'agent' | 'timeout' | 'system';
export type AckKind = 'postchat' | 'transcript' | 'leave-message';

/** A JSON value: what a transport may ask the core to persist for resuming. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type ConfabEventBody =
  | { type: 'connection'; state: ConnectionState; attempt?: number; reason?: string }
  | { type: 'config'; config: ChatConfig }
  | { type: 'queue'; position: number; total?: number }
  | { type: 'waiting'; kind: WaitingKind; text: string }
  | { type: 'accepted'; chatId?: string }
  | { type: 'rejected'; reason: string; forwardingUrl?: string }
  | { type: 'agent'; action: 'joined' | 'left'; agent: Agent }
  | { type: 'message'; message: IncomingMessage }
  /**
   * A line already sent, changed in place: the same `id`, its new content (text, html,
   * attachments replace the old ones), finished unless `partial`. Any vendor may use it (a
   * streamed answer, an edit). An update for a line the session never saw counts as that line.
   */
  | { type: 'message-updated'; message: IncomingMessage }
  /**
   * The vendor withdrew (recalled) what it sent under `id`: a line, a card, a branch or a
   * form. The session removes it from the transcript; a copy arriving later stays out.
   */
  | { type: 'message-withdrawn'; id: string }
  | { type: 'typing'; on: boolean }
  | { type: 'branch'; branch: BranchPrompt }
  | { type: 'form'; form: FormPrompt }
  | { type: 'card'; id: string; sender: Sender; card: Card; clientId?: string }
  | { type: 'rating'; rating: RatingRequest }
  | { type: 'rating-policy'; policy: RatingPolicy }
  | { type: 'file-request'; allowedTypes: string[] }
  | { type: 'ended'; by: EndedBy; text?: string }
  /** The server confirmed a one-off request (post-chat survey, transcript, left message). */
  | { type: 'ack'; what: AckKind; detail?: string }
  /** A site image (logo) as a URL the UI may show (data: images allowed). */
  | { type: 'image'; role: 'logo'; url: string }
  /**
   * Opaque state the transport needs to resume after a page navigation. The core hands it
   * back while a chat is active; after the end only a token marked `ended: true` (an object
   * with that key) is handed back, for what still works on an ended chat (ExpertFlow's
   * transcript). A null token forgets the chat.
   */
  | { type: 'resume'; token: Json }
  /**
   * `retryable`: the command that caused it (a start) did not go through and may be tried
   * again as it was; the session offers Retry instead of leaving the visitor waiting.
   */
  | {
      type: 'error';
      code: string;
      message: string;
      fatal: boolean;
      retryable?: boolean;
      /**
       * The visitor's line (an upload) the error is about: it failed now, not after the send
       * timeout. With `retryable` the visitor may try it again; without, the server refused it
       * for good (too large, a type it will not take) and no Retry is offered.
       */
      clientId?: string;
    };

/** Every event carries the local time it was produced (ms since epoch). */
export type ConfabEvent = ConfabEventBody & { at: number };
export type EventType = ConfabEvent['type'];
export type EventOf<T extends EventType> = Extract<ConfabEvent, { type: T }>;

export interface VisitorInfo {
  name?: string;
  email?: string;
  phone?: string;
  lastName?: string;
  customerId?: string;
  [extra: string]: string | undefined;
}

export type Command =
  | {
      type: 'start';
      visitor: VisitorInfo;
      answers: Record<string, string>;
      department?: string;
      /** The site's custom attributes (`Confab('update', …)`, chat-context.ts), for the agent. */
      attributes?: Readonly<Record<string, string>>;
    }
  | { type: 'send'; clientId: string; text: string }
  | { type: 'send-file'; clientId: string; file: Blob; name: string }
  | { type: 'send-card'; clientId: string; card: Card }
  | { type: 'typing'; on: boolean }
  | { type: 'preview'; text: string }
  | { type: 'choose'; promptId: string; optionId: string; label: string }
  | { type: 'submit-form'; promptId: string; fieldName: string; value: string }
  | { type: 'rate'; ratingId: string; optionId: string }
  | { type: 'ask-rating' }
  | { type: 'cancel' }
  | { type: 'end' }
  | { type: 'postchat'; answers: Record<string, string> }
  | { type: 'transcript'; format: 'email' | 'pdf'; email?: string }
  /**
   * The visitor expanded or minimised the chat window (the chat goes on). Sent by the session
   * only when the transport has the `window-state` capability; other transports never see it.
   */
  | { type: 'window'; open: boolean }
  | {
      type: 'leave-message';
      name: string;
      email?: string;
      phone?: string;
      message: string;
      department?: string;
    };

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** What a transport can do; the UI shows only what the connected vendor supports. */
export type Capability =
  | 'prechat'
  | 'postchat'
  | 'transcript-email'
  | 'transcript-pdf'
  | 'leave-message'
  | 'file'
  | 'typing'
  | 'preview'
  | 'cancel'
  | 'end'
  | 'rating'
  | 'ask-rating'
  | 'card'
  | 'resume'
  /** The vendor wants to know when the window is expanded / minimised (`window` command). */
  | 'window-state'
  /** Its lines may carry HTML (`html`): the UI fetches the sanitizer as soon as it connects. */
  | 'html';

/** Options a transport receives: the widget's validated `data-*` options and the page context. */
export interface TransportOptions {
  /** All data-* options, by their camelCased name (`data-api-key` → `apiKey`). */
  options: Readonly<Record<string, string>>;
  locale: string;
  pageUrl: string;
  referrer: string;
  userAgent: string;
  /** Stable per-browser visitor id (the tracking-cookie analogue), created by the core. */
  visitorId: string;
  /** What the transport emitted as `resume` before a navigation, if any. */
  resume?: Json;
  /** Injected clock and timers, so tests never sleep. */
  clock?: Clock;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type EventSink = (event: ConfabEvent) => void;

/**
 * A vendor transport. `connect` opens the connection and reports everything through the
 * sink, starting with `connection` and (when the vendor has one) `config`. `send` never
 * throws: a command the transport cannot carry out becomes an `error` event.
 */
export interface Transport {
  readonly capabilities: ReadonlySet<Capability>;
  connect(sink: EventSink): void;
  send(command: Command): void;
  /** Close the connection for good (destroy, or the chat is done). */
  close(): void;
}

export type TransportFactory = (options: TransportOptions) => Transport;

/** The shape of a transport module: the registry lazy-imports one of these per vendor. */
export interface TransportModule {
  createTransport: TransportFactory;
}

/** Stamp an event body with the current time. */
export function stamp(body: ConfabEventBody, clock: Clock = realClock): ConfabEvent {
  return { ...body, at: clock.now() } as ConfabEvent;
}

/**
 * Bounds every decoder applies at its edge, so a hostile or broken server cannot make the
 * widget render a megabyte line or a ten-thousand-option menu. Far above any real chat line
 * (WhosOn caps its own at 4,000 characters) and any real menu.
 */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_OPTIONS = 100;

/** Text cut to MAX_TEXT_CHARS with an ellipsis (never splitting a surrogate pair). */
export function capText(s: string): string {
  if (s.length <= MAX_TEXT_CHARS) return s;
  let end = MAX_TEXT_CHARS - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}
