-- wrk script for one request sent again and again, for wrk's whole duration, on kept-alive connections: GET of the URL
-- wrk was given (bench/pages.py), or POST with BENCH_METHOD=POST (bench/hot_offering.py's bare view). Reports through
-- bench/report.lua.

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  report(threads, summary, latency)
end
