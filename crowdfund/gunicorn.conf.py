"""Gunicorn's settings for serving Michou in production (scripts/serve.sh), each from the environment.

    gunicorn -c crowdfund/gunicorn.conf.py crowdfund.wsgi

Threaded workers (gthread): each of WEB_CONCURRENCY processes serves WEB_THREADS requests at once and keeps idle
connections in a poller rather than in a thread. Sync workers would keep a whole process blocked on a client that
connected and has not sent its request yet (a slow phone, or a load generator's spare connection), until WEB_TIMEOUT
kills it: in a flash crowd a few such clients stalled every worker for 30 s at a time. Scale out by running this on
more machines against the same PostgreSQL and Redis.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Gunicorn's own advice: two processes per core plus one, so that one waiting on the database leaves the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# How long an idle connection is kept for the client's next request.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Recycle workers now and then, so that a slow leak in a library cannot grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
