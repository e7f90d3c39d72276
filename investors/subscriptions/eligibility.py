"""Who may subscribe to what, under the offering's own regime. Each refusal carries the contract's code and the
numbers it rests on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from investors.kyc.questionnaire import RISK_LEVELS
from investors.kyc.selectors import kyc_of, subscriber_standing
from investors.models import KycProfile, KycStatus
from kernel.errors import DomainError, ErrorCode, ValidationFailed
from kernel.money import money_text
from projects.models import NOT_YET_OPEN_STATUSES, Offering, OfferingStatus
from projects.regimes import months_before, regime_for


def ensure_investor_may_subscribe(
    *, investor, offering: Offering, amount: Decimal, signing_now: bool = False
) -> KycProfile:
    """The checks about the investor: identity, suitability, qualification and the signed risk statement (unless
    the subscription carries the signature, `signing_now`, already checked). Returns the verified KYC profile."""
    regime = regime_for(offering.regime)
    standing = subscriber_standing(investor, regime)
    if standing is None or standing.kyc.status != KycStatus.VERIFIED:
        raise DomainError(_("Complete identity verification (KYC) before subscribing."), code=ErrorCode.KYC_REQUIRED)
    kyc, risk_level = standing.kyc, standing.risk_level
    minimum = regime.minimum_risk_level
    if risk_level is None or RISK_LEVELS.index(risk_level) < RISK_LEVELS.index(minimum):
        raise DomainError(
            _("Equity crowdfunding needs risk level %(minimum)s or higher; yours is %(level)s.")
            % {"minimum": minimum, "level": risk_level or _("not assessed")},
            code=ErrorCode.SUITABILITY_REQUIRED,
            details={"required_level": minimum, "risk_level": risk_level},
        )
    rule = regime.qualification
    if rule is not None and not kyc.qualified and amount < rule.single_amount:
        raise DomainError(
            _(
                "Only qualified investors may invest less than %(single)s %(currency)s in one offering "
                "(qualified: financial assets of at least %(assets)s or average income of at least %(income)s); "
                "this subscription is %(amount)s %(currency)s."
            )
            % {
                "single": rule.single_amount,
                "currency": regime.currency,
                "assets": rule.financial_assets,
                "income": rule.average_income,
                "amount": amount,
            },
            code=ErrorCode.NOT_QUALIFIED,
            details={
                "rule": "qualified_investor",
                "currency": regime.currency,
                "single_amount": str(rule.single_amount),
                "financial_assets_threshold": str(rule.financial_assets),
                "average_income_threshold": str(rule.average_income),
                "amount": str(amount),
            },
        )
    if not signing_now and not standing.signed_risk_statement:
        raise DomainError(
            _("Before your first subscription, read and sign the risk statement (version %(version)s).")
            % {"version": regime.risk_statement.version},
            code=ErrorCode.RISK_ACKNOWLEDGEMENT_REQUIRED,
            details={"regime": regime.code, "version": regime.risk_statement.version},
        )
    return kyc


def investment_limit_window_start(*, kyc: KycProfile, offering: Offering, now: dt.datetime) -> dt.datetime | None:
    """Since when the investor's subscriptions count against the regime's rolling investment limit; None when no
    limit applies to them (the regime has none, or it leaves accredited investors unlimited)."""
    rule = regime_for(offering.regime).investment_limit
    if rule is None or (rule.accredited_unlimited and kyc.accredited_investor):
        return None
    return months_before(now, rule.window_months)


def ensure_within_investment_limit(
    *, kyc: KycProfile, offering: Offering, amount: Decimal, already: Decimal, since: dt.datetime
) -> None:
    """The regime's rolling limit on what one investor puts into all its offerings, from the investor's verified
    `kyc` and what they `already` invested since the window opened (`investment_limit_window_start`). The caller
    read `already` under the investor's row lock, so that two subscriptions of one investor are counted one after
    the other."""
    regime = regime_for(offering.regime)
    rule = regime.investment_limit
    assert rule is not None  # a window start exists only under a limit
    # Figures given in another currency cannot be compared: they count as nothing, which leaves the floor.
    same_currency = kyc.currency == regime.currency
    income = kyc.annual_income if same_currency else Decimal("0")
    net_worth = (kyc.net_worth or Decimal("0")) if same_currency else Decimal("0")
    limit = rule.amount_for(annual_income=income, net_worth=net_worth)
    if already + amount <= limit:
        return
    raise DomainError(
        _(
            "%(months)s-month limit %(currency)s %(limit)s; already invested %(currency)s %(already)s; "
            "this subscription %(currency)s %(amount)s."
        )
        % {
            "months": rule.window_months,
            "currency": regime.currency,
            "limit": money_text(limit),
            "already": money_text(already),
            "amount": money_text(amount),
        },
        code=ErrorCode.LIMIT_EXCEEDED,
        details={
            "rule": rule.source,
            "currency": regime.currency,
            "limit": str(limit),
            "already_invested": str(already),
            "amount": str(amount),
            "remaining": str(max(limit - already, Decimal("0"))),
            "window_start": since.isoformat(),
            "annual_income": str(income),
            "net_worth": str(net_worth),
        },
    )


class ClosedReason:
    """Why an offering takes no money now, as the offering page tells investors."""

    ON_HOLD = "on_hold"
    NOT_OPEN_YET = "not_open_yet"
    ENDED = "ended"


def offering_closed_reason(offering: Offering) -> str | None:
    """None while the offering takes money (live, not on a risk hold, inside its subscription window), else why not."""
    now = timezone.now()
    if offering.risk_hold or offering.status == OfferingStatus.SUSPENDED:
        return ClosedReason.ON_HOLD
    if offering.status in NOT_YET_OPEN_STATUSES or (offering.status == OfferingStatus.LIVE and now < offering.opens_at):
        return ClosedReason.NOT_OPEN_YET
    if offering.status != OfferingStatus.LIVE or now >= offering.closes_at:
        return ClosedReason.ENDED
    return None


def offering_is_open(offering: Offering) -> bool:
    """The one test of whether an offering takes money."""
    return offering_closed_reason(offering) is None


class SubscribeBlocker:
    """Why the person reading an offering's page cannot subscribe now, beyond the offering's own `ClosedReason`."""

    SOLD_OUT = "sold_out"
    SIGN_IN = "sign_in"
    NOT_AN_INVESTOR = "not_an_investor"
    KYC_REQUIRED = "kyc_required"


def subscribe_blocker(*, user, offering: Offering) -> str | None:
    """The one answer the offering page's call to action and its subscribe panel both give: None when `user` may
    try to subscribe now (the service still checks amount, limits and suitability), else a `ClosedReason` or a
    `SubscribeBlocker`."""
    reason = offering_closed_reason(offering)
    if reason is not None:
        return reason
    if offering.remaining_amount < offering.min_investment:
        return SubscribeBlocker.SOLD_OUT
    if not user.is_authenticated:
        return SubscribeBlocker.SIGN_IN
    if not user.is_investor:
        return SubscribeBlocker.NOT_AN_INVESTOR
    kyc = kyc_of(user)
    if kyc is None or kyc.status != KycStatus.VERIFIED:
        return SubscribeBlocker.KYC_REQUIRED
    return None


def ensure_offering_open(offering: Offering) -> None:
    if not offering_is_open(offering):
        raise DomainError(
            _("This offering is not open for subscriptions (it is %(status)s).")
            % {"status": offering.get_status_display()},
            code=ErrorCode.OFFERING_NOT_OPEN,
            details={"status": offering.status, "risk_hold": offering.risk_hold},
        )


def ensure_amount_fits_terms(*, offering: Offering, amount: Decimal) -> int:
    """The amount against the offering's terms; returns the number of shares it buys."""
    if amount < offering.min_investment:
        raise DomainError(
            _("The minimum investment is %(minimum)s %(currency)s.")
            % {"minimum": offering.min_investment, "currency": offering.currency},
            code=ErrorCode.BELOW_MINIMUM,
            fields={"amount": [_("At least %(minimum)s.") % {"minimum": offering.min_investment}]},
        )
    if amount % offering.price_per_share:
        raise ValidationFailed(
            {"amount": [_("Not a whole number of shares.")]},
            _("The amount must buy a whole number of shares at %(price)s %(currency)s each.")
            % {"price": offering.price_per_share, "currency": offering.currency},
        )
    return int(amount / offering.price_per_share)


def offering_full(offering: Offering, amount: Decimal) -> DomainError:
    remaining = offering.remaining_amount
    return DomainError(
        _("Only %(remaining)s %(currency)s of this offering remain; you asked for %(amount)s.")
        % {"remaining": remaining, "currency": offering.currency, "amount": amount},
        code=ErrorCode.OFFERING_FULL,
        details={"remaining_amount": str(remaining), "currency": offering.currency},
    )


def investor_cap_reached(offering: Offering) -> DomainError:
    cap = regime_for(offering.regime).investor_cap
    return DomainError(
        _("This offering already has the maximum of %(cap)s investors.") % {"cap": cap},
        code=ErrorCode.INVESTOR_CAP_REACHED,
        details={"investor_cap": cap},
    )
