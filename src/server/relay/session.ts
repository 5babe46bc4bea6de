/**
 * One visitor session on the relay: its adapter, the numbered event buffer, and the socket
 * (at most one) currently attached. Events are kept until the widget acknowledges them, so
 * whatever arrives while the visitor is away is replayed in order on resume, and nothing the
 * widget already saw is sent twice. The buffer is bounded: when it overflows, the oldest
 * unacknowledged events are dropped and the widget is told so on its next resume.
 */
import type { WebSocket } from 'ws';
import type { ConfabEventBody } from '../../core/contract';
import type { ServerFrame, WireCommand } from '../../transports/relay/protocol';
import type { RelayAdapter } from './adapter';

interface Buffered {
  seq: number;
  event: ConfabEventBody;
}

export class RelaySession {
  adapter!: RelayAdapter;
  socket: WebSocket | null = null;
  lastActive: number;
  private readonly buffer: Buffered[] = [];
  private nextSeq = 1;
  /** Highest seq dropped from a full buffer before the widget acknowledged it. */
  private droppedUpTo = 0;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly id: string,
    readonly vendor: string,
    private readonly bufferLimit: number,
    private readonly now: () => number,
  ) {
    this.lastActive = now();
  }

  touch(): void {
    this.lastActive = this.now();
  }

  emit(event: ConfabEventBody): void {
    const item = { seq: this.nextSeq++, event };
    this.buffer.push(item);
    while (this.buffer.length > this.bufferLimit) this.droppedUpTo = this.buffer.shift()!.seq;
    this.send({ type: 'event', ...item });
  }

  /** Attach a (re)connected socket and replay everything after `lastSeq`. */
  attach(socket: WebSocket, lastSeq: number, welcome: ServerFrame): void {
    this.touch();
    this.ack(lastSeq);
    this.socket = socket;
    this.send(welcome);
    const lost = lastSeq < this.droppedUpTo;
    for (const item of this.buffer) this.send({ type: 'event', ...item });
    if (lost) {
      this.droppedUpTo = 0;
      this.emit({
        type: 'error',
        code: 'events-lost',
        message: 'Some messages sent while you were away could not be kept.',
        fatal: false,
      });
    }
  }

  detach(socket: WebSocket): void {
    if (this.socket === socket) this.socket = null;
  }

  ack(seq: number): void {
    while (this.buffer.length && this.buffer[0]!.seq <= seq) this.buffer.shift();
  }

  /** Run a command through the adapter; commands of one session never overlap. */
  enqueue(command: WireCommand): void {
    this.pending++;
    this.queue = this.queue
      .then(() => this.adapter.handle(command))
      .catch((err: unknown) => {
        this.emit({ type: 'error', code: 'relay', message: String(err), fatal: false });
      })
      .finally(() => {
        this.pending--;
      });
  }

  run(task: () => Promise<void>): Promise<void> {
    this.pending++;
    const done = this.queue.then(task).finally(() => {
      this.pending--;
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Resolves when every queued command has finished (graceful shutdown). */
  drained(): Promise<void> {
    return this.queue;
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  private send(frame: ServerFrame): void {
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }
}
