"""Every read of investors' KYC, suitability and qualification, and what each has invested against their limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from investors.models import (
    INVESTED_STATUSES,
    KycProfile,
    RiskAcknowledgement,
    Subscription,
    SuitabilityAssessment,
)
from kernel.permissions import VIEW_IDENTITY_NUMBER, holds_permission

NOT_SUBMITTED = "not_submitted"


def kyc_of(user) -> KycProfile | None:
    return KycProfile.objects.filter(user=user).first()


def identity_visible_to(viewer, kyc: KycProfile) -> bool:
    """The investor and staff holding the identity permission see the full birth date; others see its year only,
    which together with the masked number leaves too many candidates to name the person."""
    return viewer.pk == kyc.user_id or holds_permission(viewer, VIEW_IDENTITY_NUMBER)


def latest_suitability(user) -> SuitabilityAssessment | None:
    return SuitabilityAssessment.objects.filter(user=user).order_by("-taken_at", "-id").first()


def risk_acknowledgement_of(user, regime) -> RiskAcknowledgement | None:
    """The investor's signature under the regime's current risk statement, if there is one."""
    return RiskAcknowledgement.objects.filter(
        investor=user, regime=regime.code, version=regime.risk_statement.version
    ).first()


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
