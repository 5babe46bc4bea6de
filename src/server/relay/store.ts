/**
 * Where the relay keeps sessions: the record (vendor, hook key, page, the adapter's state),
 * the numbered events not yet acknowledged, and the fan-out that tells every relay instance
 * about a new event so whichever one holds the visitor's socket delivers it.
 *
 * `MemoryStore` (the default) serves one process. `RedisStore` (./redis-store.ts, REDIS_URL)
 * lets several instances share sessions behind a load balancer and survive restarts.
 * Session tokens need no storage: they are HMACs of the session id under RELAY_SIGNING_KEY,
 * so every instance with the same key accepts them.
 */
import type { ConfabEventBody, Json } from '../../core/contract';
import type { RelayPage } from '../../protocol/relay';
import type { RelayFile } from './adapter';
import type { Limiter, RateLimit } from './rate-limit';

export interface StoredEvent {
  seq: number;
  event: ConfabEventBody;
}

export interface SessionRecord {
  id: string;
  vendor: string;
  hookKey: string;
  page: RelayPage;
  /** The adapter's snapshot; null for adapters whose state cannot leave their instance. */
  state: Json | null;
  /** Bumped on every state save, so an instance knows when its copy of the adapter is stale. */
  version: number;
  /** False when the adapter has no snapshot: only the instance that created it can continue it. */
  portable: boolean;
}

export interface StoredFile extends RelayFile {
  sessionId: string;
}

export interface Commit {
  events: ConfabEventBody[];
  /** The adapter's new state, saved atomically with the events (undefined: unchanged). */
  state?: Json;
  /**
   * The state version the operation started from. When the stored version has moved on
   * (another instance committed meanwhile), nothing is saved and commit throws StaleCommit.
   */
  baseVersion?: number;
  /**
   * Unique per commit: the same commit sent again (its first answer was lost to a failover or a
   * timeout, ./store-grace.ts) is applied once; the second time it answers the stored version.
   */
  id?: string;
}

/** The commit was refused: it was computed from a state another commit has replaced. */
export class StaleCommit extends Error {
  constructor(
    readonly sessionId: string,
    readonly baseVersion: number,
    readonly storedVersion: number,
  ) {
    super(`state version ${baseVersion} of ${sessionId.slice(0, 6)} is stale (stored: ${storedVersion})`);
  }
}

/** Another instance held the session's lock for longer than the wait: an answer, not a failure. */
export class SessionBusy extends Error {
  constructor() {
    super('session is busy on another relay instance');
  }
}

export interface SessionStore {
  /** True when other processes see the same sessions (sessions outlive this process). */
  readonly shared: boolean;
  create(record: SessionRecord, now: number): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  idByHookKey(vendor: string, hookKey: string): Promise<string | null>;
  /**
   * Number and keep the events, save the state, and announce the events to every instance.
   * Returns the new state version, or null when the session no longer exists. Throws
   * StaleCommit (and changes nothing) when `baseVersion` is not the stored version.
   */
  commit(id: string, commit: Commit, bufferLimit: number, now: number): Promise<number | null>;
  /**
   * Events after `afterSeq`. With `resume` (a widget reattaching) everything up to `afterSeq`
   * is acknowledged too, and `lost` says (once) that some were dropped before it saw them.
   */
  replay(id: string, afterSeq: number, resume: boolean): Promise<{ events: StoredEvent[]; lost: boolean }>;
  ack(id: string, seq: number): Promise<void>;
  touch(id: string, now: number): Promise<void>;
  /** Sessions idle since before `before`. */
  idle(before: number): Promise<string[]>;
  /** Exactly one caller (across instances) gets true: it ends the session. */
  claimEnd(id: string): Promise<boolean>;
  /** True once claimEnd succeeded: the session is being ended and must not be resumed. */
  ending(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
  putFile(fileId: string, file: StoredFile, perSessionBytes: number): Promise<void>;
  getFile(fileId: string): Promise<StoredFile | null>;
  /** Called for every committed event, by whichever instance committed it. */
  onEvent(listener: (sessionId: string, item: StoredEvent) => void): void;
  /** Resolves when the store answers (readiness); absent: always ready (in memory). */
  ping?(): Promise<unknown>;
  /**
   * A rate limit every instance on this store shares (absent: each process limits on its own).
   * `name` labels it in metrics and keys; `now` is the relay's clock for any in-memory fallback.
   */
  limiter?(limit: RateLimit, name: string, now: () => number): Limiter;
  /**
   * How long a store that failed may take to answer again before the chats it serves are ended
   * (a Redis failover, ./store-grace.ts); absent or 0: at once.
   */
  readonly graceMs?: number;
  /**
   * Run `fn` while no other instance runs an operation on this session (however long it takes).
   * `owner`: the same operation trying again (./store-grace.ts) finds the lock already its own.
   */
  withLock<T>(id: string, fn: () => Promise<T>, owner?: string): Promise<T>;
  close(): Promise<void>;
}

interface MemSession {
  record: SessionRecord;
  events: StoredEvent[];
  nextSeq: number;
  droppedUpTo: number;
  lastActive: number;
  files: string[];
}

/** One process: sessions end with it. */
export class MemoryStore implements SessionStore {
  readonly shared = false;
  /** Bytes of all files kept; past it the oldest go, whatever session they belong to. */
  private readonly maxFileBytes: number;
  private fileBytes = 0;

