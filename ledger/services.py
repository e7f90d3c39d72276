"""Posting to the ledger. Callers run these inside their own transaction, beside the state change they record."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from ledger.models import Account, AccountKind, Entry, Line


class CurrencyMismatch(ValueError):
    """A posting in a currency other than its account's: an account holds one currency."""


def account_code(kind: str, owner_id: int | None, currency: str) -> str:
    """One account per kind, owner and currency: `offering_escrow:12:CNY`, `platform_fees:USD`."""
    return ":".join(str(part) for part in (kind, owner_id, currency.upper()) if part is not None)


def _account(kind: str, owner_id: int | None, currency: str) -> Account:
    account, _created = Account.objects.get_or_create(
        code=account_code(kind, owner_id, currency),
        defaults={"kind": kind, "owner_id": owner_id, "currency": currency.upper()},
    )
    if account.currency != currency.upper():
        raise CurrencyMismatch(f"Account {account.code} holds {account.currency}; refused a posting in {currency}.")
    return account


def entry_post(*, key: str, description: str, currency: str, lines: list[tuple[str, int | None, Decimal]]) -> Entry:
    """Post one balanced entry of `(account kind, owner id, signed amount)` lines in one currency, exactly once per
    key. Each line goes to the owner's account in that currency.

    Posting a key that already exists returns the existing entry: a retried settlement step never moves money
    twice."""
    if sum(amount for _kind, _owner, amount in lines) != 0:
        raise ValueError(f"Unbalanced ledger entry {key}: {lines}")
    if any(kind not in AccountKind.values for kind, _owner, _amount in lines):
        raise ValueError(f"Unknown account kind in entry {key}")
    existing = Entry.objects.filter(key=key).first()
    if existing is not None:
        return existing
    accounts = [(_account(kind, owner, currency), amount) for kind, owner, amount in lines if amount]
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                key=key, description=description, posted_at=timezone.now(), currency=currency.upper()
            )
            Line.objects.bulk_create(Line(entry=entry, account=account, amount=amount) for account, amount in accounts)
    except IntegrityError:
        return Entry.objects.get(key=key)
    return entry
