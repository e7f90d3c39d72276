"""Stripe's webhooks delivered twice, out of order, late or forged, built from the fake Stripe server's own payment
intents and signed as Stripe signs them: each is applied once and leaves the right end state, or is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import stripe
from django.conf import settings
from rest_framework.test import APIClient

from investors.models import (
    Holding,
    Payment,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import gateway, settlement
from ledger.models import AccountKind, Entry
from ledger.selectors import balance
from tests.faults.support import assert_ledger_balanced, close_for_settlement
from tests.support.money import live_offering
from tests.support.payments import paid_at_stripe_with_the_answer_lost

AMOUNT = 20000
# Stripe's SDK refuses a signature older than this (its default tolerance).
TOLERANCE_SECONDS = 300


def event_from_stripe(subscription: Subscription, *, event_id: str, event_type: str) -> bytes:
    """An event about the subscription's payment intent exactly as the fake Stripe server holds it."""
    charge = gateway.find_charge(subscription_id=subscription.pk)
    client = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    intent = client.v1.payment_intents.retrieve(charge.payment_intent_id).to_dict()
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "data": {"object": intent}}).encode()


def signature(payload: bytes, *, secret: str | None = None, age_seconds: int = 0) -> str:
    timestamp = int(time.time()) - age_seconds
    digest = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver(payload: bytes, signature_header: str | None):
    headers = {} if signature_header is None else {"HTTP_STRIPE_SIGNATURE": signature_header}
    return APIClient().post("/api/v1/payments/stripe/webhook/", payload, content_type="application/json", **headers)


def money_state(offering) -> tuple:
    """What a delivery may change: statuses, payments, events recorded, ledger entries and escrow."""
    return (
        sorted(Subscription.objects.values_list("status", flat=True)),
        Payment.objects.count(),
        sorted(StripeEvent.objects.values_list("event_id", flat=True)),
        sorted(Entry.objects.values_list("key", flat=True)),
        balance(AccountKind.OFFERING_ESCROW, offering.pk),
    )


def test_forged_late_and_tampered_webhooks_are_refused_and_change_nothing(monkeypatch, fake_stripe):
    offering = live_offering()
    subscription = paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="forged")
    payload = event_from_stripe(subscription, event_id="evt_forged", event_type="payment_intent.succeeded")
    tampered = payload.replace(b'"amount": 2000000', b'"amount": 100')
    assert tampered != payload
    before = money_state(offering)

    refused = {
        "unsigned": deliver(payload, None),
        "wrong secret": deliver(payload, signature(payload, secret="whsec_forged")),
        "garbage signature": deliver(payload, "t=1,v1=deadbeef"),
        "tampered body": deliver(tampered, signature(payload)),
        "signed too long ago": deliver(payload, signature(payload, age_seconds=TOLERANCE_SECONDS + 60)),
    }

    assert {name: response.status_code for name, response in refused.items()} == dict.fromkeys(refused, 400)
    assert {response.json()["error"]["code"] for response in refused.values()} == {"invalid_signature"}
    assert money_state(offering) == before
    # A refused delivery is not remembered as seen: Stripe's genuine retry of the same event is still applied.
    assert deliver(payload, signature(payload)).status_code == 200
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.PAID


def test_webhooks_twice_out_of_order_and_late_are_applied_once_in_the_right_end_state(monkeypatch, fake_stripe):
    offering = live_offering(target_amount=AMOUNT, max_amount=AMOUNT * 5)
    subscription = paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="order")
    succeeded = event_from_stripe(subscription, event_id="evt_succeeded", event_type="payment_intent.succeeded")
    # The same payment announced again under another id, as localstripe (and Stripe, on retries) do.
    succeeded_again = event_from_stripe(subscription, event_id="evt_succeeded_2", event_type="payment_intent.succeeded")
    # An earlier attempt's failure, delivered after the success (Stripe does not promise order).
    failed_late = event_from_stripe(subscription, event_id="evt_failed", event_type="payment_intent.payment_failed")

    answers = [deliver(body, signature(body)) for body in (succeeded, succeeded, succeeded_again, failed_late)]

    assert [answer.status_code for answer in answers] == [200] * 4
    paid = money_state(offering)
    assert paid == (
        [SubscriptionStatus.PAID],
        1,
        ["evt_failed", "evt_succeeded", "evt_succeeded_2"],
        [f"payment:{subscription.pk}"],
        AMOUNT,
    )

    # Days later, after settlement, the success is delivered once more under a new id: nothing moves.
    close_for_settlement(offering)
    settlement.offering_settle(offering_id=offering.pk)
    settled = money_state(offering)
    late = event_from_stripe(subscription, event_id="evt_succeeded_late", event_type="payment_intent.succeeded")

    assert deliver(late, signature(late)).status_code == 200
    after_late = money_state(offering)
    assert after_late[0] == [SubscriptionStatus.SETTLED] and after_late[1] == 1
    assert after_late[3:] == settled[3:] and Holding.objects.filter(subscription=subscription).count() == 1
    assert_ledger_balanced()
