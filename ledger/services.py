"""Posting to the ledger. Callers run these inside their own transaction, beside the state change they record."""

from __future__ import annotations

from dataclasses import dataclass
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


Lines = list[tuple[str, int | None, Decimal]]


@dataclass(frozen=True)
class Posting:
    """One entry to post: balanced `(account kind, owner id, signed amount)` lines in one currency, once per key."""

    key: str
    description: str
    currency: str
    lines: Lines


def _check(posting: Posting) -> None:
    if sum(amount for _kind, _owner, amount in posting.lines) != 0:
        raise ValueError(f"Unbalanced ledger entry {posting.key}: {posting.lines}")
    if any(kind not in AccountKind.values for kind, _owner, _amount in posting.lines):
        raise ValueError(f"Unknown account kind in entry {posting.key}")


def entry_post(*, key: str, description: str, currency: str, lines: Lines) -> Entry:
    """Post one balanced entry of `(account kind, owner id, signed amount)` lines in one currency, exactly once per
    key. Each line goes to the owner's account in that currency.

    Posting a key that already exists returns the existing entry: a retried settlement step never moves money
    twice."""
    _check(Posting(key, description, currency, lines))
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


def entries_post(postings: list[Posting]) -> None:
    """Post many entries at once (a settlement's thousands), each exactly once per key as `entry_post` does: a few
    statements in all instead of several per entry. Keys posted already are skipped."""
    for posting in postings:
        _check(posting)
    posted = set(Entry.objects.filter(key__in=[p.key for p in postings]).values_list("key", flat=True))
    postings = [posting for posting in postings if posting.key not in posted]
    if not postings:
        return
    wanted = {
        account_code(kind, owner, posting.currency): (kind, owner, posting.currency.upper())
        for posting in postings
        for kind, owner, amount in posting.lines
        if amount
    }
    Account.objects.bulk_create(
        (
            Account(code=code, kind=kind, owner_id=owner, currency=currency)
            for code, (kind, owner, currency) in wanted.items()
        ),
        ignore_conflicts=True,
    )
    accounts = {account.code: account for account in Account.objects.filter(code__in=wanted)}
    for code, (_kind, _owner, currency) in wanted.items():
        if accounts[code].currency != currency:
            raise CurrencyMismatch(f"Account {code} holds {accounts[code].currency}; refused a posting in {currency}.")
    now = timezone.now()
    try:
        with transaction.atomic():
            entries = Entry.objects.bulk_create(
                Entry(key=p.key, description=p.description, posted_at=now, currency=p.currency.upper())
                for p in postings
            )
            Line.objects.bulk_create(
                Line(entry=entry, account=accounts[account_code(kind, owner, posting.currency)], amount=amount)
                for entry, posting in zip(entries, postings, strict=True)
                for kind, owner, amount in posting.lines
                if amount
            )
    except IntegrityError:
        # Another process posted some of these keys meanwhile: post one by one, each once.
        for posting in postings:
            entry_post(key=posting.key, description=posting.description, currency=posting.currency, lines=posting.lines)
