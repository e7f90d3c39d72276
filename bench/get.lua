-- wrk script for bench/pages.py: GET of the URL wrk was given, for wrk's whole duration, each request on a fresh
-- connection (gunicorn's sync workers close each one). Reports through bench/report.lua.

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Connection"] = "close"
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  report(threads, summary, latency)
end
