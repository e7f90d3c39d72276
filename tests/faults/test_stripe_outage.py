"""The fake Stripe server unreachable while investors subscribe, then answering without its answers arriving, then
back: every investor gets an answer at once, no money is taken without a record, every subscription reaches a final
state, and reconciliation finds no mismatch."""

from __future__ import annotations

import time
from decimal import Decimal

from rest_framework.test import APIClient

from investors.models import (
    Payment,
    ReconciliationIssue,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import reconciliation
from investors.subscriptions import services as subscriptions
from ledger.models import AccountKind
from ledger.selectors import balance
from projects.models import Offering
from tests.faults.stripe_door import DoorState
from tests.faults.support import assert_ledger_balanced, stripe_charges_by_intent
from tests.support.money import eligible_investor, live_offering

AMOUNT = "5000.00"
# Investors subscribing in each state of the door.
BEFORE, WHILE_DOWN, ANSWERS_LOST, AFTER = 3, 4, 3, 2


def subscribe_all(offering, count: int, label: str) -> tuple[list[dict], float]:
    """Each of `count` new investors subscribes once; returns the answers and the slowest answer's time."""
    answers, slowest = [], 0.0
    for number in range(count):
        client = APIClient()
        client.force_authenticate(eligible_investor())
        started = time.monotonic()
        response = client.post(
            "/api/v1/subscriptions/",
            {"offering": offering.pk, "amount": AMOUNT, "payment_method": "pm_card_visa"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"{label}-{number}",
        )
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 201, response.content
        answers.append(response.json())
    return answers, slowest


def test_stripe_down_then_back_leaves_every_subscription_final_and_every_charge_recorded(stripe_door, settings):
    # Reservations end at once, so the sweep may judge every unfinished payment as soon as Stripe answers again.
    settings.RESERVATION_MINUTES = 0
    offering = live_offering()
    before, _ = subscribe_all(offering, BEFORE, "before")

    stripe_door.set(DoorState.CLOSED)
    down, slowest_down = subscribe_all(offering, WHILE_DOWN, "down")
    # The sweep runs while Stripe is down: it cannot know what became of them, so it ends none.
    subscriptions.reservations_expire()
    pending_while_down = Subscription.objects.filter(status=SubscriptionStatus.PENDING_PAYMENT).count()
    stripe_door.set(DoorState.ANSWERS_LOST)
    lost, _ = subscribe_all(offering, ANSWERS_LOST, "lost")

    assert [a["status"] for a in before] == ["paid"] * BEFORE
    # The contract's answer for a payment still in progress: the investor polls the subscription.
    assert [a["status"] for a in down + lost] == ["pending_payment"] * (WHILE_DOWN + ANSWERS_LOST)
    assert pending_while_down == WHILE_DOWN
    reserved = Offering.objects.get(pk=offering.pk).reserved_amount
    assert reserved == Decimal(AMOUNT) * (BEFORE + WHILE_DOWN + ANSWERS_LOST)

    stripe_door.set(DoorState.OPEN)
    after, _ = subscribe_all(offering, AFTER, "after")
    subscriptions.reservations_expire()
    open_issues = reconciliation.payments_reconcile()

    statuses = {
        answer["id"]: Subscription.objects.get(pk=answer["id"]).status for answer in before + down + lost + after
    }
    assert [statuses[a["id"]] for a in before + lost + after] == ["paid"] * (BEFORE + ANSWERS_LOST + AFTER)
    assert [statuses[a["id"]] for a in down] == ["expired"] * WHILE_DOWN
    # Every charge Stripe holds is recorded once, and nothing is recorded that Stripe does not hold.
    at_stripe = stripe_charges_by_intent()
    assert set(at_stripe) == set(Payment.objects.values_list("payment_intent_id", flat=True))
    assert len(at_stripe) == BEFORE + ANSWERS_LOST + AFTER
    assert open_issues == 0 and not ReconciliationIssue.objects.exists()
    paid_total = Decimal(AMOUNT) * (BEFORE + ANSWERS_LOST + AFTER)
    after_sweep = Offering.objects.get(pk=offering.pk)
    assert (after_sweep.reserved_amount, after_sweep.raised_amount) == (paid_total, paid_total)
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == paid_total
    assert_ledger_balanced()
    print(
        f"\nFIGURES stripe-outage: subscriptions={BEFORE + WHILE_DOWN + ANSWERS_LOST + AFTER} down={WHILE_DOWN} "
        f"answers_lost={ANSWERS_LOST} refused_connections={stripe_door.refused} "
        f"dropped_answers={stripe_door.answers_dropped} slowest_answer_while_down_s={slowest_down:.2f}"
    )
