"""An account holds one currency: CNY and USD are never added together."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from ledger.models import Account, AccountKind, Entry, Line
from ledger.selectors import (
    balance,
    balances,
    total_of_all_accounts,
    totals_by_currency,
)
from ledger.services import CurrencyMismatch, account_code, entry_post

pytestmark = pytest.mark.django_db

ISSUER = 7


def release(key: str, amount: str, currency: str) -> None:
    entry_post(
        key=key,
        description="release",
        currency=currency,
        lines=[
            (AccountKind.OFFERING_ESCROW, 1, -Decimal(amount)),
            (AccountKind.ISSUER_PAYABLE, ISSUER, Decimal(amount)),
        ],
    )


def test_postings_in_two_currencies_go_to_two_accounts_and_balances_are_per_currency():
    release("cny", "1000.00", "CNY")
    release("usd", "150.00", "USD")

    assert not Line.objects.exclude(account__currency=F("entry__currency")).exists()
    assert sorted(Account.objects.filter(kind=AccountKind.ISSUER_PAYABLE).values_list("currency", flat=True)) == [
        "CNY",
        "USD",
    ]
    assert balances(AccountKind.ISSUER_PAYABLE, ISSUER) == {"CNY": Decimal("1000.00"), "USD": Decimal("150.00")}
    assert balance(AccountKind.ISSUER_PAYABLE, ISSUER, currency="USD") == Decimal("150.00")
    assert totals_by_currency() == {"CNY": 0, "USD": 0}


def test_a_balance_without_a_currency_is_refused_when_the_owner_holds_two():
    release("cny", "1000.00", "CNY")
    release("usd", "150.00", "USD")

    with pytest.raises(ValueError, match="name the currency"):
        balance(AccountKind.ISSUER_PAYABLE, ISSUER)


def test_an_excess_in_one_currency_never_hides_a_shortfall_in_another():
    release("cny", "1000.00", "CNY")
    release("usd", "150.00", "USD")
    Line.objects.filter(entry__key="cny", amount__gt=0).update(amount=Decimal("1100.00"))
    Line.objects.filter(entry__key="usd", amount__gt=0).update(amount=Decimal("50.00"))

    assert total_of_all_accounts() == Decimal("200.00")


def test_a_posting_in_another_currency_than_its_account_is_refused_and_nothing_is_written():
    # An account whose currency was fixed before (as the migration leaves one it could not split).
    Account.objects.create(
        code=account_code(AccountKind.ISSUER_PAYABLE, ISSUER, "USD"),
        kind=AccountKind.ISSUER_PAYABLE,
        owner_id=ISSUER,
        currency="CNY",
    )

    with pytest.raises(CurrencyMismatch):
        release("usd", "150.00", "USD")

    assert not Entry.objects.exists() and not Line.objects.exists()
