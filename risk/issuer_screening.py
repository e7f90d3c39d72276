"""Screening companies after events about them, in batches: an event marks its company pending, and a screening
task takes up to BATCH pending companies at once, reads their facts with a fixed number of queries and screens each
as of its latest event. Under a burst of filings one task screens hundreds of companies for about the cost of a few
single screenings, and several events about one company before its screening coalesce into one.

Nothing is missed: an event inserts the company's `PendingIssuerScreening` row and sends a task, or, finding the row
there, marks it `dirty` (with the later moment). A task claims unclaimed rows with their moments and clears `dirty`,
both under the rows' locks; after screening it removes the rows still clean, and releases the dirty ones for another
task, which it sends. A claim not finished within LOST_AFTER (its worker died) is claimed again by any later task, and
a task that ends with companies still unclaimed sends another, as does the risk sweep; screening twice is harmless, screening being idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from kernel.retries import DATABASE_OUTAGE
from outbox.services import task_send_on_commit
from risk import services
from risk.models import PendingIssuerScreening

logger = logging.getLogger(__name__)

BATCH = 200
LOST_AFTER = dt.timedelta(minutes=2)
TASK = "risk.screen_pending_issuers"


def issuer_screening_request(*, issuer_id: int, as_of: dt.datetime) -> bool:
    """An event about `issuer_id` happened at `as_of`. Returns whether a task was sent for it (False: the company
    was already pending, and the task that takes it will judge it as of this event)."""
    pending = PendingIssuerScreening.objects.filter(pk=issuer_id)
    while True:
        with transaction.atomic():
            if pending.update(dirty=True, as_of=Greatest("as_of", Value(as_of))):
                return False
            try:
                with transaction.atomic():
                    PendingIssuerScreening.objects.create(issuer_id=issuer_id, as_of=as_of)
            except IntegrityError:
                continue  # another event inserted it first: mark it dirty
            task_send_on_commit(task=TASK)
            return True


def pending_issuers_screen(*, now: dt.datetime | None = None) -> int:
    """The task's body: claim up to BATCH pending companies, screen them, release what changed meanwhile. Returns
    how many companies it screened."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(_claimable(now).select_for_update(skip_locked=True).order_by("pk")[:BATCH])
        claimed = PendingIssuerScreening.objects.filter(pk__in=[row.pk for row in rows])
        # With the rows locked: an event after this marks its row dirty again, and it is screened once more.
        claimed.update(dirty=False, claimed_at=now)
        if len(rows) == BATCH:
            task_send_on_commit(task=TASK)  # more may be pending: another worker process can take them meanwhile
    if not rows:
        # Nothing claimable, or only rows an event was marking at that instant: those need a task still.
        if _claimable(timezone.now()).exists():
            task_send_on_commit(task=TASK)
        return 0
    as_of_by_issuer = {row.pk: row.as_of for row in rows}
    try:
        services.screen_issuers(as_of_by_issuer)
        screened = list(as_of_by_issuer)
    except DATABASE_OUTAGE:
        # The task is sent again (RETRY_ON_DATABASE_OUTAGE) and takes the companies back; claims it cannot release
        # now lapse after LOST_AFTER.
        with contextlib.suppress(DatabaseError):
            claimed.update(claimed_at=None)
        raise
    except (DatabaseError, ObjectDoesNotExist):
        # One company whose rows cannot be read (or that was deleted) must not stop the screening of the others; its
        # row stays claimed and is taken again once lost.
        screened = _screen_one_by_one(as_of_by_issuer)
    with transaction.atomic():
        claimed.filter(pk__in=screened, dirty=False).delete()
        claimed.filter(pk__in=screened, dirty=True).update(claimed_at=None)
        # Rows released above, or skipped above while an event was marking them, may have no task left to take them.
        if _claimable(timezone.now()).exists():
            task_send_on_commit(task=TASK)
    return len(screened)


def _claimable(now: dt.datetime):
    return PendingIssuerScreening.objects.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LOST_AFTER))


def _screen_one_by_one(as_of_by_issuer: dict[int, dt.datetime]) -> list[int]:
    screened = []
    for issuer_id, as_of in as_of_by_issuer.items():
        try:
            services.screen_issuer(issuer_id=issuer_id, as_of=as_of)
        except DATABASE_OUTAGE:
            raise
        except (DatabaseError, ObjectDoesNotExist):
            logger.exception("Risk screening could not screen issuer %s", issuer_id)
            continue
        screened.append(issuer_id)
    return screened


def lost_screenings_resend(*, now: dt.datetime | None = None) -> bool:
    """Send a task if companies are pending with no task under way for them (the risk sweep calls this)."""
    if _claimable(now or timezone.now()).exists():
        task_send_on_commit(task=TASK)
        return True
    return False
