/**
 * Sessions in Redis, for several relay instances behind a load balancer (REDIS_URL).
 *
 * Keys (all under `prefix`): `s:<id>` hash (record, seq counter, dropped-up-to, state
 * version), `e:<id>` sorted set of unacknowledged events scored by seq, `h:<vendor>:<hookKey>`
 * → id, `active` sorted set of ids by last activity, `l:<id>` the operation lock,
 * `f:<fileId>` files, `fs:<id>` a session's file ids, `files` + `filebytes` the fleet-wide file
 * budget (oldest files evicted past `maxFileBytes`). Events are numbered, kept, and
 * published in ONE Lua script, so seqs are gap-free, pub/sub order is seq order across
 * instances, and a crash can never keep an event without announcing it or vice versa
 * (an instance that missed an announcement finds the gap and replays from the set).
 *
 * Everything expires `ttlMs` after its last activity, so sessions of a fleet that went away
 * for good do not stay in Redis for ever.
 *
 * The lock is short (`lockMs`, so a dead holder is waited out quickly) and renewed while its
 * operation runs (a vendor call with retries can take ~42 s). Should it still be lost (a
 * stalled process, a Redis failover), the commit carries the state version the operation
 * started from and is refused if another instance committed meanwhile: a stale instance never
 * overwrites newer state.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisTarget } from './redis-connection';
import { telemetry } from './telemetry';
import type { ConfabEventBody, Json } from '../../core/contract';
import type { RelayPage } from '../../protocol/relay';
import { SessionBusy, StaleCommit, type Commit, type SessionRecord, type SessionStore, type StoredEvent, type StoredFile } from './store';

export interface RedisStoreOptions {
  /** redis://… (or `target`, e.g. a Sentinel master: ./redis-connection.ts). */
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
  /** Bytes of files kept in all, across sessions and instances; past it the oldest go (default 200 MB). */
  maxFileBytes?: number;
  /** How long a failed step waits for Redis to answer again before chats end (./store-grace.ts; default twice the command timeout). */
  graceMs?: number;
}

const COMMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
-- The same commit again (its first answer was lost to a failover): applied once (./store-grace.ts).
if ARGV[9] ~= '' and redis.call('HGET', KEYS[1], 'commit') == ARGV[9] then return tonumber(redis.call('HGET', KEYS[1], 'version') or '0') end
-- Refused before anything is numbered: state computed from an older version must not win.
if ARGV[8] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'version') or '0') ~= tonumber(ARGV[8]) then
  return {-2, tonumber(redis.call('HGET', KEYS[1], 'version') or '0')}
end
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[7])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'commit', ARGV[9]) end
-- XX: a session claimed for ending stays out of the active set (it must not be resumed).
redis.call('ZADD', KEYS[3], 'XX', ARGV[2], ARGV[3])
for i = 10, #ARGV do
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  local item = '{"seq":' .. seq .. ',"event":' .. ARGV[i] .. '}'
  redis.call('ZADD', KEYS[2], seq, item)
  redis.call('PUBLISH', ARGV[4], ARGV[3] .. '\\n' .. item)
end
local n = redis.call('ZCARD', KEYS[2])
if n > limit then
  local last = redis.call('ZRANGE', KEYS[2], n - limit - 1, n - limit - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - limit - 1)
  redis.call('HSET', KEYS[1], 'dropped', last[2])
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[4], ttl)
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], 'state', ARGV[6])
  return redis.call('HINCRBY', KEYS[1], 'version', 1)
end
return tonumber(redis.call('HGET', KEYS[1], 'version'))
`;

const REPLAY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, {}} end
if ARGV[2] == '0' then return {0, redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local dropped = tonumber(redis.call('HGET', KEYS[1], 'dropped') or '0')
local lost = 0
if tonumber(ARGV[1]) < dropped then lost = 1 end
redis.call('HSET', KEYS[1], 'dropped', 0)
return {lost, redis.call('ZRANGE', KEYS[2], 0, -1)}
`;

