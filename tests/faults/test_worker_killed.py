"""A Celery worker killed (SIGKILL) in the middle of settling or refunding an offering: a new worker finishes the job,
each subscription settled or refunded exactly once, by our records, the ledger's and the fake Stripe server's."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import redis
from django.db.models import QuerySet

from investors import tasks
from investors.models import (
    Holding,
    Payment,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import settlement
from ledger.models import AccountKind, Entry
from ledger.selectors import balance
from projects.models import Offering, OfferingStatus
from tests.faults.support import (
    assert_ledger_balanced,
    close_for_settlement,
    paid_subscriptions,
    stripe_charges_by_intent,
    stripe_refunds,
    wait_until,
)
from tests.servers import CeleryWorker
from tests.support.money import live_offering

SETTLED_SUBSCRIPTIONS = 300
REFUNDED_SUBSCRIPTIONS = 150
AMOUNT = Decimal("1000.00")


def received(worker, task_name: str) -> int:
    """How many times the worker took `task_name` from the broker."""
    return sum(1 for line in worker.log().splitlines() if f"Task {task_name}[" in line and line.endswith("received"))


def offering_with_paid_subscriptions(*, count: int, target: Decimal, own_broker) -> tuple[Offering, list]:
    offering = live_offering(target_amount=target, max_amount=max(target, AMOUNT * count))
    paid = paid_subscriptions(offering, count=count, amount=str(AMOUNT))
    close_for_settlement(offering)
    # The confirmations and screenings that the payments sent are not what these tests are about.
    redis.Redis.from_url(own_broker.url).flushdb()
    return offering, paid


@dataclass
class KilledMidway:
    done_when_killed: int
    # The worker that finished the job, and how long after the kill the offering reached its end.
    second: CeleryWorker
    recovery: float


def settle_killed_midway(offering: Offering, *, done: QuerySet, end_status: str, start_worker) -> KilledMidway:
    """Sends the settlement of `offering` to a worker, SIGKILLs it once a quarter of `done` is done, starts another,
    and waits until the offering reaches `end_status`."""
    expected = Subscription.objects.filter(offering=offering).count()
    first = start_worker()
    tasks.settle_offering.delay(offering.pk)
    wait_until(lambda: done.count() >= expected // 4, seconds=60, what="settlement under way", logs=first.log)
    first.kill()
    killed_at = time.monotonic()
    done_when_killed = done.count()
    assert done_when_killed < expected, "the worker finished before it was killed"
    second = start_worker()
    wait_until(
        lambda: Offering.objects.get(pk=offering.pk).status == end_status,
        seconds=90,
        what=f"a new worker brings the offering to {end_status}",
        logs=second.log,
    )
    return KilledMidway(done_when_killed, second, time.monotonic() - killed_at)


def test_worker_killed_while_settling_is_replaced_and_every_subscription_is_settled_once(own_broker, start_worker):
    offering, paid = offering_with_paid_subscriptions(
        count=SETTLED_SUBSCRIPTIONS, target=AMOUNT * SETTLED_SUBSCRIPTIONS // 2, own_broker=own_broker
    )
    settled = Subscription.objects.filter(offering=offering, status=SubscriptionStatus.SETTLED)
    kill = settle_killed_midway(offering, done=settled, end_status=OfferingStatus.CLOSED, start_worker=start_worker)

    assert settled.count() == SETTLED_SUBSCRIPTIONS
    holdings = Counter(Holding.objects.filter(offering=offering).values_list("subscription_id", flat=True))
    assert holdings == Counter({subscription.pk: 1 for subscription in paid})
    releases = Entry.objects.filter(key__startswith="release:").values_list("key", flat=True)
    assert sorted(releases) == sorted(f"release:{subscription.pk}" for subscription in paid)
    total = AMOUNT * SETTLED_SUBSCRIPTIONS
    fees = sum(settlement.platform_fee(subscription.amount) for subscription in paid)
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert balance(AccountKind.ISSUER_PAYABLE, offering.issuer_id) == total - fees
    assert balance(AccountKind.PLATFORM_FEES) == fees
    assert_ledger_balanced()
    # Stripe holds each payment once and has refunded nothing.
    at_stripe = stripe_charges_by_intent()
    assert set(at_stripe) == set(Payment.objects.values_list("payment_intent_id", flat=True))
    assert len(at_stripe) == SETTLED_SUBSCRIPTIONS and stripe_refunds() == []
    print(
        f"\nFIGURES settle-kill: subscriptions={SETTLED_SUBSCRIPTIONS} settled_when_killed={kill.done_when_killed} "
        f"redelivered={received(kill.second, 'investors.settle_offering')} recovery_s={kill.recovery:.1f}"
    )


def test_worker_killed_while_refunding_is_replaced_and_every_subscription_is_refunded_once(own_broker, start_worker):
    offering, _paid = offering_with_paid_subscriptions(
        count=REFUNDED_SUBSCRIPTIONS, target=AMOUNT * REFUNDED_SUBSCRIPTIONS * 2, own_broker=own_broker
    )
    refunded = Refund.objects.filter(subscription__offering=offering, status=RefundStatus.SUCCEEDED)
    kill = settle_killed_midway(offering, done=refunded, end_status=OfferingStatus.FAILED, start_worker=start_worker)

    assert set(Subscription.objects.filter(offering=offering).values_list("status", flat=True)) == {
        SubscriptionStatus.REFUNDED
    }
    ours = {refund.pk: refund for refund in Refund.objects.filter(subscription__offering=offering)}
    assert len(ours) == REFUNDED_SUBSCRIPTIONS and {r.status for r in ours.values()} == {RefundStatus.SUCCEEDED}
    # Stripe's own records: one refund per refund of ours, of the whole payment, on that payment's charge.
    at_stripe = stripe_refunds()
    assert Counter(refund.refund_id for refund in at_stripe) == Counter({refund_id: 1 for refund_id in ours})
    intents = dict(Payment.objects.values_list("subscription_id", "payment_intent_id"))
    for refund in at_stripe:
        mine = ours[refund.refund_id]
        assert (refund.payment_intent_id, refund.amount, refund.status) == (
            intents[mine.subscription_id],
            AMOUNT,
            "succeeded",
        )
        assert mine.stripe_refund_id == refund.stripe_refund_id
    refund_entries = Entry.objects.filter(key__startswith="refund:").values_list("key", flat=True)
    assert sorted(refund_entries) == sorted(f"refund:{refund_id}" for refund_id in ours)
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert_ledger_balanced()
    print(
        f"\nFIGURES refund-kill: subscriptions={REFUNDED_SUBSCRIPTIONS} refunded_when_killed={kill.done_when_killed} "
        f"settle_redelivered={received(kill.second, 'investors.settle_offering')} "
        f"refund_tasks_run_by_second={received(kill.second, 'investors.process_refund')} recovery_s={kill.recovery:.1f}"
    )
