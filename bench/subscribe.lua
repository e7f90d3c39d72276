-- wrk script for bench/hot_offering.py: each request a different investor's subscription, with its own token,
-- Idempotency-Key and body, read from the file named by BENCH_REQUESTS (token TAB key TAB body, one a line).
-- Run with as many wrk threads as connections: each thread's one connection (kept alive, as a browser or an app keeps
-- it) sends request i, i + threads, ... one after the other, and the thread stops at the answer to its last one; it
-- then leaves a file in BENCH_DONE_DIR, so that bench/harness.py interrupts wrk once every thread has finished. Should
-- wrk send a request again after a broken connection, Michou answers that repeat 200 (same key, same body), and
-- bench/hot_offering.py does not count it. Reports through bench/report.lua.

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  mine = {}
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if line_number % total == index then
      local token, key, body = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
      table.insert(mine, wrk.format("POST", "/api/v1/subscriptions/", {
        ["Authorization"] = "Token " .. token,
        ["Idempotency-Key"] = key,
        ["Content-Type"] = "application/json",
      }, body))
    end
    line_number = line_number + 1
  end
  answered = 0
end

-- The next request is the one after the last answered: wrk asks again when a write must be retried, and that must
-- not skip a request.
function request()
  return mine[math.min(answered + 1, #mine)]
end

function response(status, headers, body)
  count_status(status)
  answered = answered + 1
  if answered == #mine then
    io.open(os.getenv("BENCH_DONE_DIR") .. "/" .. index, "w"):close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  report(threads, summary, latency)
end
