"""Checks of the values issuers type in, shared by every service that accepts them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as uscc_checker

from crowdfund.errors import ValidationFailed

CENT = Decimal("0.01")
# Money columns hold 16 digits, two of them decimals.
MAX_INTEGER_DIGITS = 14


class Errors:
    """Collects field errors so that one answer lists every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.fields[field].append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(dict(self.fields))


def parse_money(value: Any, field: str, errors: Errors, *, positive: bool = True) -> Decimal | None:
    """A Decimal with at most two decimals (strings accepted; floats refused, they are not exact)."""
    if value is None or value == "":
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, float):
        errors.add(field, _("Give money as a decimal string, not a float."))
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, _("Enter an amount such as 1000000.00."))
        return None
    if not amount.is_finite():
        errors.add(field, _("Enter an amount such as 1000000.00."))
        return None
    if amount.adjusted() >= MAX_INTEGER_DIGITS:
        errors.add(field, _("The amount is too large."))
        return None
    if amount != amount.quantize(CENT):
        errors.add(field, _("Use at most two decimal places."))
        return None
    if positive and amount <= 0:
        errors.add(field, _("The amount must be greater than zero."))
        return None
    return amount.quantize(CENT)


def normalize_uscc(value: str, errors: Errors) -> str | None:
    try:
        return uscc_checker.validate(value or "")
    except stdnum_errors.InvalidChecksum:
        errors.add("uscc", _("The check digit of this unified social credit code is wrong."))
    except stdnum_errors.InvalidLength:
        errors.add("uscc", _("A unified social credit code has 18 characters."))
    except stdnum_errors.ValidationError:
        errors.add("uscc", _("This is not a valid unified social credit code."))
    return None
