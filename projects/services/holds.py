"""What the risk review and subscriptions change on an offering: its holds and its capacity counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from projects import page_cache
from projects.models import SUSPENDABLE_STATUSES, Offering, OfferingStatus
from projects.services.transitions import _transition

# Offerings: risk holds. Only the risk review calls these.


def offering_risk_hold_set(*, offering_id: int, hold: bool, reason: str) -> Offering:
    """Put an offering on hold (a live or closing one becomes `suspended`) or lift the hold (a suspended one goes
    back to `live`, or to `closing` if its deadline passed meanwhile). Setting what is already set changes nothing."""
    with transaction.atomic():
        offering = Offering.objects.select_for_update(no_key=True).get(pk=offering_id)
        if offering.risk_hold == hold:
            return offering
        offering.risk_hold = hold
        if hold and offering.status in SUSPENDABLE_STATUSES:
            return _transition(offering, "suspend", by=None, reason=reason)
        if not hold and offering.status == OfferingStatus.SUSPENDED:
            resume = "resume" if offering.closes_at > timezone.now() else "resume_closing"
            return _transition(offering, resume, by=None, reason=reason)
        offering.save(update_fields=["risk_hold", "updated_at"])
        page_cache.offering_pages_changed(offering_id=offering_id)
        return offering


def offering_approval_hold_set(*, offering_id: int, hold: bool) -> None:
    Offering.objects.filter(pk=offering_id).exclude(approval_hold=hold).update(approval_hold=hold)


# Offerings: capacity. Subscriptions hold part of an offering's capacity; these conditional updates are the only
# writes to the counters, so that no interleaving of requests can take an offering past its maximum or its cap.


def offering_capacity_reserve(
    *, offering_id: int, amount: Decimal, new_investor: bool, investor_cap: int | None, now: dt.datetime
) -> bool:
    """One statement decides: the offering takes money now (live, not on hold, inside its window, as
    `investors.subscriptions.eligibility.offering_closed_reason` reads it) and has room for `amount` (and for one more
    investor when `new_investor`). `investor_cap` None: the regime sets no limit on the number of investors."""
    fits = Q(
        pk=offering_id,
        status=OfferingStatus.LIVE,
        risk_hold=False,
        opens_at__lte=now,
        closes_at__gt=now,
        reserved_amount__lte=F("max_amount") - amount,
    )
    if new_investor and investor_cap is not None:
        fits &= Q(investor_count__lt=investor_cap)
    reserved = (
        Offering.objects.filter(fits).update(
            reserved_amount=F("reserved_amount") + amount, investor_count=F("investor_count") + int(new_investor)
        )
        == 1
    )
    if reserved:
        page_cache.offering_pages_changed(offering_id=offering_id)
    return reserved


def offering_capacity_release(*, offering_id: int, amount: Decimal, investor_left: bool) -> None:
    Offering.objects.filter(pk=offering_id).update(
        reserved_amount=F("reserved_amount") - amount, investor_count=F("investor_count") - int(investor_left)
    )
    page_cache.offering_pages_changed(offering_id=offering_id)


def offering_raised_add(*, offering_id: int, amount: Decimal) -> None:
    """`amount` is signed: a payment adds to the money raised, a cancellation or refund takes it away."""
    Offering.objects.filter(pk=offering_id).update(raised_amount=F("raised_amount") + amount)
    page_cache.offering_pages_changed(offering_id=offering_id)


def offering_raised_add_while_taking_money(*, offering_id: int, amount: Decimal, ended: Iterable[str]) -> bool:
    """A payment's money, added only if the offering has not `ended` meanwhile (checked by the update itself, after
    any transaction ending it has committed). False: it had ended, and nothing was added."""
    raised = F("raised_amount") + amount
    added = Offering.objects.filter(pk=offering_id).exclude(status__in=ended).update(raised_amount=raised) == 1
    if added:
        page_cache.offering_pages_changed(offering_id=offering_id)
    return added
