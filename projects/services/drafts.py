"""Creating an offering and editing it while it is a draft."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kernel import events
from kernel.errors import DomainError, ErrorCode, FieldErrors, InvalidTransition
from projects import regime_checks, selectors
from projects.models import Issuer, Offering, OfferingStatus, StatementPeriod
from projects.regimes import current_regime, regime_for
from projects.services.commitments import _clean_commitments, _replace_commitments
from projects.services.issuers import ensure_manages_issuer
from projects.services.terms import TERM_FIELDS, _clean_terms
from projects.services.transitions import _locked, _transition


def ensure_reports_filed(issuer: Issuer) -> None:
    """An issuer that owes an overdue annual report after an earlier raise may not start another one."""
    overdue = selectors.overdue_report_duties(issuer_ids=[issuer.pk], period=StatementPeriod.FY)
    if overdue:
        years = ", ".join(str(duty.fiscal_year) for duty in overdue)
        raise DomainError(
            _(
                "%(issuer)s has not filed its actual full-year statement for %(years)s, which was due within "
                "%(days)s days of the year's end. File it before starting a new offering."
            )
            % {"issuer": issuer.legal_name, "years": years, "days": overdue[0].days_allowed},
            code=ErrorCode.REPORT_OVERDUE,
            details={"fiscal_years": [duty.fiscal_year for duty in overdue]},
        )


def offering_create(
    *, issuer: Issuer, by, announced_commitments: list[dict] | None = None, **raw_terms: Any
) -> Offering:
    ensure_manages_issuer(by, issuer)
    ensure_reports_filed(issuer)
    errors = FieldErrors()
    unknown = set(raw_terms) - set(TERM_FIELDS)
    for field in sorted(unknown):
        errors.add(field, _("Unknown field."))
    terms = _clean_terms(raw_terms, errors)
    commitments = _clean_commitments(announced_commitments, errors, terms["max_amount"])
    regime = current_regime()
    regime_checks.check_not_platform_own_entity(uscc=issuer.uscc, regime=regime, errors=errors, field="issuer")
    regime_checks.check_open_window(terms=terms, regime=regime, errors=errors)
    errors.raise_if_any()
    with transaction.atomic():
        regime_checks.lock_issuer_for_cap(issuer_id=issuer.pk, regime=regime)
        regime_checks.ensure_issuer_cap(issuer=issuer, regime=regime, max_amount=terms["max_amount"])
        offering = Offering.objects.create(issuer=issuer, regime=regime.code, currency=regime.currency, **terms)
        _replace_commitments(offering, commitments)
    return offering


def offering_edit_draft(
    *, offering: Offering, by, announced_commitments: list[dict] | None = None, **raw_terms: Any
) -> Offering:
    """Change a draft's terms (a rejected offering goes back to draft first). Omitted terms keep their value."""
    ensure_manages_issuer(by, offering.issuer)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.status == OfferingStatus.REJECTED:
            _transition(offering, "revise", by=by)
        if offering.status != OfferingStatus.DRAFT:
            raise InvalidTransition(
                _("Only a draft can be edited; this offering is %(status)s.")
                % {"status": offering.get_status_display()}
            )
        errors = FieldErrors()
        for field in sorted(set(raw_terms) - set(TERM_FIELDS)):
            errors.add(field, _("Unknown field."))
        merged = {field: getattr(offering, field) for field in TERM_FIELDS} | raw_terms
        terms = _clean_terms(merged, errors)
        regime_checks.check_open_window(terms=terms, regime=regime_for(offering.regime), errors=errors)
        if announced_commitments is not None:
            commitments = _clean_commitments(announced_commitments, errors, terms["max_amount"])
        else:
            commitments = None
            announced = sum((c.amount for c in offering.commitments.all()), Decimal("0"))
            if terms["max_amount"] is not None and announced > terms["max_amount"]:
                errors.add("announced_commitments", _("Announced commitments exceed the maximum amount."))
        errors.raise_if_any()
        for field, value in terms.items():
            setattr(offering, field, value)
        offering.save()
        if commitments is not None:
            _replace_commitments(offering, commitments)
        events.announce("offering_changed", offering_id=offering.pk)
    return offering
