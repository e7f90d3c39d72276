"""Helpers of the fault suite: money set up through the real services, and what must hold after a fault."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from investors.models import Subscription, SubscriptionStatus
from investors.subscriptions import gateway
from investors.subscriptions import services as subscriptions
from ledger.selectors import total_of_all_accounts
from projects.models import Offering, OfferingStatus
from tests.support.money import eligible_investor

SUBSCRIPTIONS_PER_INVESTOR = 3
# localstripe serves one request at a time; a few callers keep it busy.
CHARGING_THREADS = 8


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str, logs: Callable[[], str] = str) -> float:
    """Polls `condition` until it holds and returns how long that took; fails naming `what`, with the logs."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"{what}: not within {seconds} s\n{logs()[-6000:]}")
        time.sleep(0.05)
    return time.monotonic() - started


def paid_subscriptions(offering: Offering, *, count: int, amount: str = "1000.00") -> list[Subscription]:
    """`count` subscriptions paid through subscription_create and the fake Stripe server, three per investor (a cn
    offering takes at most 200 investors)."""
    investors = [eligible_investor() for _ in range(-(-count // SUBSCRIPTIONS_PER_INVESTOR))]

    def subscribe(number: int) -> int:
        try:
            answer = subscriptions.subscription_create(
                investor=investors[number // SUBSCRIPTIONS_PER_INVESTOR],
                offering=offering,
                amount=amount,
                payment_method="pm_card_visa",
                idempotency_key=f"fault-setup-{number}",
            )
            return answer.subscription.pk
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(CHARGING_THREADS) as pool:
        ids = list(pool.map(subscribe, range(count)))
    paid = list(Subscription.objects.filter(pk__in=ids).order_by("pk"))
    assert [s.status for s in paid] == [SubscriptionStatus.PAID] * count
    return paid


def close_for_settlement(offering: Offering) -> None:
    """The deadline passed and the offering is closing: what projects.close_due_offerings does."""
    Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.CLOSING, closes_at=timezone.now())


def stripe_charges_by_intent() -> dict[str, gateway.Charge]:
    """The fake Stripe server's own record of the money it took."""
    return {charge.payment_intent_id: charge for charge in gateway.list_charges() if charge.status == "succeeded"}


def stripe_refunds() -> list[gateway.RefundResult]:
    return list(gateway.list_refunds())


def assert_ledger_balanced() -> None:
    assert total_of_all_accounts() == Decimal("0.00")
