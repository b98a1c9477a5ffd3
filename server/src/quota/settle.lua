-- Settlement: count the request's tokens, free its parallel slot and replace its budget
-- reservation with the actual cost. Several settlements may come in one call.
--
-- KEYS, four per scope of every settlement: tokens (rolling hash, as in admit.lua), leases
--   zset, budget counter, budget holds zset.
-- ARGV: the settlement count, then per settlement: second, request_id, tokens,
--   cost_delta_nanos, reserved_nanos, scope count, then three flags per scope (1 = the scope
--   limits tokens / parallel requests / budget).
-- Returns each scope's budget counter after settlement (-1 where there is none), in order.
local spent = {}
local a, k = 2, 0
for _ = 1, tonumber(ARGV[1]) do
  local second, id, tokens, delta = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3]
  local reserved = ARGV[a + 4]
  local scopes = tonumber(ARGV[a + 5])
  a = a + 6
  for _ = 1, scopes do
    if ARGV[a] == '1' and tokens > 0 then
      local key = KEYS[k + 1]
      -- As in admit.lua: only a second new to the hash moves `oldest` and the expiry.
      if redis.call('HINCRBY', key, second, tokens) == tokens then
        local oldest = tonumber(redis.call('HGET', key, 'oldest'))
        if oldest == nil or tonumber(second) < oldest then
          redis.call('HSET', key, 'oldest', second)
        end
        redis.call('PEXPIRE', key, 62000)
      end
      redis.call('HINCRBY', key, 'sum', tokens)
    end
    if ARGV[a + 1] == '1' then
      redis.call('ZREM', KEYS[k + 2], id)
    end
    local charge = delta
    if ARGV[a + 2] == '1' and tonumber(reserved) > 0
        and redis.call('ZREM', KEYS[k + 4], id .. '/' .. reserved) == 0 then
      -- The hold ran out (the lease was not renewed in time) and admit.lua gave the
      -- reservation back: the whole cost is charged now.
      charge = tonumber(delta) + tonumber(reserved)
    end
    if ARGV[a + 2] == '1' and redis.call('EXISTS', KEYS[k + 3]) == 1 then
      spent[#spent + 1] = redis.call('INCRBY', KEYS[k + 3], charge)
    else
      spent[#spent + 1] = -1
    end
    a = a + 3
    k = k + 4
  end
end
return spent
