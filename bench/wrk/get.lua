-- wrk script: GET /pets/{id} with ids drawn uniformly from 1..N.
--   wrk -s bench/wrk/get.lua http://127.0.0.1:8081 -- N
-- Each thread gets its own random sequence (seeded from its index in setup).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_index", threads)
end

function init(args)
  ids = tonumber(args[1]) or 1000
  math.randomseed(thread_index * 7919)
end

function request()
  return wrk.format("GET", "/pets/" .. math.random(ids))
end
