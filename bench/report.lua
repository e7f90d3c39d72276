-- Shared by bench/*.lua (loaded with dofile): counting the answers' statuses in each wrk thread, and the one JSON
-- line that bench/harness.py reads after wrk ends: statuses counted over all threads, the time taken, requests per
-- second, latency percentiles in microseconds, socket errors.

statuses = {}

function count_status(status)
  local name = tostring(status)
  statuses[name] = (statuses[name] or 0) + 1
end

function report(threads, summary, latency)
  local counts = {}
  for _, thread in ipairs(threads) do
    for name, count in pairs(thread:get("statuses")) do
      counts[name] = (counts[name] or 0) + count
    end
  end
  local parts = {}
  for name, count in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', name, count))
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"statuses": {%s}, "seconds": %.3f, "per_s": %.1f, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    table.concat(parts, ", "), seconds, summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  ))
end
