/**
 * The visitor's outgoing lines until the server confirms them. Each has a client id; it
 * is 'sending' until its echo arrives ('sent'), or 'failed' when no echo came within the
 * timeout. Lines written while the connection is down wait, still 'sending', and go out
 * when it is open again — exactly once per connection, so a reconnect storm never sends
 * a line twice on the same connection. The timeout runs only while a line is on the wire.
 * Echoes are confirmed by client id only: matching an echo to its line is the transport's,
 * with the delivery ledger (delivery.ts).
 */
import type { Clock, Command } from './contract';
import type { DeliveryStatus } from './session-api';

export type OutgoingCommand = Extract<Command, { type: 'send' | 'send-file' | 'send-card' }>;

interface Entry {
  command: OutgoingCommand;
  status: DeliveryStatus;
  /** The connection number it was last put on the wire on (0: never). */
  sentOn: number;
  timer: unknown;
  timeoutMs: number;
}

export interface OutboxDeps {
  clock: Clock;
  timeoutMs: number;
  transmit(command: OutgoingCommand): void;
  onStatus(clientId: string, status: DeliveryStatus): void;
}

let counter = 0;

/** A client id: a UUID where the platform has one, else a counter plus randomness. */
export function newClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  counter += 1;
  return `c${counter.toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export interface Outbox {
  /** Queue a command (transmitted now when online). */
  add(command: OutgoingCommand, timeoutMs?: number): void;
  /** Put back a line restored from storage; 'sending' ones go out on the next connection. */
  restore(command: OutgoingCommand, status: DeliveryStatus): void;
  /** The echo arrived. Returns false for an id the outbox does not know. */
  confirm(clientId: string): boolean;
  /** Send a failed line once more with the same client id. */
  retry(clientId: string): boolean;
  has(clientId: string): boolean;
  /** A connection (a new one each call) is open: send what is waiting. */
  online(): void;
  /** The connection dropped: hold lines, stop their timers. */
  offline(): void;
  /**
   * The transport says this line failed (issue 25 item 9): failed now; `forGood` (the server
   * refused it) also forgets it, so a Retry cannot send it again. Returns false if unknown.
   */
  fail(clientId: string, forGood: boolean): boolean;
  /** Nothing more can be delivered (connection closed for good, chat ended). */
  failPending(): void;
  clear(): void;
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const entries = new Map<string, Entry>();
  let connection = 0;
  let isOnline = false;

  const stopTimer = (e: Entry): void => {
    if (e.timer !== undefined) deps.clock.clearTimeout(e.timer);
    e.timer = undefined;
  };

  const setStatus = (id: string, e: Entry, status: DeliveryStatus): void => {
    if (e.status === status) return;
    e.status = status;
    deps.onStatus(id, status);
  };

  const transmit = (id: string, e: Entry): void => {
    e.sentOn = connection;
    stopTimer(e);
    e.timer = deps.clock.setTimeout(() => {
      e.timer = undefined;
      if (e.status === 'sending') setStatus(id, e, 'failed');
    }, e.timeoutMs);
    deps.transmit(e.command);
  };

  return {
    add(command, timeoutMs = deps.timeoutMs) {
      const e: Entry = { command, status: 'sending', sentOn: 0, timer: undefined, timeoutMs };
      entries.set(command.clientId, e);
      if (isOnline) transmit(command.clientId, e);
    },
    restore(command, status) {
      entries.set(command.clientId, {
        command,
        status,
        sentOn: 0,
        timer: undefined,
        timeoutMs: deps.timeoutMs,
      });
    },
    confirm(clientId) {
      const e = entries.get(clientId);
      if (!e) return false;
      stopTimer(e);
      setStatus(clientId, e, 'sent');
      // Confirmed lines need nothing more; later duplicate echoes are matched in the transcript.
      entries.delete(clientId);
      return true;
    },
    retry(clientId) {
      const e = entries.get(clientId);
      if (!e || e.status !== 'failed') return false;
      setStatus(clientId, e, 'sending');
      if (isOnline) transmit(clientId, e);
      else e.sentOn = 0;
      return true;
    },
    has: (clientId) => entries.has(clientId),
    online() {
      connection += 1;
      isOnline = true;
      for (const [id, e] of entries) {
        if (e.status === 'sending' && e.sentOn !== connection) transmit(id, e);
      }
    },
    offline() {
      isOnline = false;
      for (const e of entries.values()) stopTimer(e);
    },
    fail(clientId, forGood) {
      const e = entries.get(clientId);
      if (!e) return false;
      stopTimer(e);
      setStatus(clientId, e, 'failed');
      if (forGood) entries.delete(clientId);
      return true;
    },
    failPending() {
      isOnline = false;
      for (const [id, e] of entries) {
        stopTimer(e);
        if (e.status === 'sending') setStatus(id, e, 'failed');
      }
    },
    clear() {
      for (const e of entries.values()) stopTimer(e);
      entries.clear();
    },
  };
}
