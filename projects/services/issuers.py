"""Registering a company, who may act for it, staff's corrections to its record, and the platform group's registry
of the companies it holds a stake in. Every change that can alter the risk review's view of a company announces
`issuer_changed`, so the review looks again at once rather than at the hourly sweep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kernel import events
from kernel.errors import FieldErrors, PermissionRefused
from kernel.money import parse_money
from kernel.permissions import (
    ADD_PORTFOLIO_COMPANY,
    CHANGE_ISSUER,
    CHANGE_PORTFOLIO_COMPANY,
    DELETE_PORTFOLIO_COMPANY,
    ensure_permission,
)
from projects import regime_checks
from projects.models import Issuer, PortfolioCompany
from projects.regimes import current_regime
from projects.validation import (
    add_validator_errors,
    check_free_text,
    check_single_line,
    normalize_uscc,
    validate_founded_on,
)


def ensure_manages_issuer(user, issuer: Issuer) -> None:
    """Only the company's own account acts as the issuer; staff decide on what it files, never file for it."""
    if issuer.owner_id != user.pk:
        raise PermissionRefused(_("You do not manage this company."))


def issuer_create(
    *,
    owner,
    legal_name: str,
    uscc: str,
    industry: str,
    founded_on: dt.date,
    description: str,
    website: str = "",
    related_to_platform: bool = False,
    platform_stake_pct: Decimal | str = Decimal("0"),
    related_party_note: str = "",
) -> Issuer:
    if not owner.is_issuer:
        raise PermissionRefused(_("Only issuer accounts can register a company."))
    errors = FieldErrors()
    for field, value in (("legal_name", legal_name), ("industry", industry), ("description", description)):
        if not (value or "").strip():
            errors.add(field, _("This field is required."))
    check_single_line(legal_name, "legal_name", errors, max_length=Issuer._meta.get_field("legal_name").max_length)
    check_single_line(industry, "industry", errors, max_length=Issuer._meta.get_field("industry").max_length)
    check_free_text(description, "description", errors)
    check_free_text(related_party_note, "related_party_note", errors)
    code = normalize_uscc(uscc, errors)
    if code and Issuer.objects.filter(uscc=code).exists():
        errors.add("uscc", _("A company with this credit code is already registered."))
    regime_checks.check_not_platform_own_entity(uscc=code, regime=current_regime(), errors=errors)
    if founded_on is None:
        errors.add("founded_on", _("This field is required."))
    else:
        add_validator_errors(founded_on, "founded_on", errors, [validate_founded_on])
    stake = parse_money(platform_stake_pct, "platform_stake_pct", errors, positive=False)
    if stake is not None and not Decimal("0") <= stake <= Decimal("100"):
        errors.add("platform_stake_pct", _("A stake is a percentage from 0 to 100."))
    if stake and stake > 0 and not related_to_platform and not (related_party_note or "").strip():
        errors.add("related_party_note", _("Describe the platform group's stake in this company."))
    errors.raise_if_any()
    assert code is not None and stake is not None  # each was refused above when missing or malformed
    return Issuer.objects.create(
        owner=owner,
        legal_name=legal_name.strip(),
        uscc=code,
        industry=industry.strip(),
        founded_on=founded_on,
        description=description.strip(),
        website=website or "",
        related_to_platform=bool(related_to_platform),
        platform_stake_pct=stake,
        related_party_note=(related_party_note or "").strip(),
    )


def issuer_edit_by_staff(*, issuer: Issuer, by) -> Issuer:
    """Save staff's correction of a company's record (the admin form checked each field; the credit code and the
    owner do not change). The history keeps who changed what."""
    ensure_permission(by, CHANGE_ISSUER)
    issuer._history_user = by  # the history row names who changed it, from a request or not
    with transaction.atomic():
        issuer.save()
        events.announce("issuer_changed", issuer_id=issuer.pk)
    return issuer


def _announce_issuers_with_uscc(*codes: str) -> None:
    for issuer_id in Issuer.objects.filter(uscc__in=[code for code in codes if code]).values_list("pk", flat=True):
        events.announce("issuer_changed", issuer_id=issuer_id)


def portfolio_company_save(*, entry: PortfolioCompany, by) -> PortfolioCompany:
    """Add or correct an entry of the platform group's registry. A registered company with its credit code is tied to
    the platform from now on, whatever it declares; one whose code the entry no longer carries is untied."""
    ensure_permission(by, CHANGE_PORTFOLIO_COMPANY if entry.pk else ADD_PORTFOLIO_COMPANY)
    entry._history_user = by
    with transaction.atomic():
        previous_uscc = PortfolioCompany.objects.filter(pk=entry.pk).values_list("uscc", flat=True).first()
        entry.save()
        _announce_issuers_with_uscc(entry.uscc, previous_uscc)
    return entry


def portfolio_company_delete(*, entry: PortfolioCompany, by) -> None:
    ensure_permission(by, DELETE_PORTFOLIO_COMPANY)
    entry._history_user = by
    with transaction.atomic():
        uscc = entry.uscc
        entry.delete()
        _announce_issuers_with_uscc(uscc)
