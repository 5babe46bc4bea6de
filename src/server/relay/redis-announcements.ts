/**
 * The fan-out of committed events to every relay instance: the commit script PUBLISHes each
 * event on one channel (./redis-scripts.ts), and every instance's subscriber hands it to the
 * store's listeners, so whichever instance holds the visitor's socket delivers it.
 *
 * Announcements made while the subscriber was reconnecting (a Redis restart, a failover) reach
 * nobody. Once it is subscribed again, each recently announced session's newest event is
 * announced locally: the relay delivers it, or finds the gap and replays from the store.
 */
import type { ConfabEventBody } from '../../core/contract';
import type { RedisClient } from './redis-connection';
import type { StoredEvent } from './store';
import { telemetry } from './telemetry';

/** Sessions whose announcements are re-checked after the subscriber reconnects. */
const RECENT_SESSIONS = 10_000;

export function parseItem(raw: string): StoredEvent | null {
  try {
    const v = JSON.parse(raw) as { seq?: unknown; event?: unknown };
    return typeof v.seq === 'number' && v.event && typeof v.event === 'object' ? { seq: v.seq, event: v.event as ConfabEventBody } : null;
  } catch {
    return null;
  }
}

export class RedisAnnouncements {
  private readonly listeners: ((id: string, item: StoredEvent) => void)[] = [];
  /** Most recently announced last, at most RECENT_SESSIONS (a Map keeps insertion order). */
  private readonly recent = new Map<string, true>();
  private subscribed: Promise<unknown>;

  constructor(
    private readonly sub: RedisClient,
    private readonly channel: string,
    /** A session's newest stored event (for the catch-up). */
    private readonly newest: (id: string) => Promise<StoredEvent | null>,
  ) {
    sub.on('message', (_channel: string, message: string) => {
      const nl = message.indexOf('\n');
      const item = nl > 0 ? parseItem(message.slice(nl + 1)) : null;
      if (!item) return;
      const id = message.slice(0, nl);
      this.recent.delete(id);
      this.recent.set(id, true);
      if (this.recent.size > RECENT_SESSIONS) this.recent.delete(this.recent.keys().next().value!);
      this.announce(id, item);
    });
    let connectedBefore = false;
    sub.on('ready', () => {
      if (!connectedBefore) return void (connectedBefore = true);
      // ioredis re-subscribes on 'ready'; a PING on the same connection answers after that.
      void sub
        .ping()
        .then(() => this.catchUp())
        .catch((err: unknown) => telemetry().redisError('catch-up', String(err)));
    });
    this.subscribed = sub.subscribe(channel);
    // Awaited by the store's readiness; marked handled here so a Redis that never came up is not an unhandled rejection.
    this.subscribed.catch(() => undefined);
  }

  onEvent(listener: (id: string, item: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once subscribed. */
  ready(): Promise<unknown> {
    return this.subscribed;
  }

  /** Waits to be subscribed until `deadline` (ms since the epoch), subscribing again after a failure. */
  async readyBy(deadline: number): Promise<void> {
    for (;;) {
      try {
        await this.subscribed;
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        this.subscribed = this.sub.subscribe(this.channel);
        this.subscribed.catch(() => undefined);
      }
    }
  }

  private announce(id: string, item: StoredEvent): void {
    for (const l of this.listeners) l(id, item);
  }

  private async catchUp(): Promise<void> {
    const ids = [...this.recent.keys()];
    const newest = await Promise.all(ids.map((id) => this.newest(id)));
    ids.forEach((id, i) => {
      const item = newest[i];
      if (item) this.announce(id, item);
    });
  }
}
