"""An offering's terms and how a complete set of them is checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import FieldErrors
from kernel.money import parse_money
from projects.models import Offering, Security
from projects.validation import check_free_text, check_offering_window, check_single_line

TERM_FIELDS = (
    "title",
    "summary",
    "security",
    "price_per_share",
    "pre_money_valuation",
    "target_amount",
    "max_amount",
    "min_investment",
    "opens_at",
    "closes_at",
    "use_of_funds",
    "risk_factors",
)
MONEY_TERMS = ("price_per_share", "pre_money_valuation", "target_amount", "max_amount", "min_investment")
# Terms an issuer may change on a running offering by posting an update.
UPDATABLE_TERMS = ("summary", "risk_factors", "security", "price_per_share", "use_of_funds", "closes_at")
# Changing one of these after money is in escrow is a material change, whatever the issuer marked.
MATERIAL_TERMS = ("security", "price_per_share", "use_of_funds")
# The longest use-of-funds category, as the API and the web form take it.
USE_OF_FUNDS_CATEGORY_LENGTH = 100


def _clean_use_of_funds(raw: Any, errors: FieldErrors) -> list[dict[str, str]] | None:
    if not isinstance(raw, list) or not raw:
        errors.add("use_of_funds", _("List at least one use of the funds."))
        return None
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.add(f"use_of_funds.{index}", _("Each use needs a category and an amount."))
            continue
        category = str(item.get("category") or "").strip()
        if not category:
            errors.add(f"use_of_funds.{index}.category", _("This field is required."))
        check_single_line(category, f"use_of_funds.{index}.category", errors, max_length=USE_OF_FUNDS_CATEGORY_LENGTH)
        amount = parse_money(item.get("amount"), f"use_of_funds.{index}.amount", errors)
        if category and amount is not None:
            cleaned.append({"category": category, "amount": str(amount)})
    return cleaned if len(cleaned) == len(raw) else None


def _clean_terms(raw: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """Check a complete set of offering terms, each on its own and against the others."""
    terms: dict[str, Any] = {}
    for field in ("title", "summary", "risk_factors"):
        value = str(raw.get(field) or "").strip()
        if not value:
            errors.add(field, _("This field is required."))
        terms[field] = value
    check_single_line(terms["title"], "title", errors, max_length=Offering._meta.get_field("title").max_length)
    check_free_text(terms["summary"], "summary", errors)
    check_free_text(terms["risk_factors"], "risk_factors", errors)
    if raw.get("security") not in Security.values:
        errors.add("security", _("Choose new_shares or existing_shares."))
    terms["security"] = raw.get("security")
    for field in MONEY_TERMS:
        terms[field] = parse_money(raw.get(field), field, errors)
    for field in ("opens_at", "closes_at"):
        moment = raw.get(field)
        if not isinstance(moment, dt.datetime) or timezone.is_naive(moment):
            errors.add(field, _("Enter a date and time with its time zone."))
            moment = None
        terms[field] = moment
    check_offering_window(terms, errors, now=timezone.now())
    terms["use_of_funds"] = _clean_use_of_funds(raw.get("use_of_funds"), errors)

    price, target, maximum, minimum = (
        terms[f] for f in ("price_per_share", "target_amount", "max_amount", "min_investment")
    )
    if target is not None and maximum is not None and maximum < target:
        errors.add("max_amount", _("The maximum must be at least the target."))
    if target is not None and minimum is not None and target < minimum:
        errors.add("min_investment", _("The minimum investment cannot exceed the target."))
    if terms["opens_at"] and terms["closes_at"] and terms["closes_at"] <= terms["opens_at"]:
        errors.add("closes_at", _("The offering must close after it opens."))
    if terms["closes_at"] and terms["closes_at"] <= timezone.now():
        errors.add("closes_at", _("The closing time has already passed."))
    if terms["use_of_funds"] is not None and target is not None:
        total = sum(Decimal(item["amount"]) for item in terms["use_of_funds"])
        if total != target:
            errors.add(
                "use_of_funds",
                _("The uses of funds add up to %(total)s but the target is %(target)s.")
                % {"total": total, "target": target},
            )
    return terms
