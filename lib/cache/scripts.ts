/**
 * The Lua scripts behind the Redis adapter's atomic operations. Each runs as one command, so no
 * other client's command lands between its reads and writes.
 */

/**
 * COMPARE_AND_SET: KEYS[1] the key; ARGV: "1" if the key must be absent else "0", the expected
 * value, the next value, the TTL in ms ("0" = keep the current expiry). Returns 1 if replaced.
 */
export const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
elseif current then
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`;

/**
 * RATE_LIMIT, a sliding-window log: KEYS[1] a sorted set of accepted requests scored by time;
 * ARGV: limit, window in ms, a unique member for this request. Uses the server clock (TIME) so
 * every replica agrees. Returns {allowed (1/0), remaining, retryAfterMs, resetMs}.
 */
export const RATE_LIMIT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local retry = 0
local reset = 0
if oldest[2] then
  reset = tonumber(newest[2]) + window - now
  if allowed == 0 then retry = tonumber(oldest[2]) + window - now end
elseif allowed == 0 then
  retry = window
end
local remaining = limit - count
if remaining < 0 then remaining = 0 end
return {allowed, remaining, retry, reset}
`;

/**
 * STREAM_APPEND_UNIQUE: KEYS[1] the stream, KEYS[2] the set of uniques it holds; ARGV: TTL in
 * ms, MAXLEN ("0" = unbounded), the entry count, then per entry its unique, its field count and
 * its field/value pairs. Appends each entry whose unique is new (XADD *), then sets the TTL of
 * both keys. A missing stream (expired, deleted) forgets its uniques first, so the two never
 * disagree. Returns the ids appended, in order.
 */
export const STREAM_APPEND_UNIQUE = `
local stream, uniques = KEYS[1], KEYS[2]
local ttl, maxLen, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', stream) == 0 then redis.call('DEL', uniques) end
local ids = {}
local i = 4
for _ = 1, n do
  local unique, pairs = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  if redis.call('SADD', uniques, unique) == 1 then
    local command = {'XADD', stream}
    if maxLen > 0 then
      command[#command + 1] = 'MAXLEN'
      command[#command + 1] = maxLen
    end
    command[#command + 1] = '*'
    for f = i, i + pairs * 2 - 1 do command[#command + 1] = ARGV[f] end
    ids[#ids + 1] = redis.call(unpack(command))
  end
  i = i + pairs * 2
end
if #ids > 0 then
  redis.call('PEXPIRE', stream, ttl)
  redis.call('PEXPIRE', uniques, ttl)
end
return ids
`;
