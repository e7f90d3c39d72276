"""What a lost answer, a crash or a redelivered webhook must not do: lose a payment, or pay or refund twice."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from accounts.tests.factories import RiskAnalystFactory
from investors.models import Holding, Payment, Refund, StripeEvent, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, settlement
from investors.subscriptions import services as subscriptions
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects.models import OfferingStatus
from tests.support.money import close_now, eligible_investor, live_offering, subscribe
from tests.support.payments import answer_lost_after_charging, paid_at_stripe_with_the_answer_lost, post_webhook, signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


def succeeded_event(subscription: Subscription, event_id: str = "evt_test_1") -> bytes:
    charge = gateway.find_charge(subscription_id=subscription.pk)
    intent = {
        "id": charge.payment_intent_id,
        "object": "payment_intent",
        "amount": int(subscription.amount * 100),
        "currency": "cny",
        "status": "succeeded",
        "payment_method": "pm_card_visa",
        "last_payment_error": None,
        "metadata": {"subscription_id": str(subscription.pk)},
    }
    return json.dumps(
        {"id": event_id, "object": "event", "type": "payment_intent.succeeded", "data": {"object": intent}}
    ).encode()


def test_lost_answer_leaves_the_subscription_pending_and_the_sweep_finds_the_charge(monkeypatch):
    offering, investor = live_offering(), eligible_investor()
    answer_lost_after_charging(monkeypatch)

    response = subscribe(investor, offering, "20000.00", key="lost")

    assert response.status_code == 201 and response.json()["status"] == "pending_payment"
    monkeypatch.undo()
    Subscription.objects.update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
    subscriptions.reservations_expire()
    assert Subscription.objects.get().status == SubscriptionStatus.PAID
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 20000


def test_reservation_with_no_charge_at_stripe_expires_and_frees_capacity(monkeypatch):
    offering, investor = live_offering(), eligible_investor()

    def stripe_down(**kwargs):
        raise gateway.GatewayUnavailable("connection refused")

    monkeypatch.setattr(gateway, "charge", stripe_down)
    subscribe(investor, offering, "20000.00", key="down")
    monkeypatch.undo()
    Subscription.objects.update(reserved_until=timezone.now() - dt.timedelta(seconds=1))

    subscriptions.reservations_expire()

    assert Subscription.objects.get().status == SubscriptionStatus.EXPIRED
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.investor_count) == (0, 0)


def test_webhook_delivered_twice_is_applied_once(monkeypatch):
    offering = live_offering()
    subscription = paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="wh")
    payload = succeeded_event(subscription)

    first, second = post_webhook(payload, signed(payload)), post_webhook(payload, signed(payload))

    assert (first.status_code, second.status_code) == (200, 200)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAID
    assert Payment.objects.count() == 1 and StripeEvent.objects.count() == 1
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 20000


@pytest.mark.parametrize("signature", ["", "t=1,v1=deadbeef", None])
def test_forged_or_unsigned_webhook_is_refused_and_changes_nothing(monkeypatch, signature):
    offering = live_offering()
    payload = succeeded_event(paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="forged"))

    response = post_webhook(payload, signature if signature is not None else signed(payload, secret="whsec_wrong"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING_PAYMENT
    assert not Payment.objects.exists() and not StripeEvent.objects.exists()
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0 and total_of_all_accounts() == 0


def test_localstripe_webhook_completes_a_payment_whose_answer_was_lost(monkeypatch, live_server, fake_stripe_webhook):
    fake_stripe_webhook(live_server.url + "/api/v1/payments/stripe/webhook/")
    offering, investor = live_offering(), eligible_investor()
    answer_lost_after_charging(monkeypatch)

    subscribe(investor, offering, "20000.00", key="live-wh")

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not Payment.objects.exists():
        time.sleep(0.2)
    assert Subscription.objects.get().status == SubscriptionStatus.PAID
    # localstripe may send more than one succeeded event for one payment; the money is recorded once.
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").exists()
    time.sleep(1.5)
    assert Payment.objects.count() == 1 and balance(AccountKind.OFFERING_ESCROW, offering.pk) == 20000


def test_settlement_killed_halfway_finishes_on_the_next_run_and_pays_each_subscription_once(monkeypatch, settings):
    offering = live_offering()
    for index in range(3):
        subscribe(eligible_investor(), offering, "40000.00", key=f"s{index}")
    close_now(offering)
    real_settle_batch, calls = settlement._settle_batch, []

    def crash_after_first(offering_id, subscription_ids):
        if calls:
            raise RuntimeError("worker killed")
        calls.append(subscription_ids)
        real_settle_batch(offering_id, subscription_ids)

    settings.SETTLEMENT_BATCH_SIZE = 1
    monkeypatch.setattr(settlement, "_settle_batch", crash_after_first)
    with pytest.raises(RuntimeError):
        settlement.offerings_settle_closing()
    assert Holding.objects.count() == 1
    monkeypatch.undo()

    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CLOSED
    assert Holding.objects.count() == 3
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert balance(AccountKind.PLATFORM_FEES) == 6000
    assert total_of_all_accounts() == 0


def test_refund_interrupted_after_stripe_refunded_is_not_refunded_again(monkeypatch):
    offering = live_offering()
    for index in range(2):
        subscribe(eligible_investor(), offering, "20000.00", key=f"r{index}")
    close_now(offering)
    real_refund = gateway.refund

    def refund_then_crash(**kwargs):
        real_refund(**kwargs)
        raise gateway.GatewayUnavailable("answer lost")

    monkeypatch.setattr(gateway, "refund", refund_then_crash)
    # The refund task (eager here) asks Celery to retry; either way this run stops with the refund unrecorded.
    with pytest.raises((gateway.GatewayUnavailable, Retry)):
        settlement.offering_settle(offering_id=offering.pk)
    monkeypatch.undo()

    settlement.offering_settle(offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.FAILED
    assert len(list(gateway.list_refunds())) == 2
    assert Refund.objects.filter(status="succeeded").count() == 2
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0


def test_a_payment_whose_answer_arrives_after_staff_cancelled_the_offering_is_refunded(
    monkeypatch, django_capture_on_commit_callbacks
):
    offering = live_offering()
    paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="late")

    with django_capture_on_commit_callbacks(execute=True):
        settlement.offering_cancel_with_refunds(offering=offering, by=RiskAnalystFactory(), reason="Fraud confirmed.")
        Subscription.objects.update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
        subscriptions.reservations_expire()

    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.EXPIRED
    assert (subscription.refund_record.reason, subscription.refund_record.status) == ("late_payment", "succeeded")
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0 and total_of_all_accounts() == 0