/**
 * The fleet-wide file budget: `files` (members "<fileId> <bytes>", scored by when they were put)
 * and `filebytes` (their sum). Entries older than the TTL expired with their file and are
 * forgotten first; then the oldest files go until the total fits (never the one just put).
 * KEYS: files, filebytes. ARGV: member to add ('' for none), now, max bytes, key prefix, ttl.
 */
const FILE_BUDGET = `
local function size(m) return tonumber(string.match(m, ' (%d+)$')) or 0 end
local function forget(m)
  redis.call('ZREM', KEYS[1], m)
  return redis.call('DECRBY', KEYS[2], size(m))
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[5])))) do forget(m) end
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('INCRBY', KEYS[2], size(ARGV[1]))
end
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
while total > tonumber(ARGV[3]) do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #oldest == 0 or oldest[1] == ARGV[1] then break end
  redis.call('DEL', ARGV[4] .. 'f:' .. string.match(oldest[1], '^(%S+)'))
  total = forget(oldest[1])
end
return total
`;

/** Files gone with their session or evicted from it leave the budget (only those still in it). */
const FORGET_FILES = `
for _, m in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[1], m) == 1 then
    redis.call('DECRBY', KEYS[2], tonumber(string.match(m, ' (%d+)$')) or 0)
  end
end
return 0
`;

/**
 * Takes the lock, or finds it already ours: an operation whose first SET was applied but whose
 * answer was lost (a failover, a timeout) tries again with the same owner (./store-grace.ts).
 */
