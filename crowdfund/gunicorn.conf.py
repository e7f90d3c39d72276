"""Gunicorn's settings for serving Michou in production (scripts/serve.sh), each from the environment.

    gunicorn -c crowdfund/gunicorn.conf.py crowdfund.wsgi

Sync workers: each handles one request at a time, so WEB_CONCURRENCY is how many requests one machine serves at
once. Scale out by running this on more machines against the same PostgreSQL and Redis.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Gunicorn's own advice for sync workers: two per core plus one, so that one waiting on the database or Stripe
# leaves the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# A slow client or a proxy in front may hold the connection a little while after its request.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "2"))
# Recycle workers now and then, so that a slow leak in a library cannot grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
