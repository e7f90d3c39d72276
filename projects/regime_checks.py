"""The checks that hold issuers and offering terms to a regime (projects/regimes.py holds the numbers).

Each check reads one rule of the regime it is given and does nothing when the regime lacks that rule. The services
in the projects/services/ package call them; nothing else decides these rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.dates import business_days_after
from kernel.errors import DomainError, ErrorCode, FieldErrors, ValidationFailed
from kernel.money import money_text
from projects.models import COUNTS_AGAINST_ISSUER_CAP_STATUSES, Issuer, Offering, OfferingStatus
from projects.regimes import Regime, months_before


def is_platform_own_entity(uscc: str | None) -> bool:
    return bool(uscc and uscc.upper() in settings.PLATFORM_OWN_ENTITY_USCCS)


def check_not_platform_own_entity(
    *, uscc: str | None, regime: Regime, errors: FieldErrors, field: str = "uscc"
) -> None:
    """The platform may not raise money for itself on its own platform."""
    if regime.refuse_platform_own_issuer and is_platform_own_entity(uscc):
        errors.add(
            field,
            _("This company is the platform's own entity; the platform may not raise money for itself (%(regime)s).")
            % {"regime": regime.name},
        )


def check_open_window(*, terms: dict[str, Any], regime: Regime, errors: FieldErrors, field: str = "closes_at") -> None:
    """An offering stays open at least the regime's minimum number of days."""
    opens_at, closes_at = terms.get("opens_at"), terms.get("closes_at")
    if regime.min_open_days is None or not (opens_at and closes_at) or closes_at <= opens_at:
        return
    shortest = opens_at + dt.timedelta(days=regime.min_open_days)
    if closes_at < shortest:
        errors.add(
            field,
            _("An offering must be open at least %(days)s days: close it at %(earliest)s or later.")
            % {"days": regime.min_open_days, "earliest": timezone.localtime(shortest).isoformat()},
        )


def issuer_raised_or_open(*, issuer: Issuer, regime: Regime, now: dt.datetime, excluding: int | None = None) -> Decimal:
    """What the issuer raised under the regime in its cap's window, plus what its open offerings may still raise."""
    assert regime.issuer_cap is not None  # asked only under a regime that caps issuers
    since = months_before(now, regime.issuer_cap.window_months)
    # With nothing to exclude, `pk=None` excludes nothing.
    offerings = Offering.objects.filter(issuer=issuer, regime=regime.code).exclude(pk=excluding)  # type: ignore[misc]

    def total(queryset, field: str) -> Decimal:
        return queryset.aggregate(total=Coalesce(Sum(field), Decimal("0")))["total"]

    return (
        total(offerings.filter(status__in=COUNTS_AGAINST_ISSUER_CAP_STATUSES), "max_amount")
        + total(offerings.filter(status=OfferingStatus.CLOSING), "reserved_amount")
        + total(offerings.filter(status=OfferingStatus.CLOSED, closes_at__gte=since), "raised_amount")
    )


def lock_issuer_for_cap(*, issuer_id: int, regime: Regime) -> None:
    """Under a regime with an issuer cap, lock the issuer's row so that two offerings of one issuer are counted one
    after the other. Take it before any offering row of the issuer (the order the risk review also uses)."""
    if regime.issuer_cap is not None:
        Issuer.objects.select_for_update(no_key=True).get(pk=issuer_id)


def ensure_issuer_cap(*, issuer: Issuer, regime: Regime, max_amount: Decimal, excluding: int | None = None) -> None:
    """An issuer raises at most the regime's cap in its window. The caller holds `lock_issuer_for_cap`."""
    cap = regime.issuer_cap
    if cap is None:
        return
    now = timezone.now()
    already = issuer_raised_or_open(issuer=issuer, regime=regime, now=now, excluding=excluding)
    if already + max_amount <= cap.amount:
        return
    refusal = ValidationFailed(
        {
            "max_amount": [
                _(
                    "%(months)s-month issuer limit %(currency)s %(cap)s; already raised or open %(currency)s "
                    "%(already)s; this offering's maximum %(currency)s %(amount)s."
                )
                % {
                    "months": cap.window_months,
                    "currency": regime.currency,
                    "cap": money_text(cap.amount),
                    "already": money_text(already),
                    "amount": money_text(max_amount),
                }
            ]
        }
    )
    refusal.details = {
        "rule": cap.source,
        "currency": regime.currency,
        "limit": str(cap.amount),
        "already_raised_or_open": str(already),
        "amount": str(max_amount),
        "window_start": months_before(now, cap.window_months).isoformat(),
    }
    raise refusal


def earliest_early_deadline(*, regime: Regime, now: dt.datetime) -> dt.datetime:
    return business_days_after(now, regime.early_close.notice_business_days)


def early_close_problems(
    *, offering: Offering, regime: Regime, new_deadline: dt.datetime, now: dt.datetime
) -> list[str]:
    """Why the regime does not let this offering's deadline move to `new_deadline` (earlier than its current one)
    now; empty when it may."""
    rule = regime.early_close
    if new_deadline >= offering.closes_at:
        return []
    problems = []
    if offering.raised_amount < offering.target_amount:
        problems.append(
            _(
                "It may close early only once its target is met: target %(currency)s %(target)s, raised %(currency)s "
                "%(raised)s."
            )
            % {
                "currency": offering.currency,
                "target": money_text(offering.target_amount),
                "raised": money_text(offering.raised_amount),
            }
        )
    open_since = offering.opens_at + dt.timedelta(days=rule.min_open_days)
    if now < open_since:
        problems.append(
            _("It may close early only after %(days)s days open, that is from %(when)s.")
            % {"days": rule.min_open_days, "when": timezone.localtime(open_since).isoformat()}
        )
    earliest = earliest_early_deadline(regime=regime, now=now)
    if new_deadline < earliest:
        problems.append(
            _(
                "Investors must be told %(days)s business days ahead: the new deadline can be %(earliest)s at the "
                "earliest."
            )
            % {"days": rule.notice_business_days, "earliest": timezone.localtime(earliest).isoformat()}
        )
    return problems


def early_close_refused(
    *, offering: Offering, regime: Regime, problems: list[str], new_deadline: dt.datetime
) -> DomainError:
    return DomainError(
        " ".join(problems),
        code=ErrorCode.EARLY_CLOSE_NOT_ALLOWED,
        details={
            "rule": regime.early_close.source,
            "currency": offering.currency,
            "target_amount": str(offering.target_amount),
            "raised_amount": str(offering.raised_amount),
            "opens_at": offering.opens_at.isoformat(),
            "min_open_days": regime.early_close.min_open_days,
            "notice_business_days": regime.early_close.notice_business_days,
            "requested_deadline": new_deadline.isoformat(),
        },
    )
