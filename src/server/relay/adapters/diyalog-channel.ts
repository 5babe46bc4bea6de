/**
 * What the Diyalog adapter needs from Diyalog, as an interface.
 *
 * Diyalog's document (shared/vendor-docs/diyalog-online-help.txt) specifies the SDK *methods*
 * (startAnonymousOnlineHelp, subscribeToOnlineHelpChatStateEvent, closeMessaging, getDeviceHash)
 * but no public material specifies the wire between the SDK and Diyalog's server. So nothing
 * here pretends to know it: a live deployment supplies a `DiyalogChannel` (see DIYALOG.md); the
 * sandbox simulator's client implements one for tests. The REST side (transaction hashes,
 * finishonlinehelp) IS documented and implemented in transaction-hash-issuer.ts;
 * `TransactionHashIssuer` stays an interface so a site may mint hashes elsewhere.
 *
 * Names follow the document's spelling so the mapping to the SDK is one-to-one.
 */

/** The document's helpType values. */
export const HELP_TYPES = ['chat', 'video_call', 'voice_call'] as const;
export type HelpType = (typeof HELP_TYPES)[number];

/** The document's online help states (its prose misspells one as "N0_CHAT"; the list says NO_CHAT). */
export const ONLINE_HELP_STATES = ['NO_CHAT', 'STARTED', 'CHAT_INPROGRESS', 'CHAT_ENDED'] as const;
export type OnlineHelpState = (typeof ONLINE_HELP_STATES)[number];

/** Every parameter of startAnonymousOnlineHelp, plus the device hash the SDK would read itself. */
export interface OnlineHelpParams {
  customerId: string;
  customerName: string;
  /** Int64 in the SDK; 0 when unknown. Kept within Number.MAX_SAFE_INTEGER by the adapter. */
  idNumber: number;
  /** Int64 in the SDK; 0 when unknown. */
  customerPhone: number;
  /** "" when unknown. */
  email: string;
  helpType: HelpType;
  transactionHash: string;
  isLoggedIn: boolean;
  /** Confab always passes true: the widget manages the wait screen. */
  isBackground: boolean;
  waitDisplayText: string;
  /**
   * The SDK reads this from the device (getDeviceHash) and Diyalog checks the
   * transactionHash / deviceHash / customerId trio. The relay acts for a browser, so it
   * passes the browser's device hash explicitly.
   */
  deviceHash: string;
}

/** ACOnlineHelpStartError: getCode() / getMsg(). */
export interface OnlineHelpStartError {
  code: string;
  msg: string;
}

/** Extra detail a channel may give with a state change (both optional). */
export interface OnlineHelpStateInfo {
  /** The error the document prints when the state is CHAT_ENDED. */
  error?: OnlineHelpStartError;
  /** Representative's display name on CHAT_INPROGRESS, when the channel knows it. */
  agentName?: string;
  /** The representative's Diyalog user id on CHAT_INPROGRESS (finishonlinehelp's staffId). */
  staffId?: string;
}

export interface OnlineHelpChatMessage {
  id: string;
  text: string;
  authorName?: string;
  /** ms since epoch */
  sentAt?: number;
}

/** Callbacks for one online help. Values are untrusted: the adapter validates them. */
export interface OnlineHelpEvents {
  /** subscribeToOnlineHelpChatStateEvent's listener: the raw state string. */
  state(value: string, info?: OnlineHelpStateInfo): void;
  message(message: OnlineHelpChatMessage): void;
  typing?(on: boolean): void;
  /** The channel's own connection failed for good (not a Diyalog state). */
  lost(reason: string): void;
}

/** One started online help. */
export interface OnlineHelp {
  /** Resolves with the server's id for the line; rejects when it was not accepted. */
  sendMessage(text: string): Promise<{ id: string }>;
  /** The document's way to stop the process (the visitor cancelled or ended). */
  closeMessaging(): Promise<void>;
  /** unsubscribeToOnlineHelpChatStateEvent and release the connection. */
  dispose(): void;
}

export type OnlineHelpStartResult =
  | { success: true; help: OnlineHelp }
  | { success: false; error: OnlineHelpStartError };

/** The SDK side: one call per visitor's online help. */
export interface DiyalogChannel {
  /**
   * startAnonymousOnlineHelp. `events` fire only after a successful result (the document
   * subscribes to state inside the result callback); they are passed up front so no state
   * change can slip between the result and the subscription.
   */
  startAnonymousOnlineHelp(params: OnlineHelpParams, events: OnlineHelpEvents): Promise<OnlineHelpStartResult>;
  /**
   * getDeviceHash, for a channel that runs a real SDK (which makes its own device hash): the
   * transaction is then requested for this hash, and the browser's own is not used. Called
   * once per session, before the visitor starts.
   */
  getDeviceHash?(session: { sessionId: string }): Promise<string>;
}

/** The server side: only a server with Diyalog credentials can implement this. */
export interface TransactionHashIssuer {
  /** gettransactionhashforonlinehelp for this customer and device; rejects on failure. */
  getTransactionHashForOnlineHelp(request: { customerId: string; deviceHash: string }): Promise<string>;
}
