"""`{{ amount|money:currency }}`, the one way a page shows an amount of money, in the active language: "CNY 100,000.00"
in English, "100,000.00 元" in Chinese. A builtin template filter (TEMPLATES' `builtins`), so no page loads it.

Digits come from Django's per-language formats (crowdfund/formats/): two decimals, always grouped in threes. The
global USE_THOUSAND_SEPARATOR stays off, because it would also group every other number a template prints: years
("2,026") and ids in links."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext, pgettext_lazy

from kernel.money import to_cents

register = template.Library()

# How a currency is named beside an amount; a currency not listed is named by its ISO code.
CURRENCY_NAMES = {"CNY": pgettext_lazy("currency beside an amount", "CNY")}


def money_display(amount: Decimal | int | None, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    # Rounded to the cent first: Django's number_format cuts further digits off rather than rounding them.
    digits = number_format(to_cents(Decimal(amount)), decimal_pos=2, force_grouping=True)
    name = str(CURRENCY_NAMES.get(currency, currency))
    # Translators: where the currency stands beside the amount; Chinese writes "100,000.00 元".
    return pgettext("money", "%(currency)s %(amount)s") % {"currency": name, "amount": digits}


@register.filter
def money(amount, currency: str) -> str:
    return money_display(amount, currency)
