/**
 * Sessions in Redis, for several relay instances behind a load balancer: one Redis (REDIS_URL),
 * a Sentinel-found master (REDIS_SENTINELS) or a Redis Cluster (REDIS_CLUSTER_NODES).
 *
 * The rooms: ./redis-keys.ts (the key layout: one hash slot per script), ./redis-scripts.ts (the
 * Lua that numbers, keeps and announces events in one step), ./redis-announcements.ts (the
 * fan-out to every instance and its catch-up after a reconnection), ./redis-lock.ts (a session's
 * operation lock), ./redis-files.ts (files and their budgets), ./rate-limit-shared.ts (rate
 * limits every instance shares). This file is the SessionStore over them.
 *
 * Everything expires `ttlMs` after its last activity, so sessions of a fleet that went away for
 * good do not stay in Redis for ever. The active set (ids by last activity) is one key: the
 * idle sweep reads it, and claiming a session for ending takes it out (exactly one instance wins).
 */
import { connectRedis, type RedisClient, type RedisTarget } from './redis-connection';
import { RedisAnnouncements, parseItem } from './redis-announcements';
import { RedisFiles } from './redis-files';
import { RedisKeys } from './redis-keys';
import { withRedisLock } from './redis-lock';
import { COMMIT, REPLAY } from './redis-scripts';
import { SharedRateLimiter } from './rate-limit-shared';
import type { Limiter, RateLimit } from './rate-limit';
import type { Json } from '../../core/contract';
import type { RelayPage } from '../../protocol/relay';
import { StaleCommit, type Commit, type SessionRecord, type SessionStore, type StoredEvent, type StoredFile } from './store';

export interface RedisStoreOptions {
  /** redis://… (or `target`: a Sentinel master, a Cluster: ./redis-connection.ts). */
  url?: string;
  target?: RedisTarget;
  /** Key prefix, so one Redis can serve several relays (default "confab:"). */
  prefix?: string;
  /** Keys of a session with no activity this long are dropped by Redis itself (default 24 h). */
  ttlMs?: number;
  /**
   * How long a session's lock outlives its holder: renewed every lockMs/3 while the operation
   * runs, so this only bounds how long an instance that died holding it blocks the session.
   */
  lockMs?: number;
  /** How long an operation waits for another instance's operation on the same session. */
  lockWaitMs?: number;
  /**
   * A command unanswered this long fails (default 5 s), and while Redis is unreachable commands
   * fail at once instead of queueing: the relay ends affected chats rather than hang them.
   */
  commandTimeoutMs?: number;
  /** How long a failed step waits for Redis to answer again before chats end (./store-grace.ts; default twice the command timeout). */
  graceMs?: number;
  /** Bytes of files kept in all, across sessions and instances; past it the oldest go (default 200 MB). */
  maxFileBytes?: number;
}

export class RedisStore implements SessionStore {
  readonly shared = true;
  private readonly redis: RedisClient;
  private readonly sub: RedisClient;
  readonly graceMs: number;
  private readonly keys: RedisKeys;
  private readonly ttlMs: number;
  private readonly lock: { lockMs: number; lockWaitMs: number };
  private readonly files: RedisFiles;
  private readonly announcements: RedisAnnouncements;

  constructor(opts: RedisStoreOptions) {
    this.keys = new RedisKeys(opts.prefix ?? 'confab:');
    this.ttlMs = opts.ttlMs ?? 24 * 3600_000;
    const lockMs = opts.lockMs ?? 15_000;
    // Longer than the longest operation (4 attempts × 10 s + backoff ≈ 42 s), so a waiter does
    // not give up on a live holder that is still renewing.
    this.lock = { lockMs, lockWaitMs: opts.lockWaitMs ?? Math.max(60_000, lockMs + 5000) };
    const commandTimeout = opts.commandTimeoutMs ?? 5000;
    this.graceMs = opts.graceMs ?? 2 * commandTimeout;
    const target: RedisTarget = opts.target ?? { kind: 'url', url: opts.url ?? 'redis://127.0.0.1:6379' };
    // Each connection logs its state changes and errors (./redis-connection.ts): an outage is never silent.
    this.redis = connectRedis(target, { maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout }, 'commands');
    this.sub = connectRedis(target, { maxRetriesPerRequest: 5 }, 'subscriber');
    this.files = new RedisFiles(this.redis, this.keys, this.ttlMs, opts.maxFileBytes ?? 200 * 1024 * 1024);
    this.announcements = new RedisAnnouncements(this.sub, this.keys.channel, async (id) => {
      const [raw] = await this.redis.zrange(this.keys.events(id), '-1', '-1');
      return raw ? parseItem(raw) : null;
    });
  }

  /** Resolves once connected and subscribed (the relay waits for it at start-up). */
  ready(): Promise<unknown> {
    return Promise.all([this.announcements.ready(), this.redis.ping()]);
  }