const LOCK = `local v = redis.call('GET', KEYS[1]) if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end if v then return 0 end redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extends the lock only while it is still ours (another instance may hold it after an expiry). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Sessions whose announcements are re-checked after the subscriber reconnects. */
const RECENT_SESSIONS = 10_000;

function parseItem(raw: string): StoredEvent | null {
  try {
    const v = JSON.parse(raw) as { seq?: unknown; event?: unknown };
    return typeof v.seq === 'number' && v.event && typeof v.event === 'object' ? { seq: v.seq, event: v.event as ConfabEventBody } : null;
  } catch {
    return null;
  }
}

export class RedisStore implements SessionStore {
  readonly shared = true;
  readonly graceMs: number;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly lockMs: number;
  private readonly lockWaitMs: number;
  private readonly channel: string;
  private readonly maxFileBytes: number;
  private readonly listeners: ((id: string, item: StoredEvent) => void)[] = [];
  private subscribed: Promise<unknown>;

  constructor(opts: RedisStoreOptions) {
    this.prefix = opts.prefix ?? 'confab:';
    this.ttlMs = opts.ttlMs ?? 24 * 3600_000;
    this.lockMs = opts.lockMs ?? 15_000;
    // Longer than the longest operation (4 attempts × 10 s + backoff ≈ 42 s), so a waiter does
    // not give up on a live holder that is still renewing.
    this.lockWaitMs = opts.lockWaitMs ?? Math.max(60_000, this.lockMs + 5000);
    this.channel = `${this.prefix}events`;
    this.maxFileBytes = opts.maxFileBytes ?? 200 * 1024 * 1024;
    const commandTimeout = opts.commandTimeoutMs ?? 5000;
    this.graceMs = opts.graceMs ?? 2 * commandTimeout;
    const target: RedisTarget = opts.target ?? { kind: 'url', url: opts.url ?? 'redis://127.0.0.1:6379' };
    // Each connection logs its state changes and errors (./redis-connection.ts): an outage is never silent.
    this.redis = connectRedis(target, { maxRetriesPerRequest: 1, enableAutoPipelining: true, commandTimeout }, 'commands');
    this.sub = connectRedis(target, { maxRetriesPerRequest: 5 }, 'subscriber');
    this.sub.on('message', (_channel: string, message: string) => {
      const nl = message.indexOf('\n');
      const item = nl > 0 ? parseItem(message.slice(nl + 1)) : null;
      if (!item) return;
      const id = message.slice(0, nl);
      // Most recently announced last, at most RECENT_SESSIONS (a Map keeps insertion order).
      this.recent.delete(id);
      this.recent.set(id, true);
      if (this.recent.size > RECENT_SESSIONS) this.recent.delete(this.recent.keys().next().value!);
      for (const l of this.listeners) l(id, item);
    });
    // Announcements made while the subscriber was reconnecting (a Redis restart, a Sentinel
    // failover) reached nobody. Once it is subscribed again, each recently active session's
    // newest event is announced locally: the relay delivers it, or finds the gap and replays.
    let connectedBefore = false;
    this.sub.on('ready', () => {
      if (!connectedBefore) return void (connectedBefore = true);
      // ioredis re-subscribes on 'ready'; a PING on the same connection answers after that.
      void this.sub
        .ping()
        .then(() => this.catchUp())
        .catch((err: unknown) => telemetry().redisError('catch-up', String(err)));
    });
    this.subscribed = this.sub.subscribe(this.channel);
    // Awaited by ready(); marked handled here so a Redis that never came up is not an unhandled rejection.
    this.subscribed.catch(() => undefined);
  }

  private readonly recent = new Map<string, true>();

  private async catchUp(): Promise<void> {
    const ids = [...this.recent.keys()];
    const newest = await Promise.all(ids.map((id) => this.redis.zrange(this.k('e', id), '-1', '-1')));
    ids.forEach((id, i) => {
      const item = newest[i]?.[0] ? parseItem(newest[i]![0]) : null;
      if (item) for (const l of this.listeners) l(id, item);
    });
  }

  /** Resolves once connected and subscribed (the relay waits for it at start-up). */
  ready(): Promise<unknown> {
    return Promise.all([this.subscribed, this.redis.ping()]);
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

  ping(): Promise<unknown> {
    return this.redis.ping();
  }

  private k(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  async create(record: SessionRecord, now: number): Promise<void> {
    const s = this.k('s', record.id);
    const h = this.k('h', `${record.vendor}:${record.hookKey}`);
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
      .set(h, record.id, 'PX', this.ttlMs)
      .zadd(`${this.prefix}active`, now, record.id)
      .exec();
  }

  async get(id: string): Promise<SessionRecord | null> {
    const h = await this.redis.hgetall(this.k('s', id));
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
    return this.redis.get(this.k('h', `${vendor}:${hookKey}`));
  }

  async commit(id: string, commit: Commit, bufferLimit: number, now: number): Promise<number | null> {
    const rec = await this.redis.hmget(this.k('s', id), 'vendor', 'hookKey');
    const hookKeyKey = this.k('h', `${rec[0] ?? ''}:${rec[1] ?? ''}`);
    const result = (await this.redis.eval(
      COMMIT,
      4,
      this.k('s', id),
      this.k('e', id),
      `${this.prefix}active`,
      hookKeyKey,
      bufferLimit,
      now,
      id,
      this.channel,
      commit.state === undefined ? '0' : '1',
      commit.state === undefined ? '' : JSON.stringify(commit.state),
      this.ttlMs,
      commit.baseVersion === undefined ? '' : String(commit.baseVersion),
      commit.id ?? '',
      ...commit.events.map((e) => JSON.stringify(e)),
    )) as number | [number, number];
    if (Array.isArray(result)) throw new StaleCommit(id, commit.baseVersion ?? 0, result[1]);
    return result < 0 ? null : result;
  }

  async replay(id: string, afterSeq: number, resume: boolean): Promise<{ events: StoredEvent[]; lost: boolean }> {
    const [lost, raw] = (await this.redis.eval(REPLAY, 2, this.k('s', id), this.k('e', id), afterSeq, resume ? '1' : '0')) as [
      number,
      string[],
    ];
    return { lost: lost === 1, events: raw.map(parseItem).filter((e): e is StoredEvent => !!e) };
  }

  async ack(id: string, seq: number): Promise<void> {
    await this.redis.zremrangebyscore(this.k('e', id), '-inf', seq);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.redis.zadd(`${this.prefix}active`, 'XX', now, id);
  }

  idle(before: number): Promise<string[]> {
    return this.redis.zrangebyscore(`${this.prefix}active`, '-inf', `(${before}`, 'LIMIT', 0, 500);
  }

  async claimEnd(id: string): Promise<boolean> {
    return (await this.redis.zrem(`${this.prefix}active`, id)) === 1;
  }

  /** A live session is in the active set; claimEnd takes it out while the session record remains. */
  async ending(id: string): Promise<boolean> {
    return (await this.redis.zscore(`${this.prefix}active`, id)) === null;
  }

  async remove(id: string): Promise<void> {
    const [vendor, hookKey] = await this.redis.hmget(this.k('s', id), 'vendor', 'hookKey');
    const files = await this.redis.lrange(this.k('fs', id), 0, -1);
    await this.redis.del(
      this.k('s', id),
      this.k('e', id),
      this.k('fs', id),
      this.k('h', `${vendor ?? ''}:${hookKey ?? ''}`),
      ...files.map((f) => this.k('f', f.split(' ')[0]!)),
    );
    await this.redis.zrem(`${this.prefix}active`, id);
    await this.forgetFiles(files);
  }

  private async forgetFiles(members: string[]): Promise<void> {
    if (members.length) await this.redis.eval(FORGET_FILES, 2, `${this.prefix}files`, `${this.prefix}filebytes`, ...members);
  }

  async putFile(fileId: string, file: StoredFile, perSessionBytes: number): Promise<void> {
    const list = this.k('fs', file.sessionId);
    await this.redis
      .multi()
      .hset(this.k('f', fileId), { sessionId: file.sessionId, name: file.name, mime: file.mime, bytes: Buffer.from(file.bytes) })
      .pexpire(this.k('f', fileId), this.ttlMs)
      .rpush(list, `${fileId} ${file.bytes.length}`)
      .pexpire(list, this.ttlMs)
      .exec();
    // Oldest files go first once the session holds too much (the newest always stays).
    const entries = await this.redis.lrange(list, 0, -1);
    let total = entries.reduce((n, e) => n + Number(e.split(' ')[1]), 0);
    for (const e of entries.slice(0, -1)) {
      if (total <= perSessionBytes) break;
      total -= Number(e.split(' ')[1]);
      await this.redis.multi().lrem(list, 1, e).del(this.k('f', e.split(' ')[0]!)).exec();
      await this.forgetFiles([e]);
    }
    // Then the fleet-wide budget: the oldest files of any session go first.
    await this.redis.eval(
      FILE_BUDGET,
      2,
      `${this.prefix}files`,
      `${this.prefix}filebytes`,
      `${fileId} ${file.bytes.length}`,
      Date.now(),
      this.maxFileBytes,
      this.prefix,
      this.ttlMs,
    );
  }

  async getFile(fileId: string): Promise<StoredFile | null> {
    const [sessionId, name, mime] = await this.redis.hmget(this.k('f', fileId), 'sessionId', 'name', 'mime');
    const bytes = await this.redis.hgetBuffer(this.k('f', fileId), 'bytes');
    if (!sessionId || name == null || !mime || !bytes) return null;
    return { sessionId, name, mime, bytes: new Uint8Array(bytes) };
  }

  onEvent(listener: (id: string, item: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  async withLock<T>(id: string, fn: () => Promise<T>, owner?: string): Promise<T> {
    const key = this.k('l', id);
    const token = owner ?? randomBytes(12).toString('base64url');
    // Waits out a lock whose holder died at most lockMs ago, or a live holder's operation;
    // contention is rare (one session's traffic), so a short poll is enough.
    const deadline = Date.now() + this.lockWaitMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      if ((await this.redis.eval(LOCK, 1, key, token, this.lockMs)) === 1) break;
      if (Date.now() > deadline) throw new SessionBusy();
      await new Promise((r) => setTimeout(r, wait));
    }
    const renewal = setInterval(
      () => {
        this.redis.eval(RENEW, 1, key, token, this.lockMs).then(
          // Lost (it expired and someone else took it): renewing cannot get it back. The commit's
          // version check keeps this operation from overwriting the new holder's state.
          (ok) => void (ok === 1 || clearInterval(renewal)),
          (err: unknown) => telemetry().redisError('renew-lock', String(err)),
        );
      },
      Math.max(5, Math.floor(this.lockMs / 3)),
    );
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      // Not fatal (the lock expires by itself within lockMs), but an operator should know.
      await this.redis.eval(UNLOCK, 1, key, token).catch((err: unknown) => telemetry().redisError('unlock', String(err)));
    }
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
