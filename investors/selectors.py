"""Every read of investors' KYC, suitability and qualification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from investors.cancellation import cancel_deadline, is_cancellable
from investors.models import (
    CAPACITY_STATUSES,
    FUNDED_STATUSES,
    Holding,
    KycProfile,
    RiskAcknowledgement,
    Subscription,
    SubscriptionStatus,
    SuitabilityAssessment,
)

NOT_SUBMITTED = "not_submitted"


def kyc_of(user) -> KycProfile | None:
    return KycProfile.objects.filter(user=user).first()


def latest_suitability(user) -> SuitabilityAssessment | None:
    return SuitabilityAssessment.objects.filter(user=user).order_by("-taken_at", "-id").first()


def risk_acknowledgement_of(user, regime) -> RiskAcknowledgement | None:
    """The investor's signature under the regime's current risk statement, if there is one."""
    return RiskAcknowledgement.objects.filter(
        investor=user, regime=regime.code, version=regime.risk_statement.version
    ).first()


# Subscriptions that count as invested for an investment limit: money taken or being taken, and not given back.
INVESTED_STATUSES = (*CAPACITY_STATUSES, SubscriptionStatus.SETTLED)


def invested_since(user, *, regime_code: str, since: dt.datetime) -> Decimal:
    """What the investor subscribed to offerings of one regime since `since`, counting subscriptions that are paying,
    paid or settled. The subscription service reads it under the investor's row lock."""
    return Subscription.objects.filter(
        investor=user, offering__regime=regime_code, status__in=INVESTED_STATUSES, created_at__gte=since
    ).aggregate(total=Coalesce(Sum("amount"), Decimal("0")))["total"]


def investor_summary(user) -> dict:
    """What `GET me/` and the profile page show about an investor's standing."""
    kyc = kyc_of(user)
    suitability = latest_suitability(user)
    return {
        "kyc_status": kyc.status if kyc else NOT_SUBMITTED,
        "qualified": bool(kyc and kyc.qualified),
        "risk_level": suitability.risk_level if suitability else None,
    }


def subscriptions_visible_to(user) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.select_related("offering").prefetch_related("refunds")
    return subscriptions.all() if user.is_staff else subscriptions.filter(investor=user)


def subscriptions_of(user) -> QuerySet[Subscription]:
    return Subscription.objects.filter(investor=user).select_related("offering").prefetch_related("refunds")


def holdings_of(user) -> QuerySet[Holding]:
    return Holding.objects.filter(investor=user).select_related("offering")


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
