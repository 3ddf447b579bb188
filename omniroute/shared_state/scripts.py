"""The Lua scripts: each runs atomically inside Redis, so a check and its update cannot interleave
with another process's. Times come from Redis's own clock (TIME), never from a worker's.

RATE_ACQUIRE   KEYS: starts (zset: call id → start time), in_flight (zset: permit id → lease end),
               meta (hash: last start, learned limit). ARGV: requests per minute, minimum gap
               (ms), max concurrent, permit id, lease seconds, peek (1: only compute the wait).
               Returns {1, "0"} when the call may start (and records it), else {0, wait} with
               wait in seconds as a string, "-1" meaning until a running call ends.
BUDGET_RESERVE KEYS: the period's hash (spent, reserved: integer nano-USD). ARGV: limit, estimate,
               spent loaded from the database (used only when the hash is new), TTL seconds.
               Reserves when spent + reserved < limit and limit - spent - reserved >= estimate.
               Returns {1 or 0, spent}.
BUDGET_SETTLE  KEYS: the period's hash. ARGV: minus the reserved, the cost. The reservation
               is replaced by the real cost (reserved never below 0).
STICKY_CHOICE  KEYS: the rotation's hash (current, served, rotation). ARGV: the limit, the
               number of candidates, the candidates, the ring (JSON-encoded keys). The same
               choice as routing.state.RoutingState.sticky_choice, made once for all processes.
"""

from __future__ import annotations

WINDOW_SECONDS = 60

RATE_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rpm, gap, max_concurrent = tonumber(ARGV[1]), tonumber(ARGV[2]) / 1000, tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if max_concurrent > 0 and redis.call('ZCARD', KEYS[2]) >= max_concurrent then
  return {0, '-1'}
end
local learned = tonumber(redis.call('HGET', KEYS[3], 'learned') or '0')
if learned > 0 and learned < rpm then rpm = learned end
local last = tonumber(redis.call('HGET', KEYS[3], 'last') or '-1e18')
local wait = math.max(0, last + gap - now)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60)
local count = redis.call('ZCARD', KEYS[1])
if count >= rpm then
  local oldest = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + 60 - now)
end
if wait > 0 or ARGV[6] == '1' then return {0, tostring(wait)} end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
redis.call('HSET', KEYS[3], 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], 120)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]) + 60)
redis.call('EXPIRE', KEYS[3], 3600)
return {1, '0'}
"""

BUDGET_RESERVE = """
local limit, estimate = tonumber(ARGV[1]), tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'spent', ARGV[3], 'reserved', 0)
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
end
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent'))
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved'))
if spent + reserved >= limit or limit - spent - reserved < estimate then
  return {0, spent}
end
redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[2])
return {1, spent}
"""

BUDGET_SETTLE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[1]) < 0 then
  redis.call('HSET', KEYS[1], 'reserved', '0')
end
redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2])
return 1
"""

STICKY_CHOICE = """
local limit, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local candidates, ring = {}, {}
for i = 1, n do candidates[i] = ARGV[2 + i] end
for i = 3 + n, #ARGV do ring[#ring + 1] = ARGV[i] end
local function index_of(list, value)
  for i = 1, #list do if list[i] == value then return i end end
  return nil
end
local current = redis.call('HGET', KEYS[1], 'current')
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local rotation = tonumber(redis.call('HGET', KEYS[1], 'rotation') or '0')
local index
if current and index_of(candidates, current) and served < limit then
  index = index_of(candidates, current)
elseif current and index_of(ring, current) then
  local start = index_of(ring, current)
  index = 1
  for k = 1, #ring do
    local found = index_of(candidates, ring[((start - 1 + k) % #ring) + 1])
    if found then index = found; break end
  end
else
  index = (rotation % n) + 1
end
if candidates[index] == current then served = served + 1 else served = 1 end
redis.call('HSET', KEYS[1], 'current', candidates[index], 'served', served, 'rotation', index)
redis.call('EXPIRE', KEYS[1], 86400)
return index - 1
"""
