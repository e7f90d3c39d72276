-- wrk script for one request sent again and again, for wrk's whole duration, on kept-alive connections: GET of the URL
-- wrk was given (bench/pages.py), or POST with BENCH_METHOD=POST (bench/hot_offering.py's bare view), with the
-- Authorization header BENCH_AUTHORIZATION if set (its authenticated request that does nothing). Reports through
-- bench/report.lua.

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  if os.getenv("BENCH_AUTHORIZATION") then
    wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
  end
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  report(threads, summary, latency)
end
