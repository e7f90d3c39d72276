import os

from celery import Celery
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdfund.settings")

app = Celery("crowdfund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task that loses its database connection (a restart, a failover, a terminated backend) is sent again: every task is
# idempotent, and its transaction was rolled back.
DATABASE_OUTAGE = (OperationalError, InterfaceError)
RETRY_ON_DATABASE_OUTAGE = {"autoretry_for": DATABASE_OUTAGE, "retry_backoff": True, "max_retries": 8}
