"""Money: Decimal amounts with their currency stated beside them, written once for every app.

Amounts carry two decimals (the money columns hold 16 digits, two of them decimals); the payment provider counts
whole minor units (fen, cents); messages show amounts with thousands separators.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kernel.errors import FieldErrors

CENT = Decimal("0.01")
# Money columns hold 16 digits, two of them decimals.
MAX_INTEGER_DIGITS = 14
# Decimal places of each currency's minor unit, as the payment provider counts it.
MINOR_UNIT_PLACES = {"CNY": 2, "USD": 2}


def to_cents(amount: Decimal, *, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`amount` rounded to whole cents (fen); each caller states how a part of a cent goes when it matters."""
    return amount.quantize(CENT, rounding=rounding)


def money_text(amount: Decimal) -> str:
    """An amount for a message: thousands separated, two decimals (`1,234,567.80`); the currency is said beside it."""
    return f"{amount:,.2f}"


def parse_money(value: Any, field: str, errors: FieldErrors, *, positive: bool = True) -> Decimal | None:
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
    if amount != to_cents(amount):
        errors.add(field, _("Use at most two decimal places."))
        return None
    if positive and amount <= 0:
        errors.add(field, _("The amount must be greater than zero."))
        return None
    return to_cents(amount)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """A positive amount as the whole number of minor units the payment provider takes; anything else is a bug."""
    minor_units = amount.scaleb(_minor_unit_places(currency))
    if not minor_units.is_finite() or minor_units != minor_units.to_integral_value() or minor_units <= 0:
        raise ValueError(f"{amount} {currency} is not a positive amount in whole minor units")
    return int(minor_units)


def from_minor_units(minor_units: int, currency: str) -> Decimal:
    return Decimal(minor_units).scaleb(-_minor_unit_places(currency))


def _minor_unit_places(currency: str) -> int:
    try:
        return MINOR_UNIT_PLACES[currency.upper()]
    except KeyError:
        raise ValueError(f"unsupported currency {currency!r}; known: {', '.join(MINOR_UNIT_PLACES)}") from None
