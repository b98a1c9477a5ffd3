-- Admission: check every scope's limits, then (only if all pass) count the request, take a
-- parallel-slot lease and reserve the budget in each. Several admissions may come in one call
-- (a replica sends those that queued while its last call was out); each is decided in turn,
-- seeing what the ones before it took, exactly as if each had come alone.
--
-- Within a call, each key is read once and written once: what an admission reads comes from
-- what the call already read and took, and what it takes is added up and written when all
-- are decided. (A call is atomic, so nobody sees the difference; a call of admissions of one
-- key costs about what one admission did, where each `redis.call` costs about a
-- microsecond more than the command it runs.)
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
-- A call names each scope once (a scope of another budget window or UTC day counts as
-- another), and each admission names its scopes by their place in that list.
-- KEYS, six per scope: requests (rolling hash), tokens (rolling hash), leases (zset of
--   request ids scored by expiry), budget (counter of the current window, in nano-units,
--   reservations included), requests today (counter), budget holds (zset of
--   `request_id/reserved_nanos` scored by expiry: the reservations not yet settled).
--
-- A replica renews its live requests' leases and holds; one that dies stops renewing, so
-- its slots free themselves and its reservations go back to the budget once they expire.
-- ARGV: lease_ms, the scope count, then seven per scope: rpm, tpm, parallel, budget_max,
--   budget_baseline, budget_window_end_ms, rpd (-1 = not limited / no end); then the
--   admission count, and per admission: now_ms, request_id, reserve_nanos, ms until the UTC
--   day ends, its scope count, then its scopes (places in the list, from 0).
-- Returns, one after another for each admission, {0, scope, limit, max, retry_ms} when
--   refused (scope: its place among the admission's scopes; limit: 1 requests, 2 tokens,
--   3 parallel, 4 budget, 5 requests per day; retry_ms -1: not before an administrator
--   acts), else {1, then per scope: requests, requests_reset_ms, tokens, tokens_reset_ms}.
local lease = tonumber(ARGV[1])
local answers = {}

-- What this call has read of each key and will write to it, by key; `written` lists the
-- keys to write, in the order first taken from.
local rolls, leases, holds, budgets, daily = {}, {}, {}, {}, {}
local written = {}

-- A count as Redis reads an integer (a Lua number of 1e17 or more would be written as
-- `1e+17`, which INCRBY refuses).
local function int(n)
  return string.format('%d', n)
end

