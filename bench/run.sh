#!/usr/bin/env bash
# `make bench`: the four benchmarks one after the other, then their result lines together, with the machine's load
# before and after (the figures mean little on a busy machine). Progress goes to stderr, results to stdout.
# BENCH_QUICK=1 runs them small (a minute or two each) to check that they work; see README "Benchmarks" for sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
  hot=(--clients 16,64 --places 100 --investors 200 --ceiling-seconds 5)
  pages=(--offerings 100 --subscriptions 10000 --seconds 5)
  settle=(--subscriptions 200)
  screen=(--issuers 100)
else
  hot=() pages=() settle=() screen=()
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "load before: $(uptime)" >>"$results"
status=0
"$python" bench/hot_offering.py "${hot[@]}" | tee -a "$results" || status=1
"$python" bench/pages.py "${pages[@]}" | tee -a "$results" || status=1
"$python" bench/settle.py "${settle[@]}" | tee -a "$results" || status=1
"$python" bench/screen.py "${screen[@]}" | tee -a "$results" || status=1
echo "load after: $(uptime)" >>"$results"
echo
cat "$results"
exit "$status"
