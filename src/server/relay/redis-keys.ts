/**
 * The names of the relay's keys in Redis, laid out so that Redis Cluster can hold them: every
 * Lua script and every MULTI touches keys of ONE hash slot.
 *
 * - A session's keys carry its id as a hash tag (`{id}`): the record `s:{id}` (a hash: vendor,
 *   hook key, page, state, seq counter, dropped-up-to, state version), its unacknowledged events
 *   `e:{id}` (a sorted set scored by seq), its file list `fs:{id}` and its lock `l:{id}` share a
 *   slot, so numbering, keeping and announcing an event is one script.
 * - The file budget's two keys share the tag `{files}`: the members ("<fileId> <bytes>", scored
 *   by when they were put) and their sum, updated together by one script.
 * - Everything else is one key per command: `h:<vendor>:<hookKey>` → id, `active` (ids by last
 *   activity), `f:<fileId>` (a file), the rate limits (`rl:…`, ./rate-limit-shared.ts).
 *
 * On a single Redis the tags change nothing. A prefix holding a tag of its own (`{x}`) would put
 * every key into one slot: still correct, but on one node.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  session(id: string): string {
    return `${this.prefix}s:{${id}}`;
  }

  events(id: string): string {
    return `${this.prefix}e:{${id}}`;
  }

  sessionFiles(id: string): string {
    return `${this.prefix}fs:{${id}}`;
  }

  lock(id: string): string {
    return `${this.prefix}l:{${id}}`;
  }

  hook(vendor: string, hookKey: string): string {
    return `${this.prefix}h:${vendor}:${hookKey}`;
  }

  file(fileId: string): string {
    return `${this.prefix}f:${fileId}`;
  }

  get active(): string {
    return `${this.prefix}active`;
  }

  /** The fleet-wide file budget: members and their byte total, in one slot. */
  get budget(): { files: string; bytes: string } {
    return { files: `${this.prefix}{files}:list`, bytes: `${this.prefix}{files}:bytes` };
  }

  /** The pub/sub channel every instance hears new events on. */
  get channel(): string {
    return `${this.prefix}events`;
  }
}
