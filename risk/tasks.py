"""Celery tasks of the risk review. Each carries the moment its facts are judged as of, so a screening gives the
same answer whenever the worker gets to it; running one twice adds nothing."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils.dateparse import parse_datetime

from kernel.retries import RETRY_ON_DATABASE_OUTAGE
from risk import issuer_screening, payment_screening, services


def _moment(as_of: str | None) -> dt.datetime | None:
    return parse_datetime(as_of) if as_of else None


# Events now mark companies pending (risk.screen_pending_issuers); this one still runs what was queued before.
@shared_task(name="risk.screen_issuer", **RETRY_ON_DATABASE_OUTAGE)
def screen_issuer(issuer_id: int, as_of: str | None = None) -> None:
    services.screen_issuer(issuer_id=issuer_id, as_of=_moment(as_of))


@shared_task(name="risk.screen_offering", **RETRY_ON_DATABASE_OUTAGE)
def screen_offering(offering_id: int, as_of: str | None = None) -> None:
    services.screen_offering(offering_id=offering_id, as_of=_moment(as_of))


@shared_task(name="risk.screen_investor", **RETRY_ON_DATABASE_OUTAGE)
def screen_investor(investor_id: int, as_of: str | None = None) -> None:
    services.screen_investor(investor_id=investor_id, as_of=_moment(as_of))


@shared_task(name="risk.sweep")
def sweep() -> None:
    # First what a dead worker left unfinished: screenings after payments, and companies pending screening.
    payment_screening.lost_screenings_resend()
    issuer_screening.lost_screenings_resend()
    services.sweep()


@shared_task(name="risk.screen_pending_issuers", **RETRY_ON_DATABASE_OUTAGE)
def screen_pending_issuers() -> None:
    issuer_screening.pending_issuers_screen()


@shared_task(name="risk.screen_offering_after_payments", **RETRY_ON_DATABASE_OUTAGE)
def screen_offering_after_payments(offering_id: int) -> None:
    payment_screening.offering_screen_after_payments(offering_id=offering_id)
