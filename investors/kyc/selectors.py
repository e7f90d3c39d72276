"""Every read of investors' KYC, suitability, qualification and signed risk statements."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery

from investors.models import KycProfile, RiskAcknowledgement, SuitabilityAssessment
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


@dataclass(frozen=True)
class SubscriberStanding:
    """What subscribing checks about the investor before anything is locked, read at once."""

    kyc: KycProfile
    risk_level: str | None  # of the latest suitability assessment; None when never assessed
    signed_risk_statement: bool  # under the regime's current version


def subscriber_standing(user, regime) -> SubscriberStanding | None:
    """The investor's KYC profile, latest risk level and signature under `regime`'s risk statement, in one query;
    None without a KYC profile. The subscribe path reads this rather than `kyc_of`, `latest_suitability` and
    `risk_acknowledgement_of` one after the other: a flash crowd pays for every statement."""
    latest = SuitabilityAssessment.objects.filter(user=OuterRef("user")).order_by("-taken_at", "-id")
    signature = RiskAcknowledgement.objects.filter(
        investor=OuterRef("user"), regime=regime.code, version=regime.risk_statement.version
    )
    row = (
        KycProfile.objects.filter(user=user)
        .annotate(latest_risk_level=Subquery(latest.values("risk_level")[:1]), signed=Exists(signature))
        .first()
    )
    if row is None:
        return None
    return SubscriberStanding(kyc=row, risk_level=row.latest_risk_level, signed_risk_statement=row.signed)


def investor_summary(user) -> dict:
    """What `GET me/` and the profile page show about an investor's standing."""
    kyc = kyc_of(user)
    suitability = latest_suitability(user)
    return {
        "kyc_status": kyc.status if kyc else NOT_SUBMITTED,
        "qualified": bool(kyc and kyc.qualified),
        "risk_level": suitability.risk_level if suitability else None,
    }
