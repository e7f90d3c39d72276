"""How Celery tasks retry. A task that loses its database connection (a restart, a failover, a terminated backend) is
sent again: every task is idempotent, and its transaction was rolled back."""

from django.db import InterfaceError, OperationalError

DATABASE_OUTAGE = (OperationalError, InterfaceError)
RETRY_ON_DATABASE_OUTAGE = {"autoretry_for": DATABASE_OUTAGE, "retry_backoff": True, "max_retries": 8}
