"""Reads of the ledger. Every balance and total is per currency: amounts in two currencies are never added."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from ledger.models import Line


def balances(kind: str, owner_id: int | None = None) -> dict[str, Decimal]:
    """The balance of each of an owner's accounts of this kind, by currency."""
    rows = (
        Line.objects.filter(account__kind=kind, account__owner_id=owner_id)
        .values("account__currency")
        .annotate(total=Sum("amount"))
    )
    return {row["account__currency"]: row["total"] for row in rows}


def balance(kind: str, owner_id: int | None = None, *, currency: str | None = None) -> Decimal:
    """The balance of one account. Without `currency`, the owner must hold this kind in one currency at most."""
    by_currency = balances(kind, owner_id)
    if currency is not None:
        return by_currency.get(currency.upper(), Decimal("0.00"))
    if len(by_currency) > 1:
        raise ValueError(f"{kind} of {owner_id} is held in {sorted(by_currency)}: name the currency")
    return next(iter(by_currency.values()), Decimal("0.00"))


def totals_by_currency() -> dict[str, Decimal]:
    """The sum of every line, per currency: each is zero in a balanced ledger."""
    rows = Line.objects.values("account__currency").annotate(total=Sum("amount"))
    return {row["account__currency"]: row["total"] for row in rows}


def total_of_all_accounts() -> Decimal:
    """How far the ledger is from balanced: the sum of each currency's total, in absolute value, so that an excess
    in one currency can never hide a shortfall in another. Zero when the books balance."""
    return sum((abs(total) for total in totals_by_currency().values()), Decimal("0.00"))


def entry_amounts(*, key_prefix: str, kind: str) -> dict[str, tuple[Decimal, str]]:
    """For each entry whose key starts with `key_prefix`: what it posted to accounts of `kind`, and the currency."""
    rows = (
        Line.objects.filter(entry__key__startswith=key_prefix, account__kind=kind)
        .values("entry__key", "account__currency")
        .annotate(total=Sum("amount"))
    )
    return {row["entry__key"]: (row["total"], row["account__currency"]) for row in rows}
