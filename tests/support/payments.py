"""Stripe's side going wrong: an answer lost after the charge, and webhooks posted as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from rest_framework.test import APIClient

from investors.models import Subscription
from investors.subscriptions import gateway
from tests.support.money import eligible_investor, subscribe


def answer_lost_after_charging(monkeypatch):
    """Stripe takes the money, but its answer never reaches us (a timeout, a killed process)."""
    real_charge = gateway.charge

    def charge_then_lose_answer(**kwargs):
        real_charge(**kwargs)
        raise gateway.GatewayUnavailable("answer lost")

    monkeypatch.setattr(gateway, "charge", charge_then_lose_answer)


def paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key: str) -> Subscription:
    """A CNY 20,000 subscription whose charge Stripe took while its answer was lost: here it is still pending."""
    answer_lost_after_charging(monkeypatch)
    response = subscribe(eligible_investor(), offering, "20000.00", key=key)
    monkeypatch.undo()
    assert response.status_code == 201 and response.json()["status"] == "pending_payment", response.json()
    return Subscription.objects.get(pk=response.json()["id"])


def signed(payload: bytes, secret: str | None = None) -> str:
    timestamp = int(time.time())
    digest = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_webhook(payload: bytes, signature: str):
    return APIClient().post(
        "/api/v1/payments/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