  constructor(opts: { maxFileBytes?: number } = {}) {
    this.maxFileBytes = opts.maxFileBytes ?? Infinity;
  }

  private readonly sessions = new Map<string, MemSession>();
  private readonly hooks = new Map<string, string>();
  private readonly files = new Map<string, StoredFile>();
  private readonly listeners: ((id: string, item: StoredEvent) => void)[] = [];

  async create(record: SessionRecord, now: number): Promise<void> {
    this.sessions.set(record.id, { record, events: [], nextSeq: 1, droppedUpTo: 0, lastActive: now, files: [] });
    this.hooks.set(`${record.vendor}\n${record.hookKey}`, record.id);
  }

  async get(id: string): Promise<SessionRecord | null> {
    return this.sessions.get(id)?.record ?? null;
  }

  async idByHookKey(vendor: string, hookKey: string): Promise<string | null> {
    return this.hooks.get(`${vendor}\n${hookKey}`) ?? null;
  }

  async commit(id: string, commit: Commit, bufferLimit: number, now: number): Promise<number | null> {
    const s = this.sessions.get(id);
    if (!s) return null;
    if (commit.baseVersion !== undefined && commit.baseVersion !== s.record.version) {
      throw new StaleCommit(id, commit.baseVersion, s.record.version);
    }
    s.lastActive = now;
    const added = commit.events.map((event) => ({ seq: s.nextSeq++, event }));
    s.events.push(...added);
    while (s.events.length > bufferLimit) s.droppedUpTo = s.events.shift()!.seq;
    if (commit.state !== undefined) s.record = { ...s.record, state: commit.state, version: s.record.version + 1 };
    for (const item of added) for (const l of this.listeners) l(id, item);
    return s.record.version;
  }

  async replay(id: string, afterSeq: number, resume: boolean): Promise<{ events: StoredEvent[]; lost: boolean }> {
    const s = this.sessions.get(id);
    if (!s) return { events: [], lost: false };
    if (!resume) return { events: s.events.filter((e) => e.seq > afterSeq), lost: false };
    await this.ack(id, afterSeq);
    const lost = afterSeq < s.droppedUpTo;
    s.droppedUpTo = 0;
    return { events: [...s.events], lost };
  }

  async ack(id: string, seq: number): Promise<void> {
    const s = this.sessions.get(id);
    while (s?.events.length && s.events[0]!.seq <= seq) s.events.shift();
  }

  async touch(id: string, now: number): Promise<void> {
    const s = this.sessions.get(id);
    if (s) s.lastActive = now;
  }

  async idle(before: number): Promise<string[]> {
    return [...this.sessions.values()].filter((s) => s.lastActive < before).map((s) => s.record.id);
  }

  private readonly claimed = new Set<string>();

  async claimEnd(id: string): Promise<boolean> {
    if (!this.sessions.has(id) || this.claimed.has(id)) return false;
    this.claimed.add(id);
    return true;
  }

  async ending(id: string): Promise<boolean> {
    return this.claimed.has(id);
  }

  async remove(id: string): Promise<void> {
    this.claimed.delete(id);
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.hooks.delete(`${s.record.vendor}\n${s.record.hookKey}`);
    for (const f of s.files) this.dropFile(f);
  }

  private dropFile(fileId: string): void {
    const f = this.files.get(fileId);
    if (!f) return;
    this.fileBytes -= f.bytes.length;
    this.files.delete(fileId);
    const owner = this.sessions.get(f.sessionId);
    if (owner) owner.files = owner.files.filter((id) => id !== fileId);
  }

  async putFile(fileId: string, file: StoredFile, perSessionBytes: number): Promise<void> {
    const s = this.sessions.get(file.sessionId);
    if (!s) return;
    this.files.set(fileId, file);
    this.fileBytes += file.bytes.length;
    s.files.push(fileId);
    let total = s.files.reduce((n, f) => n + (this.files.get(f)?.bytes.length ?? 0), 0);
    while (total > perSessionBytes && s.files.length > 1) {
      const old = s.files[0]!;
      total -= this.files.get(old)?.bytes.length ?? 0;
      this.dropFile(old);
    }
    // Map order is insertion order: the first entries are the oldest files of any session.
    for (const old of this.files.keys()) {
      if (this.fileBytes <= this.maxFileBytes || old === fileId) break;
      this.dropFile(old);
    }
  }

  async getFile(fileId: string): Promise<StoredFile | null> {
    return this.files.get(fileId) ?? null;
  }

  onEvent(listener: (id: string, item: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  withLock<T>(_id: string, fn: () => Promise<T>): Promise<T> {
    // One process: the session's own queue already serializes its operations.
    return fn();
  }

  async close(): Promise<void> {}
}
