/**
 * The Redis store's Lua scripts. Each touches the keys of one hash slot only (./redis-keys.ts),
 * so each runs as is on a single Redis, behind Sentinel, and on Redis Cluster.
 */

/**
 * Numbers, keeps and announces a commit's events and saves its state, in one step: seqs are
 * gap-free, pub/sub order is seq order across instances, and a crash can never keep an event
 * without announcing it or vice versa. (PUBLISH names no key: Cluster carries it to every node.)
 * KEYS: session, events. ARGV: buffer limit, id, channel, has state ('1'/'0'), state, ttl,
 * base version ('' for none), commit id ('' for none: ./store-grace.ts), then the events (JSON).
 * Returns the state version; -1: no such session; {-2, stored version}: the base is stale.
 */
export const COMMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
-- The same commit again (its first answer was lost to a failover): applied once (./store-grace.ts).
if ARGV[8] ~= '' and redis.call('HGET', KEYS[1], 'commit') == ARGV[8] then return tonumber(redis.call('HGET', KEYS[1], 'version') or '0') end
-- Refused before anything is numbered: state computed from an older version must not win.
if ARGV[7] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'version') or '0') ~= tonumber(ARGV[7]) then
  return {-2, tonumber(redis.call('HGET', KEYS[1], 'version') or '0')}
end
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[6])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'commit', ARGV[8]) end
for i = 9, #ARGV do
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  local item = '{"seq":' .. seq .. ',"event":' .. ARGV[i] .. '}'
  redis.call('ZADD', KEYS[2], seq, item)
  redis.call('PUBLISH', ARGV[3], ARGV[2] .. '\\n' .. item)
end
local n = redis.call('ZCARD', KEYS[2])
if n > limit then
  local last = redis.call('ZRANGE', KEYS[2], n - limit - 1, n - limit - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - limit - 1)
  redis.call('HSET', KEYS[1], 'dropped', last[2])
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'state', ARGV[5])
  return redis.call('HINCRBY', KEYS[1], 'version', 1)
end
return tonumber(redis.call('HGET', KEYS[1], 'version'))
`;

/**
 * Events after a seq; when resuming, acknowledges up to it and says (once) whether some were
 * dropped before the widget saw them. KEYS: session, events. ARGV: after seq, resume ('1'/'0').
 */
export const REPLAY = `
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
 * The fleet-wide file budget: members "<fileId> <bytes>" scored by when they were put, and their
 * sum. Entries older than the TTL expired with their file and are forgotten first; then the
 * oldest go until the total fits (never the one just put). The files themselves live in other
 * slots: the script returns the evicted members and the caller deletes their keys.
 * KEYS: members, total. ARGV: member to add ('' for none), now, max bytes, ttl.
 * Returns {total, evicted member, …}.
 */
export const FILE_BUDGET = `
local function size(m) return tonumber(string.match(m, ' (%d+)$')) or 0 end
local function forget(m)
  redis.call('ZREM', KEYS[1], m)
  return redis.call('DECRBY', KEYS[2], size(m))
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[4])))) do forget(m) end
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('INCRBY', KEYS[2], size(ARGV[1]))
end
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local out = {0}
while total > tonumber(ARGV[3]) do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #oldest == 0 or oldest[1] == ARGV[1] then break end
  out[#out + 1] = oldest[1]
  total = forget(oldest[1])
end
out[1] = total
return out
`;

/** Files gone with their session or evicted from it leave the budget (only those still in it). KEYS: members, total. */
export const FORGET_FILES = `
for _, m in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[1], m) == 1 then
    redis.call('DECRBY', KEYS[2], tonumber(string.match(m, ' (%d+)$')) or 0)
  end
end
return 0
`;

/** Deletes the lock only while it is still ours. KEYS: lock. ARGV: token. */
/**
 * Takes the lock, or finds it already ours: an operation whose first SET was applied but whose
 * answer was lost (a failover, a timeout) tries again with the same owner (./store-grace.ts).
 */
export const LOCK = `local v = redis.call('GET', KEYS[1]) if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end if v then return 0 end redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`;
export const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Extends the lock only while it is still ours (another instance may hold it after an expiry). KEYS: lock. ARGV: token, ms. */
export const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
