#!/usr/bin/env bash
# Serves Michou for development in the foreground: migrations, static files and demo data first, then the
# development server, Celery and the fake Stripe server, until Ctrl-C (or SIGTERM), which stops every process started
# here (scripts/lib/processes.sh). Production serves with scripts/serve.sh instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# Development: DEBUG on, which is what allows the development secrets (crowdfund/production.py).
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"

python=.venv/bin/python
celery=.venv/bin/celery
"$python" manage.py migrate --noinput
"$python" manage.py collectstatic --noinput
mkdir -p var

source scripts/lib/processes.sh

# The fake Stripe server first, unless STRIPE_API_BASE names another Stripe (Stripe's test mode, say): the demo data
# pays its subscriptions through it.
if [[ -z "${STRIPE_API_BASE:-}" ]]; then
  start "$python" scripts/fake_stripe.py --port 8420 \
    --webhook-url http://127.0.0.1:8000/api/v1/payments/stripe/webhook/ --webhook-secret "${STRIPE_WEBHOOK_SECRET:-whsec_michou_local}"
  "$python" -c 'import socket, time
deadline = time.monotonic() + 30
while socket.socket().connect_ex(("127.0.0.1", 8420)) and time.monotonic() < deadline:
    time.sleep(0.2)'
fi
"$python" manage.py seed_demo

if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  start "$celery" -A crowdfund worker --loglevel=INFO
  start "$celery" -A crowdfund beat --schedule var/celerybeat-schedule --loglevel=INFO
else
  # One process for both on the filesystem broker and SQLite: beat embedded in a single solo worker.
  start "$celery" -A crowdfund worker --beat --pool=solo --schedule var/celerybeat-schedule --loglevel=INFO
fi

start "$python" manage.py runserver 127.0.0.1:8000

wait_for_first_exit
