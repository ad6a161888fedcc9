/**
 * Lua for the presence sets (see presence.service.ts). One sorted set per user; a member is one
 * connection (`<instance id>:<connection id>`), its score the Redis time (ms) it expires at. A
 * member lives only as long as its instance keeps refreshing it, so a killed instance's
 * connections stop counting within the TTL without any cleanup of its own. Every time comes
 * from Redis (`TIME`), never from an instance's clock, so skew between instances does not matter.
 */

/** `now` in whole ms of Redis time, and the helpers every script shares. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function expireWithLast(key)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', key, last[2]) end
end
`;

/**
 * Admission. KEYS: the user's set. ARGV: member, cap, ttl ms. Drops expired members, then adds
 * this one unless the user already has `cap` live ones. Returns {admitted 0/1, live count}.
 */
export const ADMIT = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local member = ARGV[1]
if not redis.call('ZSCORE', KEYS[1], member) then
  local count = redis.call('ZCARD', KEYS[1])
  if count >= tonumber(ARGV[2]) then return {0, count} end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), member)
expireWithLast(KEYS[1])
return {1, redis.call('ZCARD', KEYS[1])}
`;

/**
 * Heartbeat of one user's connections on one instance. KEYS: the user's set. ARGV: ttl ms,
 * members... Upserts (not only refreshes): after Redis lost its data, the next heartbeat puts
 * every open connection back.
 */
export const REFRESH = `${PRELUDE}
local expiresAt = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiresAt, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
expireWithLast(KEYS[1])
return 1
`;

/** KEYS: users' sets. Returns the 1-based positions of the keys with a live member. */
export const ONLINE = `${PRELUDE}
local online = {}
for i = 1, #KEYS do
  if redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') > 0 then online[#online + 1] = i end
end
return online
`;
