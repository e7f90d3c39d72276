"""Every read of investors' KYC, suitability and qualification."""

from __future__ import annotations

from django.db.models import QuerySet

from investors.models import Holding, KycProfile, Subscription, SuitabilityAssessment

NOT_SUBMITTED = "not_submitted"


def kyc_of(user) -> KycProfile | None:
    return KycProfile.objects.filter(user=user).first()


def latest_suitability(user) -> SuitabilityAssessment | None:
    return SuitabilityAssessment.objects.filter(user=user).order_by("-taken_at", "-id").first()


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
    subscriptions = Subscription.objects.select_related("offering", "refund_record")
    return subscriptions.all() if user.is_staff else subscriptions.filter(investor=user)


def subscriptions_of(user) -> QuerySet[Subscription]:
    return Subscription.objects.filter(investor=user).select_related("offering", "refund_record")


def holdings_of(user) -> QuerySet[Holding]:
    return Holding.objects.filter(investor=user).select_related("offering")
