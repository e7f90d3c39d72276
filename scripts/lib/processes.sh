# Process supervision shared by scripts/run.sh and scripts/serve.sh (sourced, not run).
#
# Each process gets a session of its own, so that stopping it stops its children too (runserver's autoreloader,
# gunicorn's and Celery's workers), and so that Ctrl-C reaches only the calling script, which then stops them in
# order. When one of them ends by itself, the others are stopped too, so a crash is never half-hidden behind a
# server that keeps running.

pids=()

start() {
  setsid "$@" &
  pids+=("$!")
}

stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  wait
}

trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# Waits until the first process ends, then exits with its status (the EXIT trap stops the others).
wait_for_first_exit() {
  local status=0
  wait -n || status=$?
  echo "$(basename "$0"): a process ended (status $status); stopping the others" >&2
  exit "$status"
}
