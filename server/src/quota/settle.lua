-- Settlement: count the request's tokens, free its parallel slot and replace its budget
-- reservation with the actual cost.
--
-- KEYS, three per scope: tokens hash, leases zset, budget counter.
-- ARGV: second, request_id, tokens, cost_delta_nanos, then three flags per scope
--   (1 = the scope limits tokens / parallel requests / budget).
-- Returns each scope's budget counter after settlement (-1 where there is none).
local second, id, tokens, delta = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local spent = {}
for i = 0, #KEYS / 3 - 1 do
  local k, a = i * 3, 5 + i * 3
  if ARGV[a] == '1' and tokens > 0 then
    redis.call('HINCRBY', KEYS[k + 1], second, tokens)
    redis.call('PEXPIRE', KEYS[k + 1], 62000)
  end
  if ARGV[a + 1] == '1' then
    redis.call('ZREM', KEYS[k + 2], id)
  end
  if ARGV[a + 2] == '1' and redis.call('EXISTS', KEYS[k + 3]) == 1 then
    spent[#spent + 1] = redis.call('INCRBY', KEYS[k + 3], delta)
  else
    spent[#spent + 1] = -1
  end
end
return spent
