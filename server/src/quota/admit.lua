-- Admission: check every scope's limits, then (only if all pass) count the request, take a
-- parallel-slot lease and reserve the budget in each. Several admissions may come in one call
-- (a replica sends those that queued while its last call was out); each is decided in turn,
-- seeing what the ones before it took, exactly as if each had come alone.
--
-- Requests and tokens are rolling 60-second counters: a hash of per-second counts plus `sum`
-- and `oldest` (the earliest second held), so a check reads two fields; whole seconds that
-- left the window are dropped at most once per second. A second counts until a minute after
-- it ended; the hash expires 62 s after its newest second first arrived. Counts are always
-- positive, so a second's count equal to what was just added means the second is new.
--
-- Requests per day count in one counter per scope and UTC day, which expires an hour after
-- the day ends.
--
-- KEYS, six per scope of every admission: requests (rolling hash), tokens (rolling hash),
--   leases (zset of request ids scored by expiry), budget (counter of the current window, in
--   nano-units, reservations included), requests today (counter), budget holds (zset of
--   `request_id/reserved_nanos` scored by expiry: the reservations not yet settled).
--
-- A replica renews its live requests' leases and holds; one that dies stops renewing, so
-- its slots free themselves and its reservations go back to the budget once they expire.
-- ARGV: lease_ms, the admission count, then per admission: now_ms, request_id,
--   reserve_nanos, ms until the UTC day ends, scope count, then eight per scope: rpm, tpm,
--   parallel, budget_max, budget_baseline, budget_ttl_ms, budget_retry_ms, rpd (-1 = not
--   limited / no expiry / no retry)
-- Returns, one after another for each admission, {0, scope, limit, max, retry_ms} when
--   refused (limit: 1 requests, 2 tokens, 3 parallel, 4 budget, 5 requests per day), else
--   {1, then per scope: requests, requests_reset_ms, tokens, tokens_reset_ms}.
local lease = tonumber(ARGV[1])
local answers = {}