  /**
   * Waits for Redis to answer, retrying, for at most about `ms` (start-up: a Redis that comes up
   * a moment after the relay is fine, one that never does fails with its last error).
   */
  async readyWithin(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        await this.redis.ping();
        break;
      } catch (err) {
        if (Date.now() + 100 > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await this.announcements.readyBy(deadline);
  }

  ping(): Promise<unknown> {
    return this.redis.ping();
  }

  limiter(limit: RateLimit, name: string, now: () => number): Limiter {
    return new SharedRateLimiter(this.redis, this.keys.prefix, limit, name, now);
  }

  async create(record: SessionRecord, now: number): Promise<void> {
    const s = this.keys.session(record.id);
    await this.redis
      .multi()
      .hset(s, {
        vendor: record.vendor,
        hookKey: record.hookKey,
        page: JSON.stringify(record.page),
        state: JSON.stringify(record.state),
        version: record.version,
        portable: record.portable ? '1' : '0',
        seq: 0,
        dropped: 0,
      })
      .pexpire(s, this.ttlMs)
      .exec();
    // Other slots, one command each; last the active set, which makes the session live.
    await this.redis.set(this.keys.hook(record.vendor, record.hookKey), record.id, 'PX', this.ttlMs);
    await this.redis.zadd(this.keys.active, now, record.id);
  }

  async get(id: string): Promise<SessionRecord | null> {
    const h = await this.redis.hgetall(this.keys.session(id));
    if (!h.vendor || !h.hookKey) return null;
    try {
      return {
        id,
        vendor: h.vendor,
        hookKey: h.hookKey,
        page: JSON.parse(h.page ?? '{}') as RelayPage,
        state: JSON.parse(h.state ?? 'null') as Json,
        version: Number(h.version ?? 0),
        portable: h.portable === '1',
      };
    } catch {
      return null;
    }
  }

  idByHookKey(vendor: string, hookKey: string): Promise<string | null> {
    return this.redis.get(this.keys.hook(vendor, hookKey));
  }

  async commit(id: string, commit: Commit, bufferLimit: number, now: number): Promise<number | null> {
    const [vendor, hookKey] = await this.redis.hmget(this.keys.session(id), 'vendor', 'hookKey');
    const result = (await this.redis.eval(
      COMMIT,
      2,
      this.keys.session(id),
      this.keys.events(id),
      bufferLimit,
      id,
      this.keys.channel,
      commit.state === undefined ? '0' : '1',
      commit.state === undefined ? '' : JSON.stringify(commit.state),
      this.ttlMs,
      commit.baseVersion === undefined ? '' : String(commit.baseVersion),
      commit.id ?? '',
      ...commit.events.map((e) => JSON.stringify(e)),
    )) as number | [number, number];
    if (Array.isArray(result)) throw new StaleCommit(id, commit.baseVersion ?? 0, result[1]);
    if (result < 0) return null;
    // The session's other keys live in other slots: kept alive after the commit. XX: a session
    // claimed for ending stays out of the active set (it must not be resumed).
    await Promise.all([
      this.redis.zadd(this.keys.active, 'XX', now, id),
      vendor && hookKey ? this.redis.pexpire(this.keys.hook(vendor, hookKey), this.ttlMs) : null,
    ]);
    return result;
  }

  async replay(id: string, afterSeq: number, resume: boolean): Promise<{ events: StoredEvent[]; lost: boolean }> {
    const [lost, raw] = (await this.redis.eval(REPLAY, 2, this.keys.session(id), this.keys.events(id), afterSeq, resume ? '1' : '0')) as [
      number,
      string[],
    ];
    return { lost: lost === 1, events: raw.map(parseItem).filter((e): e is StoredEvent => !!e) };
  }

  async ack(id: string, seq: number): Promise<void> {
    await this.redis.zremrangebyscore(this.keys.events(id), '-inf', seq);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.redis.zadd(this.keys.active, 'XX', now, id);
  }

  idle(before: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.active, '-inf', `(${before}`, 'LIMIT', 0, 500);
  }

  async claimEnd(id: string): Promise<boolean> {
    return (await this.redis.zrem(this.keys.active, id)) === 1;
  }

  /** A live session is in the active set; claimEnd takes it out while the session record remains. */
  async ending(id: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.active, id)) === null;
  }

  async remove(id: string): Promise<void> {
    const [vendor, hookKey] = await this.redis.hmget(this.keys.session(id), 'vendor', 'hookKey');
    await this.files.removeAll(id);
    await this.redis.del(this.keys.session(id), this.keys.events(id));
    if (vendor && hookKey) await this.redis.del(this.keys.hook(vendor, hookKey));
    await this.redis.zrem(this.keys.active, id);
  }

  putFile(fileId: string, file: StoredFile, perSessionBytes: number): Promise<void> {
    return this.files.put(fileId, file, perSessionBytes);
  }

  getFile(fileId: string): Promise<StoredFile | null> {
    return this.files.get(fileId);
  }

  onEvent(listener: (id: string, item: StoredEvent) => void): void {
    this.announcements.onEvent(listener);
  }

  withLock<T>(id: string, fn: () => Promise<T>, owner?: string): Promise<T> {
    return withRedisLock(this.redis, this.keys.lock(id), this.lock, fn, owner);
  }

  /** Bounded: with Redis unreachable QUIT would wait for a reconnection that may never come. */
  async close(timeoutMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.sub.quit(), this.redis.quit()]),
      new Promise((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.sub.disconnect();
    this.redis.disconnect();
  }
}