-- Appends the values of `list` to the answer.
local function answer(list)
  for _, value in ipairs(list) do
    answers[#answers + 1] = value
  end
end

-- A rolling counter as stored: its sum and oldest second once the seconds that left the
-- window at `now` are dropped.
local function read_rolling(key, now)
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
  return sum, oldest
end

-- Writes what this call counted into a rolling counter. A second already held is no older
-- than `oldest`, and the key's expiry was set when it arrived: only a second new to the hash
-- moves them.
local function write_rolling(key, r)
  local total = 0
  for _, second in ipairs(r.seconds) do
    local n = r.adds[second]
    total = total + n
    if redis.call('HINCRBY', key, second, int(n)) == n then
      redis.call('PEXPIRE', key, 62000)
    end
  end
  if r.oldest_moved then
    redis.call('HSET', key, 'oldest', int(r.oldest))
  end
  if total > 0 then
    redis.call('HINCRBY', key, 'sum', int(total))
  end
  r.seconds, r.adds, r.oldest_moved = {}, {}, false
end

-- The rolling counter `key` at `now`: its sum and the ms until its oldest second leaves the
-- window, with what this call counted. Read once a call, or again (after writing what was
-- counted) once the oldest second it read has left the window.
local function rolling(key, now)
  local r = rolls[key]
  if r == nil or (r.oldest and (r.oldest + 1) * 1000 <= now - 60000) then
    if r then
      write_rolling(key, r)
    else
      r = {seconds = {}, adds = {}, oldest_moved = false}
      rolls[key] = r
      written[#written + 1] = {write_rolling, key, r}
    end
    r.sum, r.oldest = read_rolling(key, now)
  end
  local reset = 0
  if r.oldest then
    reset = (r.oldest + 1) * 1000 + 60000 - now
  end
  return r.sum, reset, r
end

-- Counts `n` in second `second` of a rolling counter.
local function count(r, second, n)
  if r.adds[second] == nil then
    r.seconds[#r.seconds + 1] = second
    r.adds[second] = 0
  end
  r.adds[second] = r.adds[second] + n
  r.sum = r.sum + n
  if r.oldest == nil or second < r.oldest then
    r.oldest, r.oldest_moved = second, true
  end
end

-- Adds what this call took to a sorted set (leases or holds) and sets its expiry.
local function write_set(key, z)
  if #z.members > 0 then
    redis.call('ZADD', key, unpack(z.members))
    if z.ttl > 0 then
      redis.call('PEXPIRE', key, int(z.ttl))
    end
  end
  z.members = {}
end

-- A sorted set this call adds to, first seen with `size` members (nil: not counted).
local function set(key, into)
  local z = into[key]
  if z == nil then
    z = {members = {}, ttl = 0}
    into[key] = z
    written[#written + 1] = {write_set, key, z}
  end
  return z
end

-- Parallel-slot leases held in `key`, with those this call took.
local function leases_held(key)
  local z = set(key, leases)
  if z.size == nil then
    z.size = redis.call('ZCARD', key)
  end
  return z
end

-- Writes a budget counter: a new window's counter starts at what the database knows, and
-- ends with the window.
local function write_budget(key, b)
  if b.new then
    redis.call('SET', key, b.baseline)
    if b.ttl > 0 then
      redis.call('PEXPIRE', key, int(b.ttl))
    end
  end
  if b.delta ~= 0 then
    redis.call('INCRBY', key, int(b.delta))
  end
  b.new, b.delta = false, 0
end

-- Gives back the reservations of requests whose replica died (holds not renewed by `now`),
-- up to a hundred, and notes when the next hold runs out.
local function reclaim(b, key, now)
  local z = holds[key]
  if z then
    write_set(key, z)
  end
  local expired = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, 100)
  if #expired > 0 then
    redis.call('ZREM', key, unpack(expired))
    if b.spent then
      local back = 0
      for _, member in ipairs(expired) do
        back = back + (tonumber(string.match(member, '/(%d+)$')) or 0)
      end
      b.spent, b.delta = b.spent - back, b.delta - back
    end
  end
  local next = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  b.next_expiry = tonumber(next[2])
end

-- A budget counter (nil spent: no counter yet in this window), read once a call, with its
-- holds reclaimed when one has run out by `now`.
local function budget_of(key, holds_key, now)
  local b = budgets[key]
  if b == nil then
    b = {spent = tonumber(redis.call('GET', key)), new = false, delta = 0, ttl = 0}
    budgets[key] = b
    written[#written + 1] = {write_budget, key, b}
    reclaim(b, holds_key, now)
  elseif b.next_expiry and b.next_expiry <= now then
    reclaim(b, holds_key, now)
  end
  return b
end

-- Writes a day's request counter, which expires an hour after the day ends.
local function write_daily(key, d)
  if d.delta > 0 then
    redis.call('INCRBY', key, int(d.delta))
    redis.call('PEXPIRE', key, int(d.ttl))
  end
  d.delta = 0
end

local function daily_of(key)
  local d = daily[key]
  if d == nil then
    d = {count = tonumber(redis.call('GET', key)) or 0, delta = 0, ttl = 0}
    daily[key] = d
    written[#written + 1] = {write_daily, key, d}
  end
  return d
end

-- The scopes of this call, each with its first key's place (KEYS[k + 1]) and its limits.
local scopes = {}
local a = 3
for s = 0, tonumber(ARGV[2]) - 1 do
  scopes[s] = {
    k = s * 6,
    rpm = tonumber(ARGV[a]),
    tpm = tonumber(ARGV[a + 1]),
    parallel = tonumber(ARGV[a + 2]),
    budget = tonumber(ARGV[a + 3]),
    baseline = ARGV[a + 4],
    window_end = tonumber(ARGV[a + 5]),
    rpd = tonumber(ARGV[a + 6]),
  }
  a = a + 7
end

-- Decides the admission whose arguments start at ARGV[a]: the refusal, or the usage after
-- taking what it asks for.
local function admit(a)
  local now = tonumber(ARGV[a])
  local id = ARGV[a + 1]
  local reserve = tonumber(ARGV[a + 2])
  local day_left = tonumber(ARGV[a + 3])
  local count_of = tonumber(ARGV[a + 4])
  local second = math.floor(now / 1000)
  local usage = {1}
  local taken = {}
  for i = 0, count_of - 1 do
    local limits = scopes[tonumber(ARGV[a + 5 + i])]
    local ki = limits.k
    local rpm, tpm, parallel, budget = limits.rpm, limits.tpm, limits.parallel, limits.budget
    local requests, requests_reset, tokens, tokens_reset = 0, 0, 0, 0
    local scope = {limits = limits}
    if rpm >= 0 then
      requests, requests_reset, scope.requests = rolling(KEYS[ki + 1], now)
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
    if parallel >= 0 then
      local z = leases_held(KEYS[ki + 3])
      if z.size >= parallel then
        -- Full: leases of replicas that died may have run out; drop them and count again.
        write_set(KEYS[ki + 3], z)
        redis.call('ZREMRANGEBYSCORE', KEYS[ki + 3], '-inf', now)
        z.size = redis.call('ZCARD', KEYS[ki + 3])
        if z.size >= parallel then
          return {0, i, 3, parallel, 1000}
        end
      end
      scope.leases = z
    end
    if budget >= 0 then
      local b = budget_of(KEYS[ki + 4], KEYS[ki + 6], now)
      if (b.spent or tonumber(limits.baseline)) >= budget then
        local retry = -1
        if limits.window_end >= 0 then
          retry = math.max(limits.window_end - now, 1)
        end
        return {0, i, 4, budget, retry}
      end
      scope.budget = b
    end
    if limits.rpd >= 0 then
      local d = daily_of(KEYS[ki + 5])
      if d.count >= limits.rpd then
        return {0, i, 5, limits.rpd, day_left}
      end
      scope.daily = d
    end
    taken[i] = scope
    usage[#usage + 1] = requests + 1
    usage[#usage + 1] = requests_reset
    usage[#usage + 1] = tokens
    usage[#usage + 1] = tokens_reset
  end

  for i = 0, count_of - 1 do
    local scope = taken[i]
    local ki = scope.limits.k
    if scope.requests then
      count(scope.requests, second, 1)
    end
    if scope.leases then
      local z = scope.leases
      z.members[#z.members + 1] = now + lease
      z.members[#z.members + 1] = id
      z.size = z.size + 1
      z.ttl = lease + 1000
    end
    local b = scope.budget
    if b then
      -- A window's counter is kept an hour past its end, then forgotten.
      local ttl = -1
      if scope.limits.window_end >= 0 then
        ttl = math.max(scope.limits.window_end - now, 1) + 3600000
      end
      if b.spent == nil then
        local baseline = scope.limits.baseline
        b.spent, b.new, b.ttl, b.baseline = tonumber(baseline), true, ttl, baseline
      end
      b.spent = b.spent + reserve
      b.delta = b.delta + reserve
      if reserve > 0 then
        local z = set(KEYS[ki + 6], holds)
        z.members[#z.members + 1] = now + lease
        z.members[#z.members + 1] = id .. '/' .. ARGV[a + 2]
        z.ttl = ttl
        if b.next_expiry == nil or now + lease < b.next_expiry then
          b.next_expiry = now + lease
        end
      end
    end
    if scope.daily then
      local d = scope.daily
      d.count = d.count + 1
      d.delta = d.delta + 1
      d.ttl = day_left + 3600000
    end
  end
  return usage
end

local admissions = tonumber(ARGV[a])
a = a + 1
for _ = 1, admissions do
  answer(admit(a))
  a = a + 5 + tonumber(ARGV[a + 4])
end
for _, write in ipairs(written) do
  write[1](write[2], write[3])
end
return answers
