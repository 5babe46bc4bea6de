/**
 * Confab's relay protocol: what the browser's `relay` transport and the relay server say
 * to each other over one WebSocket per visitor session. Types only (no bytes at run time);
 * the server imports these types too, so the two ends cannot drift apart.
 *
 *   browser → relay   hello | resume | command | ack | ping
 *   relay → browser   welcome (the hello reply) | event | fatal | pong
 */
import type { Capability, Command, ConfabEventBody } from '../core/contract';

/** The page a new session starts from (the vendor adapter decides what it forwards). */
export interface RelayPage {
  url: string;
  referrer: string;
  locale: string;
  userAgent: string;
  visitorId: string;
}

/** A command as it crosses the socket: a file travels as base64, everything else as is. */
export type WireCommand =
  | Exclude<Command, { type: 'send-file' }>
  | { type: 'send-file'; clientId: string; name: string; mime: string; size: number; data: string };

export type ClientFrame =
  | { type: 'hello'; vendor: string; page: RelayPage }
  /** `lastSeq`: the highest event seq the widget has already handled. */
  | { type: 'resume'; token: string; lastSeq: number }
  | { type: 'command'; command: WireCommand }
  | { type: 'ack'; seq: number }
  /** Liveness: a connection that stalls without closing is noticed by a missing pong. */
  | { type: 'ping' };

export type ServerFrame =
  | { type: 'welcome'; token: string; capabilities: Capability[]; resumed: boolean }
  | { type: 'event'; seq: number; event: ConfabEventBody }
  /** Sent just before the relay closes the socket for good; `code` says why. */
  | { type: 'fatal'; code: RelayFatalCode; message: string }
  | { type: 'pong' };

/**
 * `session-unknown`: the token is valid but the session expired or was never here (start
 * over); `bad-token` / `bad-frame` / `vendor-unknown`: the widget is misconfigured.
 */
export type RelayFatalCode = 'session-unknown' | 'bad-token' | 'bad-frame' | 'vendor-unknown';

/** WebSocket close codes the relay uses (4000–4999 is the application range). */
export const CLOSE_FATAL = 4400;
export const CLOSE_REPLACED = 4409;
