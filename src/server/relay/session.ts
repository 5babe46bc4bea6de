/**
 * One visitor session as this relay instance holds it: the adapter (rebuilt from the store's
 * snapshot whenever another instance changed it), the socket (at most one) attached here, the
 * highest seq sent on it, and the queue that runs the session's operations one at a time.
 * The durable part (record, numbered events, adapter state) lives in the SessionStore.
 */
import type { WebSocket } from 'ws';
import type { ConfabEventBody } from '../../core/contract';
import type { ServerFrame } from '../../protocol/relay';
import type { AdapterContext, RelayAdapter, RelayAdapterFactory } from './adapter';
import type { StoredEvent } from './store';

export class RelaySession {
  adapter!: RelayAdapter;
  ctx!: AdapterContext;
  /** The store's state version `adapter` reflects. */
  version = 0;
  socket: WebSocket | null = null;
  /** Highest seq sent on `socket`: nothing at or below it is sent again. */
  sentUpTo = 0;
  /** A replay from the store is in flight; announcements that arrive meanwhile ask for another. */
  syncing = false;
  syncAgain = false;
  /** Events emitted and not yet committed to the store. */
  readonly outbox: ConfabEventBody[] = [];
  inOperation = false;
  /** Commits of this session, in emit order. */
  persisted: Promise<unknown> = Promise.resolve();
  /** Files stored for this session and not yet written (committed before the events naming them). */
  filesPending: Promise<unknown> = Promise.resolve();
  lastUsed: number;
  /** The adapter takes snapshots, so any instance can continue the session. */
  portable = false;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly id: string,
    readonly factory: RelayAdapterFactory,
    private readonly now: () => number,
  ) {
    this.lastUsed = now();
  }

  get vendor(): string {
    return this.factory.vendor;
  }

  touch(): void {
    this.lastUsed = this.now();
  }

  /** Run `task` after every earlier task of this session; tasks never overlap. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const done = this.queue.then(task).finally(() => {
      this.pending--;
    });
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /** Resolves when every queued operation and commit has finished (graceful shutdown). */
  async drained(): Promise<void> {
    await this.queue;
    await this.persisted;
  }

  get busy(): boolean {
    return this.pending > 0 || this.inOperation;
  }

  /** The last event sent on the socket ended the chat (the visitor already knows it is over). */
  endedLast = false;

  sendEvent(item: StoredEvent): void {
    this.endedLast = item.event.type === 'ended';
    this.send({ type: 'event', ...item });
  }

  send(frame: ServerFrame): void {
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  detach(socket: WebSocket): void {
    if (this.socket === socket) this.socket = null;
  }
}
