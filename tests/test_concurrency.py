"""Many investors at once on one offering: capacity and the investor cap hold under real PostgreSQL concurrency."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from kernel.errors import DomainError
from investors.subscriptions import services as subscriptions
from investors.models import Payment, Subscription, SubscriptionStatus
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects import regimes
from tests.test_money_flow import eligible_investor, live_offering

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]

CLIENTS = 50


def race(orders, amount: str) -> list:
    """Each (investor, offering) order is placed at the same moment, each on its own connection; returns answers or
    refusals in the same order."""
    start = threading.Barrier(len(orders))

    def attempt(numbered_order):
        index, (investor, offering) = numbered_order
        try:
            start.wait()
            return subscriptions.subscription_create(
                investor=investor, offering=offering, amount=amount, payment_method="pm_card_visa",
                idempotency_key=f"race-{index}",
            ).subscription
        except DomainError as refusal:
            return refusal
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        return list(pool.map(attempt, enumerate(orders)))


def outcomes(answers) -> tuple[list[Subscription], list[str]]:
    """The subscriptions a race took, and the codes of the refusals, in the order of the orders."""
    accepted = [answer for answer in answers if isinstance(answer, Subscription)]
    refused = [answer.code for answer in answers if isinstance(answer, DomainError)]
    assert len(accepted) + len(refused) == len(answers), answers
    return accepted, refused


def test_fifty_clients_never_take_an_offering_past_its_maximum():
    offering = live_offering(max_amount=Decimal("150000.00"), target_amount=Decimal("100000.00"))
    investors = [eligible_investor() for _ in range(CLIENTS)]

    answers = race([(investor, offering) for investor in investors], "5000.00")

    accepted, refused = outcomes(answers)
    assert len(accepted) == 30 and refused == ["offering_full"] * 20
    offering.refresh_from_db()
    assert offering.reserved_amount == offering.raised_amount == Decimal("150000.00")
    assert Subscription.objects.filter(status=SubscriptionStatus.PAID).count() == 30
    assert Subscription.objects.count() == 30, "a refused request must leave no subscription behind"
    assert Payment.objects.count() == 30 and Payment.objects.values("subscription").distinct().count() == 30
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("150000.00")
    assert total_of_all_accounts() == 0


def test_racing_investors_never_exceed_the_investor_cap(monkeypatch):
    small_cap = dataclasses.replace(regimes.CN, investor_cap=5)
    monkeypatch.setitem(regimes.REGIMES, "cn", small_cap)
    offering = live_offering()
    investors = [eligible_investor() for _ in range(12)]

    answers = race([(investor, offering) for investor in investors], "1000.00")

    accepted, refused = outcomes(answers)
    assert len(accepted) == 5 and refused == ["investor_cap_reached"] * 7
    offering.refresh_from_db()
    assert offering.investor_count == 5 and Subscription.objects.count() == 5


def test_one_investor_racing_two_subscriptions_gets_at_most_the_remaining_capacity():
    offering = live_offering(max_amount=Decimal("100000.00"), target_amount=Decimal("100000.00"))
    investor = eligible_investor()

    answers = race([(investor, offering), (investor, offering)], "60000.00")

    accepted, refused = outcomes(answers)
    assert len(accepted) == 1 and refused == ["offering_full"]
    offering.refresh_from_db()
    assert offering.reserved_amount == Decimal("60000.00") and offering.investor_count == 1
    assert Subscription.objects.count() == 1