-- Appends the values of `list` to the answer.
local function answer(list)
  for _, value in ipairs(list) do
    answers[#answers + 1] = value
  end
end

-- The rolling sum of `key` at `now`, the ms until its oldest second leaves the window, and
-- that oldest second.
local function rolling(key, now)
  local window = now - 60000
  local held = redis.call('HMGET', key, 'sum', 'oldest')
  local sum, oldest = tonumber(held[1]) or 0, tonumber(held[2])
  if oldest and (oldest + 1) * 1000 <= window then
    local all = redis.call('HGETALL', key)
    sum, oldest = 0, nil
    for j = 1, #all, 2 do
      local field = all[j]
      if field ~= 'sum' and field ~= 'oldest' then
        local s = tonumber(field)
        if (s + 1) * 1000 <= window then
          redis.call('HDEL', key, field)
        else
          sum = sum + tonumber(all[j + 1])
          if oldest == nil or s < oldest then
            oldest = s
          end
        end
      end
    end
    if oldest then
      redis.call('HSET', key, 'sum', sum, 'oldest', oldest)
    else
      redis.call('DEL', key)
    end
  end
  if oldest then
    return sum, (oldest + 1) * 1000 + 60000 - now, oldest
  end
  return sum, 0, nil
end

-- Decides the admission whose first key is KEYS[k + 1] and whose own arguments start at
-- ARGV[a]: the refusal, or the usage after taking what it asks for.
local function admit(k, a, scopes)
  local now = tonumber(ARGV[a])
  local id = ARGV[a + 1]
  local reserve = ARGV[a + 2]
  local day_left = tonumber(ARGV[a + 3])
  local second = math.floor(now / 1000)
  local usage = {1}
  local oldest_request, spent_before = {}, {}
  for i = 0, scopes - 1 do
    local ki, ai = k + i * 6, a + 5 + i * 8
    local rpm, tpm = tonumber(ARGV[ai]), tonumber(ARGV[ai + 1])
    local parallel, budget = tonumber(ARGV[ai + 2]), tonumber(ARGV[ai + 3])
    local requests, requests_reset, tokens, tokens_reset = 0, 0, 0, 0
    if rpm >= 0 then
      requests, requests_reset, oldest_request[i] = rolling(KEYS[ki + 1], now)
      if requests >= rpm then
        return {0, i, 1, rpm, requests_reset}
      end
    end
    if tpm >= 0 then
      tokens, tokens_reset = rolling(KEYS[ki + 2], now)
      if tokens >= tpm then
        return {0, i, 2, tpm, tokens_reset}
      end
    end
    if parallel >= 0 and redis.call('ZCARD', KEYS[ki + 3]) >= parallel then
      -- Full: leases of replicas that died may have run out; drop them and count again.
      redis.call('ZREMRANGEBYSCORE', KEYS[ki + 3], '-inf', now)
      if redis.call('ZCARD', KEYS[ki + 3]) >= parallel then
        return {0, i, 3, parallel, 1000}
      end
    end
    if budget >= 0 then
      local spent = redis.call('GET', KEYS[ki + 4])
      -- Reservations of requests whose replica died (holds not renewed) go back.
      local expired = redis.call('ZRANGEBYSCORE', KEYS[ki + 6], '-inf', now, 'LIMIT', 0, 100)
      if #expired > 0 then
        redis.call('ZREM', KEYS[ki + 6], unpack(expired))
        if spent then
          local back = 0
          for _, member in ipairs(expired) do
            back = back + (tonumber(string.match(member, '/(%d+)$')) or 0)
          end
          spent = redis.call('DECRBY', KEYS[ki + 4], back)
        end
      end
      spent_before[i] = spent
      if spent then
        spent = tonumber(spent)
      else
        spent = tonumber(ARGV[ai + 4])
      end
      if spent >= budget then
        return {0, i, 4, budget, tonumber(ARGV[ai + 6])}
      end
    end
    local rpd = tonumber(ARGV[ai + 7])
    if rpd >= 0 and (tonumber(redis.call('GET', KEYS[ki + 5])) or 0) >= rpd then
      return {0, i, 5, rpd, day_left}
    end
    usage[#usage + 1] = requests + 1
    usage[#usage + 1] = requests_reset
    usage[#usage + 1] = tokens
    usage[#usage + 1] = tokens_reset
  end

  for i = 0, scopes - 1 do
    local ki, ai = k + i * 6, a + 5 + i * 8
    if tonumber(ARGV[ai]) >= 0 then
      local key = KEYS[ki + 1]
      -- A second already held is no older than `oldest`, and the key's expiry was set when
      -- it arrived: only a scope's first request in a second moves them.
      if redis.call('HINCRBY', key, second, 1) == 1 then
        if oldest_request[i] == nil or second < oldest_request[i] then
          redis.call('HSET', key, 'oldest', second)
        end
        redis.call('PEXPIRE', key, 62000)
      end
      redis.call('HINCRBY', key, 'sum', 1)
    end
    if tonumber(ARGV[ai + 2]) >= 0 then
      redis.call('ZADD', KEYS[ki + 3], now + lease, id)
      redis.call('PEXPIRE', KEYS[ki + 3], lease + 1000)
    end
    if tonumber(ARGV[ai + 3]) >= 0 then
      if spent_before[i] then
        redis.call('INCRBY', KEYS[ki + 4], reserve)
      else
        -- A new window's counter starts at what the database knows, and ends with the window.
        redis.call('SET', KEYS[ki + 4], ARGV[ai + 4])
        redis.call('INCRBY', KEYS[ki + 4], reserve)
        local ttl = tonumber(ARGV[ai + 5])
        if ttl > 0 then
          redis.call('PEXPIRE', KEYS[ki + 4], ttl)
        end
      end
      if tonumber(reserve) > 0 then
        redis.call('ZADD', KEYS[ki + 6], now + lease, id .. '/' .. reserve)
        local ttl = tonumber(ARGV[ai + 5])
        if ttl > 0 then
          redis.call('PEXPIRE', KEYS[ki + 6], ttl)
        end
      end
    end
    if tonumber(ARGV[ai + 7]) >= 0 then
      redis.call('INCR', KEYS[ki + 5])
      redis.call('PEXPIRE', KEYS[ki + 5], day_left + 3600000)
    end
  end
  return usage
end

local k, a = 0, 3
for _ = 1, tonumber(ARGV[2]) do
  local scopes = tonumber(ARGV[a + 4])
  answer(admit(k, a, scopes))
  k = k + scopes * 6
  a = a + 5 + scopes * 8
end
return answers
