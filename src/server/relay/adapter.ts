/**
 * The seam between the relay (sockets, tokens, buffering, hookpoint HTTP, security) and one
 * vendor's server-to-server API. All vendor knowledge lives behind this interface; the relay
 * core never names a vendor. Omnidesk is the first adapter, Diyalog the second.
 *
 * Lifecycle: the relay creates ONE adapter instance per visitor session (`factory.create`),
 * calls `open()` once, feeds it commands in arrival order (`handle` is awaited one at a time
 * per session, so an adapter may number messages without locks), and calls `close()` when
 * the session expires or the relay shuts down. The adapter reports everything through
 * `ctx.emit`; the relay numbers, buffers and delivers those events (also while the visitor
 * is disconnected).
 *
 * Hookpoints: a factory lists the routes its vendor POSTs to. They are served at
 * `${ctx.hookpointBase}/<route>` (the base includes the relay's secret path segment and this session's own token), and
 * the relay has already checked the secret, the IP allowlist, the rate and the body size
 * before a route handler runs.
 */
import type { Capability, ChatConfig, ConfabEventBody, Json } from '../../core/contract';
import type { RelayPage, WireCommand } from '../../protocol/relay';

/** A file received by the relay (from the visitor's socket or a vendor hookpoint). */
export interface RelayFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

/** What the relay gives an adapter for one visitor session. */
export interface AdapterContext {
  /** The relay's id of this session: unguessable, stable for the session's life. */
  readonly sessionId: string;
  readonly page: RelayPage;
  /** Public base URL the vendor POSTs hookpoints to, e.g. https://relay/hook/<secret>/omnidesk/<session token> */
  readonly hookpointBase: string;
  /** Deliver an event to the visitor (buffered with a seq while they are away). */
  emit(event: ConfabEventBody): void;
  /** Keep a file for this session only; returns an absolute URL signed for this session. */
  storeFile(file: RelayFile): string;
  /** Record that the session is alive (hookpoints and commands both count). */
  touch(): void;
  /** The relay's upload policy, for the adapter's `config` event. */
  readonly files: { allowedTypes: readonly string[]; maxBytes: number };
  readonly log: (message: string) => void;
}

export interface RelayAdapter {
  /** The id the vendor uses for this session in its hookpoint calls. */
  readonly hookKey: string;
  /** Called once when a new session is created; typically emits `config`. */
  open(): Promise<void>;
  /** One visitor command; never throws (failures become `error` events). */
  handle(command: WireCommand): Promise<void>;
  /** The session expired or the relay is closing: tell the vendor if it needs to know. */
  close(reason: 'expired' | 'shutdown'): Promise<void>;
  /**
   * Everything needed to carry the session on in another relay instance (or after a
   * restart), as JSON; the relay saves it after every operation and passes it back to
   * `factory.create`. Adapters without it keep their sessions on the instance that made them.
   */
  snapshot?(): Json;
}

/** A hookpoint body, whatever its content type: fields (names as sent) and files. */
export interface HookpointBody {
  fields: Record<string, string | number | boolean | null>;
  files: RelayFile[];
}

/** A route handler's answer: the HTTP status and JSON body to return to the vendor. */
export interface HookpointReply {
  status: number;
  body: Record<string, unknown>;
}

export interface HookpointRoute<A extends RelayAdapter = RelayAdapter> {
  /** Path below the hookpoint base, e.g. 'messageForCustomer'. */
  path: string;
  /**
   * `find` looks a session up by the adapter's `hookKey`; it resolves undefined for unknown or
   * expired sessions. The adapter instance returned is one this factory created (possibly on
   * this instance from another instance's snapshot); the session is held for the handler
   * until it returns, and what it emits is kept before the reply goes to the vendor.
   */
  handle(body: HookpointBody, find: (hookKey: string) => Promise<A | undefined>): Promise<HookpointReply>;
}

export interface RelayAdapterFactory<A extends RelayAdapter = RelayAdapter> {
  /** The `data-vendor` value that selects this adapter. */
  readonly vendor: string;
  /** What the widget may offer; sent to the browser in the hello reply. */
  readonly capabilities: readonly Capability[];
  readonly routes: readonly HookpointRoute<A>[];
  /** `state`: a snapshot this factory's adapter took, to continue that session. */
  create(ctx: AdapterContext, state?: Json): A;
}

/** The config most adapters start from; the relay's upload policy filled in. */
export function baseConfig(files: AdapterContext['files']): ChatConfig {
  return {
    prechat: [],
    postchat: [],
    allowedFileTypes: [...files.allowedTypes],
    maxFileBytes: files.maxBytes,
    leaveMessage: true,
    previewAllowed: false,
  };
}
