-- Settlement: count the request's tokens, free its parallel slot and replace its budget
-- reservation with the actual cost. Several settlements may come in one call; each key is
-- read and written once a call, however many settlements share it (as in admit.lua), and
-- each settlement's answer is what it would have been alone.
--
-- A call names each scope once (as in admit.lua), and each settlement names its scopes by
-- their place in that list.
-- KEYS, four per scope: tokens (rolling hash, as in admit.lua), leases zset, budget counter,
--   budget holds zset.
-- ARGV: the scope count, then three flags per scope (1 = the scope limits tokens / parallel
--   requests / budget); then the settlement count, and per settlement: second, request_id,
--   tokens, cost_delta_nanos, reserved_nanos, its scope count, then its scopes (places in
--   the list, from 0).
-- Returns each scope's budget counter after settlement (-1 where there is none), in order.
-- Needs ZMSCORE: Redis 6.2 or later.

-- A count as Redis reads an integer (see admit.lua).
local function int(n)
  return string.format('%d', n)
end

-- The scopes of this call: the place of the first key (KEYS[k + 1]) and what each limits.
local scopes = {}
local first = 2
for s = 0, tonumber(ARGV[1]) - 1 do
  scopes[s] = {
    k = s * 4,
    tokens = ARGV[first] == '1',
    parallel = ARGV[first + 1] == '1',
    budget = ARGV[first + 2] == '1',
  }
  first = first + 3
end

-- Calls `visit(scope, second, id, tokens, delta, reserved)` for every scope of every
-- settlement, in order.
local function each_scope(visit)
  local a = first + 1
  for _ = 1, tonumber(ARGV[first]) do
    local second, id, tokens = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
    local delta, reserved = tonumber(ARGV[a + 3]), ARGV[a + 4]
    local count = tonumber(ARGV[a + 5])
    for i = 0, count - 1 do
      visit(scopes[tonumber(ARGV[a + 6 + i])], second, id, tokens, delta, reserved)
    end
    a = a + 6 + count
  end
end

-- A list in `lists` by key, made (and its key noted in `keys`) the first time.
local function list(lists, keys, key)
  local l = lists[key]
  if l == nil then
    l = {}
    lists[key] = l
    keys[#keys + 1] = key
  end
  return l
end

-- First, what the call adds and removes, by key.
local tokens, token_keys = {}, {}
local leases, lease_keys = {}, {}
local holds, hold_keys = {}, {}
each_scope(function(scope, second, id, used, _, reserved)
  local k = scope.k
  if scope.tokens and used > 0 then
    local t = list(tokens, token_keys, KEYS[k + 1])
    if t[second] == nil then
      t[#t + 1] = second
      t[second] = 0
    end
    t[second] = t[second] + used
  end
  if scope.parallel then
    local l = list(leases, lease_keys, KEYS[k + 2])
    l[#l + 1] = id
  end
  if scope.budget and tonumber(reserved) > 0 then
    local h = list(holds, hold_keys, KEYS[k + 4])
    h[#h + 1] = id .. '/' .. reserved
  end
end)

-- Rolling token counts: only a second new to the hash moves `oldest` and the expiry.
for _, key in ipairs(token_keys) do
  local t, total, oldest = tokens[key], 0, false
  for _, second in ipairs(t) do
    local n = t[second]
    total = total + n
    if redis.call('HINCRBY', key, second, int(n)) == n then
      if oldest == false then
        oldest = tonumber(redis.call('HGET', key, 'oldest'))
      end
      if oldest == nil or tonumber(second) < oldest then
        oldest = tonumber(second)
        redis.call('HSET', key, 'oldest', second)
      end
      redis.call('PEXPIRE', key, 62000)
    end
  end
  redis.call('HINCRBY', key, 'sum', int(total))
end

for _, key in ipairs(lease_keys) do
  redis.call('ZREM', key, unpack(leases[key]))
end

-- Which reservations are still held; a hold that ran out (its lease was not renewed in time)
-- was given back by admit.lua, so its request pays its whole cost now.
local held = {}
for _, key in ipairs(hold_keys) do
  local members = holds[key]
  local scores = redis.call('ZMSCORE', key, unpack(members))
  local here = {}
  for i, member in ipairs(members) do
    here[member] = scores[i] ~= false
  end
  held[key] = here
  redis.call('ZREM', key, unpack(members))
end

-- Then each settlement's charge, in order, on counters read once.
local budgets, budget_keys = {}, {}
local spent = {}
each_scope(function(scope, _, id, _, delta, reserved)
  local k = scope.k
  if not scope.budget then
    spent[#spent + 1] = -1
    return
  end
  local charge = delta
  if tonumber(reserved) > 0 and not held[KEYS[k + 4]][id .. '/' .. reserved] then
    charge = delta + tonumber(reserved)
  end
  local key = KEYS[k + 3]
  local b = budgets[key]
  if b == nil then
    b = {value = tonumber(redis.call('GET', key)), delta = 0}
    budgets[key] = b
    budget_keys[#budget_keys + 1] = key
  end
  if b.value then
    b.value = b.value + charge
    b.delta = b.delta + charge
    spent[#spent + 1] = b.value
  else
    spent[#spent + 1] = -1
  end
end)
for _, key in ipairs(budget_keys) do
  local b = budgets[key]
  if b.delta ~= 0 then
    redis.call('INCRBY', key, int(b.delta))
  end
end
return spent
