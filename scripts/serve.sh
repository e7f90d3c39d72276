#!/usr/bin/env bash
# Serves Michou as production does, in the foreground until SIGTERM or Ctrl-C: gunicorn (crowdfund/gunicorn.conf.py),
# a Celery worker and Celery beat, against PostgreSQL and Redis. Nothing here is for development only: no demo data,
# no fake Stripe server (STRIPE_API_BASE and the keys name the real one).
#
#   DATABASE_URL=postgres://... REDIS_URL=redis://... DJANGO_SECRET_KEY=... scripts/serve.sh
#
# SERVE_PROCESSES chooses what this machine runs (default "web worker beat"): more machines running "web" or "worker"
# against the same PostgreSQL and Redis scale out; exactly one machine runs "beat". SERVE_MIGRATE=false leaves the
# migrations to another machine (run them once per deploy).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
  echo "serve.sh: set DATABASE_URL (PostgreSQL) and REDIS_URL; for development use make run" >&2
  exit 2
fi
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
export DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-60}"
processes="${SERVE_PROCESSES:-web worker beat}"

python=.venv/bin/python
celery=.venv/bin/celery
if [[ "${SERVE_MIGRATE:-true}" == true ]]; then
  "$python" manage.py migrate --noinput
fi
"$python" manage.py collectstatic --noinput --verbosity 0
mkdir -p var

source scripts/lib/processes.sh

for process in $processes; do
  case "$process" in
    web) start .venv/bin/gunicorn -c crowdfund/gunicorn.conf.py crowdfund.wsgi ;;
    worker)
      start "$celery" -A crowdfund worker --loglevel=INFO \
        ${CELERY_WORKER_CONCURRENCY:+--concurrency "$CELERY_WORKER_CONCURRENCY"} ;;
    beat) start "$celery" -A crowdfund beat --schedule var/celerybeat-schedule --loglevel=INFO ;;
    *) echo "serve.sh: unknown process '$process' in SERVE_PROCESSES (web, worker, beat)" >&2; exit 2 ;;
  esac
done

wait_for_first_exit
