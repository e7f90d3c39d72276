"""Every read of investors' subscriptions and holdings: lists, the cap table, positions, and which announced
commitments paid money backs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Aggregate, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from investors.models import (
    BACKING_STATUSES,
    CAPACITY_STATUSES,
    FUNDED_STATUSES,
    INVESTED_STATUSES,
    Holding,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions.cancellation import cancel_deadline, is_cancellable
from kernel.permissions import VIEW_SUBSCRIPTION, holds_permission
from projects.selectors import readable_offering


def subscriptions_visible_to(user) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.filter(readable_offering("offering__")).select_related("offering")
    subscriptions = subscriptions.prefetch_related("refunds")
    return subscriptions.all() if holds_permission(user, VIEW_SUBSCRIPTION) else subscriptions.filter(investor=user)


def subscriptions_of(user) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.filter(readable_offering("offering__"), investor=user)
    return subscriptions.select_related("offering").prefetch_related("refunds")


@dataclass(frozen=True)
class Commitments:
    """What an investor has already put in, as a new subscription weighs it."""

    invested_in_window: Decimal  # in offerings of the regime since the limit's window opened; 0 without a window
    holds_place_in_offering: bool  # a subscription of theirs already counts against this offering's capacity


def investor_commitments(
    investor, *, offering_id: int, regime_code: str, window_start: dt.datetime | None
) -> Commitments:
    """One query over the investor's subscriptions: what counts against the regime's rolling limit since
    `window_start` (subscriptions paying, paid or settled; none is needed when no limit applies), and whether they
    already count among the offering's investors. The subscription service reads it under the investor's lock."""
    sums: dict[str, Aggregate] = {
        "places": Count("pk", filter=Q(offering_id=offering_id, status__in=CAPACITY_STATUSES))
    }
    if window_start is not None:
        in_window = Q(offering__regime=regime_code, status__in=INVESTED_STATUSES, created_at__gte=window_start)
        sums["invested"] = Sum("amount", filter=in_window)
    totals = Subscription.objects.filter(investor=investor).aggregate(**sums)
    return Commitments(
        invested_in_window=totals.get("invested") or Decimal("0"), holds_place_in_offering=totals["places"] > 0
    )


def holdings_of(user) -> QuerySet[Holding]:
    return Holding.objects.filter(readable_offering("offering__"), investor=user).select_related("offering")


# What the money pages show -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionRow:
    """A subscription as "My subscriptions" lists it, with the deadline and the button the service would honour."""

    subscription: Subscription
    cancel_deadline: dt.datetime
    cancellable: bool


def subscription_rows_of(user, *, now: dt.datetime | None = None) -> list[SubscriptionRow]:
    now = now or timezone.now()
    rows = []
    for subscription in subscriptions_of(user).select_related("offering__issuer"):
        deadline = cancel_deadline(subscription.offering)
        # The same conditions subscription_cancel checks, so the button is only offered when it would succeed.
        cancellable = is_cancellable(subscription, now)
        rows.append(SubscriptionRow(subscription, deadline, cancellable))
    return rows


def position_in(user, offering) -> Decimal:
    """What the investor has paid into an offering and not taken back: the sum of their funded subscriptions."""
    funded = Subscription.objects.filter(investor=user, offering=offering, status__in=FUNDED_STATUSES)
    return funded.aggregate(total=Coalesce(Sum("amount"), Decimal("0")))["total"]


@dataclass(frozen=True)
class CapTableLine:
    username: str
    shares: int
    percent_of_issued: Decimal


def cap_table_of(offering) -> list[CapTableLine]:
    """Who holds the shares an offering issued, one line per investor, largest first."""
    by_investor = (
        Holding.objects.filter(offering=offering)
        .values("investor__username")
        .annotate(shares=Sum("shares"))
        .order_by("-shares", "investor__username")
    )
    issued = sum(line["shares"] for line in by_investor)
    return [
        CapTableLine(
            username=line["investor__username"],
            shares=line["shares"],
            percent_of_issued=(Decimal(line["shares"]) * 100 / issued).quantize(Decimal("0.01")),
        )
        for line in by_investor
    ]


def funded_subscriptions_summary(offering) -> dict:
    """While an offering is live: how many subscriptions are paid into escrow, and for how much."""
    return Subscription.objects.filter(offering=offering, status__in=FUNDED_STATUSES).aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), Decimal("0"))
    )


def subscriptions_awaiting_reconfirmation(user, *, offering=None) -> QuerySet[Subscription]:
    """The investor's subscriptions held until they accept an offering's changed terms, soonest deadline first."""
    if not (user.is_authenticated and user.is_investor):
        return Subscription.objects.none()
    waiting = Subscription.objects.filter(investor=user, status=SubscriptionStatus.RECONFIRMATION_REQUIRED)
    if offering is not None:
        waiting = waiting.filter(offering=offering)
    return waiting.select_related("offering").order_by("reconfirm_deadline", "pk")


@dataclass(frozen=True)
class CommitmentBacking:
    """A public announced commitment and how much of it the named investor's paid subscriptions cover."""

    commitment: object  # projects.models.AnnouncedCommitment
    paid: Decimal
    backed: bool


def commitments_backing(offering) -> list[CommitmentBacking]:
    """The offering's public commitments, each backed once its investor has paid at least what they were announced
    for (all their commitments on the offering together), as the risk review's `commitment_unfunded` counts it; a
    commitment naming no investor account is never backed."""
    commitments = offering.public_commitments
    investor_ids = {commitment.investor_id for commitment in commitments if commitment.investor_id}
    paid_by = (
        dict(
            Subscription.objects.filter(offering=offering, investor_id__in=investor_ids, status__in=BACKING_STATUSES)
            .values("investor_id")
            .annotate(total=Sum("amount"))
            .values_list("investor_id", "total")
        )
        if investor_ids
        else {}
    )
    promised: dict[int, Decimal] = {}
    for commitment in commitments:
        if commitment.investor_id:
            promised[commitment.investor_id] = promised.get(commitment.investor_id, Decimal("0")) + commitment.amount
    backings = []
    for commitment in commitments:
        paid = paid_by.get(commitment.investor_id, Decimal("0")) if commitment.investor_id else Decimal("0")
        backed = bool(commitment.investor_id) and paid >= promised[commitment.investor_id]
        backings.append(CommitmentBacking(commitment, paid, backed))
    return backings
