-- Admission: check every scope's limits, then (only if all pass) take a request, a
-- parallel-slot lease and a budget reservation in each. One round trip per request.
--
-- KEYS, four per scope: requests (zset of request ids scored by time), tokens (hash of
--   second -> tokens), leases (zset of request ids scored by expiry), budget (counter of
--   the current window, in nano-units, reservations included).
-- ARGV: now_ms, request_id, lease_ms, reserve_nanos, then seven per scope:
--   rpm, tpm, parallel, budget_max, budget_baseline, budget_ttl_ms, budget_retry_ms
--   (-1 = not limited / no expiry / no retry)
-- Returns {0, scope, limit, max, retry_ms} when refused (limit: 1 requests, 2 tokens,
--   3 parallel, 4 budget), else {1, then per scope: requests, requests_reset_ms, tokens,
--   tokens_reset_ms}.
local now = tonumber(ARGV[1])
local id = ARGV[2]
local lease = tonumber(ARGV[3])
local scopes = #KEYS / 4
local window = now - 60000
local usage = {1}

for i = 0, scopes - 1 do
  local k, a = i * 4, 5 + i * 7
  local rpm, tpm = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local parallel, budget = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local requests, requests_reset, tokens, tokens_reset = 0, 0, 0, 0
  if rpm >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 1], '-inf', window)
    requests = redis.call('ZCARD', KEYS[k + 1])
    local oldest = redis.call('ZRANGE', KEYS[k + 1], 0, 0, 'WITHSCORES')
    if oldest[2] then
      requests_reset = tonumber(oldest[2]) + 60000 - now
    end
    if requests >= rpm then
      return {0, i, 1, rpm, requests_reset}
    end
  end
  if tpm >= 0 then
    local buckets = redis.call('HGETALL', KEYS[k + 2])
    local first
    for j = 1, #buckets, 2 do
      local second = tonumber(buckets[j])
      if (second + 1) * 1000 <= window then
        redis.call('HDEL', KEYS[k + 2], buckets[j])
      else
        tokens = tokens + tonumber(buckets[j + 1])
        if first == nil or second < first then
          first = second
        end
      end
    end
    if first then
      tokens_reset = (first + 1) * 1000 + 60000 - now
    end
    if tokens >= tpm then
      return {0, i, 2, tpm, tokens_reset}
    end
  end
  if parallel >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', now)
    if redis.call('ZCARD', KEYS[k + 3]) >= parallel then
      return {0, i, 3, parallel, 1000}
    end
  end
  if budget >= 0 then
    local spent = redis.call('GET', KEYS[k + 4])
    if spent then
      spent = tonumber(spent)
    else
      spent = tonumber(ARGV[a + 4])
    end
    if spent >= budget then
      return {0, i, 4, budget, tonumber(ARGV[a + 6])}
    end
  end
  usage[#usage + 1] = requests + 1
  usage[#usage + 1] = requests_reset
  usage[#usage + 1] = tokens
  usage[#usage + 1] = tokens_reset
end

for i = 0, scopes - 1 do
  local k, a = i * 4, 5 + i * 7
  if tonumber(ARGV[a]) >= 0 then
    redis.call('ZADD', KEYS[k + 1], now, id)
    redis.call('PEXPIRE', KEYS[k + 1], 61000)
  end
  if tonumber(ARGV[a + 2]) >= 0 then
    redis.call('ZADD', KEYS[k + 3], now + lease, id)
    redis.call('PEXPIRE', KEYS[k + 3], lease + 1000)
  end
  if tonumber(ARGV[a + 3]) >= 0 then
    if redis.call('EXISTS', KEYS[k + 4]) == 0 then
      redis.call('SET', KEYS[k + 4], ARGV[a + 4])
    end
    redis.call('INCRBY', KEYS[k + 4], ARGV[4])
    local ttl = tonumber(ARGV[a + 5])
    if ttl > 0 then
      redis.call('PEXPIRE', KEYS[k + 4], ttl)
    end
  end
end
return usage
