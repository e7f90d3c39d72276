"""Registering a company, and who may act for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from crowdfund.errors import PermissionRefused
from projects import regime_checks
from projects.models import Issuer
from projects.regimes import current_regime
from projects.validation import (
    Errors,
    add_validator_errors,
    check_free_text,
    check_single_line,
    normalize_uscc,
    parse_money,
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
    errors = Errors()
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
