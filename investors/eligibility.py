"""Who may subscribe to what, under the offering's own regime. Each refusal carries the contract's code and the
numbers it rests on."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from crowdfund.errors import DomainError
from investors.models import KycStatus
from investors.questionnaire import RISK_LEVELS
from investors.selectors import kyc_of, latest_suitability
from projects.models import Offering, OfferingStatus
from projects.regimes import regime_for


def ensure_investor_may_subscribe(*, investor, offering: Offering, amount: Decimal) -> None:
    """The checks about the investor: identity, suitability and qualification."""
    regime = regime_for(offering.regime)
    kyc = kyc_of(investor)
    if kyc is None or kyc.status != KycStatus.VERIFIED:
        raise DomainError(_("Complete identity verification (KYC) before subscribing."), code="kyc_required", status=403)
    assessment = latest_suitability(investor)
    minimum = regime.minimum_risk_level
    if assessment is None or RISK_LEVELS.index(assessment.risk_level) < RISK_LEVELS.index(minimum):
        raise DomainError(
            _("Equity crowdfunding needs risk level %(minimum)s or higher; yours is %(level)s.")
            % {"minimum": minimum, "level": assessment.risk_level if assessment else _("not assessed")},
            code="suitability_required",
            status=403,
            details={"required_level": minimum, "risk_level": assessment.risk_level if assessment else None},
        )
    if not kyc.qualified and amount < regime.qualified_single_amount:
        raise DomainError(
            _(
                "Only qualified investors may invest less than %(single)s %(currency)s in one offering "
                "(qualified: financial assets of at least %(assets)s or average income of at least %(income)s)."
            )
            % {
                "single": regime.qualified_single_amount,
                "currency": regime.currency,
                "assets": regime.qualified_financial_assets,
                "income": regime.qualified_average_income,
            },
            code="not_qualified",
            status=403,
        )


def offering_is_open(offering: Offering) -> bool:
    """Live, not on a risk hold, and inside its subscription window: the one test of whether it takes money."""
    now = timezone.now()
    return offering.status == OfferingStatus.LIVE and not offering.risk_hold and offering.opens_at <= now < offering.closes_at


def ensure_offering_open(offering: Offering) -> None:
    if not offering_is_open(offering):
        raise DomainError(
            _("This offering is not open for subscriptions (it is %(status)s).")
            % {"status": offering.get_status_display()},
            code="offering_not_open",
            details={"status": offering.status, "risk_hold": offering.risk_hold},
        )


def ensure_amount_fits_terms(*, offering: Offering, amount: Decimal) -> int:
    """The amount against the offering's terms; returns the number of shares it buys."""
    if amount < offering.min_investment:
        raise DomainError(
            _("The minimum investment is %(minimum)s %(currency)s.")
            % {"minimum": offering.min_investment, "currency": offering.currency},
            code="below_minimum",
            status=400,
            fields={"amount": [_("At least %(minimum)s.") % {"minimum": offering.min_investment}]},
        )
    if amount % offering.price_per_share:
        raise DomainError(
            _("The amount must buy a whole number of shares at %(price)s %(currency)s each.")
            % {"price": offering.price_per_share, "currency": offering.currency},
            code="validation_error",
            status=400,
            fields={"amount": [_("Not a whole number of shares.")]},
        )
    return int(amount / offering.price_per_share)


def offering_full(offering: Offering, amount: Decimal) -> DomainError:
    remaining = offering.remaining_amount
    return DomainError(
        _("Only %(remaining)s %(currency)s of this offering remain; you asked for %(amount)s.")
        % {"remaining": remaining, "currency": offering.currency, "amount": amount},
        code="offering_full",
        details={"remaining_amount": str(remaining), "currency": offering.currency},
    )


def investor_cap_reached(offering: Offering) -> DomainError:
    cap = regime_for(offering.regime).investor_cap
    return DomainError(
        _("This offering already has the maximum of %(cap)s investors.") % {"cap": cap},
        code="investor_cap_reached",
        details={"investor_cap": cap},
    )
