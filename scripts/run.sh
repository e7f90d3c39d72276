#!/usr/bin/env bash
# Serves Michou in the foreground: migrations, static files and demo data first, then the web server and Celery,
# until Ctrl-C (or SIGTERM), which stops every process started here. When one of them ends by itself, the others
# are stopped too, so a crash is never half-hidden behind a server that keeps running.
set -euo pipefail
cd "$(dirname "$0")/.."

# Development: DEBUG on, which is what allows the development secrets (crowdfund/production.py).
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"

python=.venv/bin/python
celery=.venv/bin/celery
"$python" manage.py migrate --noinput
"$python" manage.py collectstatic --noinput
"$python" manage.py seed_demo
mkdir -p var

pids=()
# Each process gets a session of its own, so that stopping it stops its children too (runserver's autoreloader
# runs the server in a child), and so that Ctrl-C reaches only this script, which then stops them in order.
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

if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  start "$celery" -A crowdfund worker --loglevel=INFO
  start "$celery" -A crowdfund beat --schedule var/celerybeat-schedule --loglevel=INFO
else
  # One process for both on the filesystem broker and SQLite: beat embedded in a single solo worker.
  start "$celery" -A crowdfund worker --beat --pool=solo --schedule var/celerybeat-schedule --loglevel=INFO
fi

# The fake Stripe server, unless STRIPE_API_BASE names another Stripe (Stripe's test mode, say).
if [[ -z "${STRIPE_API_BASE:-}" ]]; then
  start "$python" scripts/fake_stripe.py --port 8420 \
    --webhook-url http://127.0.0.1:8000/api/v1/payments/stripe/webhook/ --webhook-secret "${STRIPE_WEBHOOK_SECRET:-whsec_michou_local}"
fi

start "$python" manage.py runserver 127.0.0.1:8000

status=0
wait -n || status=$?
echo "run.sh: a process ended (status $status); stopping the others" >&2
exit "$status"
