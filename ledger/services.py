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


def _accounts(wanted: dict[str, tuple[str, int | None, str]]) -> dict[str, Account]:
    """The accounts of `wanted` ({code: (kind, owner id, currency)}) by code: one query when they all exist, as they
    do after an owner's first posting; the missing ones are created first."""
    accounts = {account.code: account for account in Account.objects.filter(code__in=wanted)}
    if len(accounts) < len(wanted):
        Account.objects.bulk_create(
            (
                Account(code=code, kind=kind, owner_id=owner, currency=currency)
                for code, (kind, owner, currency) in wanted.items()
                if code not in accounts
            ),
            ignore_conflicts=True,
        )
        accounts = {account.code: account for account in Account.objects.filter(code__in=wanted)}
    for code, (_kind, _owner, currency) in wanted.items():
        if accounts[code].currency != currency:
            raise CurrencyMismatch(f"Account {code} holds {accounts[code].currency}; refused a posting in {currency}.")
    return accounts


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
    posting = Posting(key, description, currency, lines)
    _check(posting)
    accounts = _accounts(_wanted_accounts([posting]))
    # The key's unique constraint tells a repeat: no read of the entry first, which a payment would pay for.
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                key=key, description=description, posted_at=timezone.now(), currency=currency.upper()
            )
            Line.objects.bulk_create(
                Line(entry=entry, account=accounts[account_code(kind, owner, currency)], amount=amount)
                for kind, owner, amount in lines
                if amount
            )
    except IntegrityError:
        return Entry.objects.get(key=key)
    return entry


def _wanted_accounts(postings: list[Posting]) -> dict[str, tuple[str, int | None, str]]:
    return {
        account_code(kind, owner, posting.currency): (kind, owner, posting.currency.upper())
        for posting in postings
        for kind, owner, amount in posting.lines
        if amount
    }


def entries_post(postings: list[Posting]) -> None:
    """Post many entries at once (a settlement's thousands), each exactly once per key as `entry_post` does: a few
    statements in all instead of several per entry. Keys posted already are skipped."""
    for posting in postings:
        _check(posting)
    posted = set(Entry.objects.filter(key__in=[p.key for p in postings]).values_list("key", flat=True))
    postings = [posting for posting in postings if posting.key not in posted]
    if not postings:
        return
    accounts = _accounts(_wanted_accounts(postings))
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
