/**
 * Files in Redis: `f:<fileId>` (a hash with the bytes), each session's list `fs:{id}` of
 * "<fileId> <bytes>" (oldest first, bounded per session), and the fleet-wide budget (the oldest
 * files of any session go once all of them hold more than `maxFileBytes`). Every step touches
 * one hash slot (./redis-keys.ts): the budget script only says which files to evict, and their
 * keys are deleted after it (one left behind by a crash expires with the TTL).
 */
import type { RedisClient } from './redis-connection';
import type { RedisKeys } from './redis-keys';
import { FILE_BUDGET, FORGET_FILES } from './redis-scripts';
import type { StoredFile } from './store';

const idOf = (member: string) => member.slice(0, member.indexOf(' '));
const bytesOf = (member: string) => Number(member.slice(member.indexOf(' ') + 1));

export class RedisFiles {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly maxFileBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  async put(fileId: string, file: StoredFile, perSessionBytes: number): Promise<void> {
    const list = this.keys.sessionFiles(file.sessionId);
    const member = `${fileId} ${file.bytes.length}`;
    await this.redis
      .multi()
      .hset(this.keys.file(fileId), { sessionId: file.sessionId, name: file.name, mime: file.mime, bytes: Buffer.from(file.bytes) })
      .pexpire(this.keys.file(fileId), this.ttlMs)
      .exec();
    await this.redis.multi().rpush(list, member).pexpire(list, this.ttlMs).exec();
    // Oldest files go first once the session holds too much (the newest always stays).
    const entries = await this.redis.lrange(list, 0, -1);
    let total = entries.reduce((n, e) => n + bytesOf(e), 0);
    for (const e of entries.slice(0, -1)) {
      if (total <= perSessionBytes) break;
      total -= bytesOf(e);
      await this.redis.lrem(list, 1, e);
      await this.redis.del(this.keys.file(idOf(e)));
      await this.forget([e]);
    }
    // Then the fleet-wide budget: the oldest files of any session go first.
    const { files, bytes } = this.keys.budget;
    const [, ...evicted] = (await this.redis.eval(FILE_BUDGET, 2, files, bytes, member, this.now(), this.maxFileBytes, this.ttlMs)) as [number, ...string[]];
    for (const e of evicted) await this.redis.del(this.keys.file(idOf(e)));
  }

  async get(fileId: string): Promise<StoredFile | null> {
    const [sessionId, name, mime] = await this.redis.hmget(this.keys.file(fileId), 'sessionId', 'name', 'mime');
    const bytes = await this.redis.hgetBuffer(this.keys.file(fileId), 'bytes');
    if (!sessionId || name == null || !mime || !bytes) return null;
    return { sessionId, name, mime, bytes: new Uint8Array(bytes) };
  }

  /** A session's files (they go with it): their keys and their part of the budget. */
  async removeAll(sessionId: string): Promise<void> {
    const list = this.keys.sessionFiles(sessionId);
    const members = await this.redis.lrange(list, 0, -1);
    await this.redis.del(list);
    for (const m of members) await this.redis.del(this.keys.file(idOf(m)));
    await this.forget(members);
  }

  private async forget(members: string[]): Promise<void> {
    const { files, bytes } = this.keys.budget;
    if (members.length) await this.redis.eval(FORGET_FILES, 2, files, bytes, ...members);
  }
}
