"""Screening an offering after its payments, coalesced: at most one screening per offering queued or running, however
many payments arrive, and none missed.

A payment inserts the offering's `PendingPaymentScreening` row and sends the task, or, finding the row there, marks it
`dirty`. The task clears `dirty`, screens, and removes the row only if it is still clean; otherwise it runs again. Both
sides are single statements on one row, so a payment arriving at any moment is either seen by the running screening or
causes exactly one more. A screening not finished within `LOST_AFTER` (its worker died) is sent again by the next
payment or the risk sweep; a second run is harmless, screening being idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone

from outbox.services import task_send_on_commit
from risk.models import PendingPaymentScreening

LOST_AFTER = dt.timedelta(minutes=2)


def payment_screening_request(*, offering_id: int, as_of: dt.datetime) -> bool:
    """A payment to `offering_id` happened at `as_of`. Returns whether a screening was sent for it (False: the one
    queued or running will run again for it)."""
    now = timezone.now()
    pending = PendingPaymentScreening.objects.filter(pk=offering_id)
    while True:
        with transaction.atomic():
            if pending.update(dirty=True, as_of=Greatest("as_of", Value(as_of))):
                lost = pending.filter(queued_at__lt=now - LOST_AFTER).update(queued_at=now)
                return _send_if(lost, offering_id)
            try:
                with transaction.atomic():
                    PendingPaymentScreening.objects.create(offering_id=offering_id, as_of=as_of, queued_at=now)
            except IntegrityError:
                continue  # another payment inserted it first: mark it dirty
            return _send_if(True, offering_id)


def _send_if(send: bool | int, offering_id: int) -> bool:
    if send:
        task_send_on_commit(task="risk.screen_offering_after_payments", args=[offering_id])
    return bool(send)


def offering_screen_after_payments(*, offering_id: int) -> None:
    """The task's body: screen as of the latest payment, then again while payments keep arriving during a run."""
    from risk import services

    pending = PendingPaymentScreening.objects.filter(pk=offering_id)
    with transaction.atomic():
        # Clearing `dirty` with the row locked: a payment after this marks it dirty again.
        claimed = pending.select_for_update().first()
        if claimed is None:
            return  # a duplicate of a screening that has finished
        pending.update(dirty=False)
    services.screen_offering(offering_id=offering_id, as_of=claimed.as_of)
    with transaction.atomic():
        if pending.filter(dirty=False).delete()[0] == 0:
            _send_if(pending.update(queued_at=timezone.now()), offering_id)


def lost_screenings_resend(*, now: dt.datetime | None = None) -> int:
    """Send again the screenings whose worker died before finishing them (the risk sweep calls this)."""
    now = now or timezone.now()
    lost = list(PendingPaymentScreening.objects.filter(queued_at__lt=now - LOST_AFTER).values_list("pk", flat=True))
    with transaction.atomic():
        PendingPaymentScreening.objects.filter(pk__in=lost).update(queued_at=now)
        for offering_id in lost:
            _send_if(True, offering_id)
    return len(lost)
