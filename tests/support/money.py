"""The situation most money tests start from: a live offering, an investor who may subscribe to it, and a
subscription made through the API (against the fake Stripe server, so callers use the `fake_stripe` fixture)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from investors.models import KycStatus, Subscription
from investors.subscriptions import payments
from investors.tests.factories import KycProfileFactory, RiskAcknowledgementFactory, SuitabilityAssessmentFactory
from projects import services as project_services
from projects.models import Offering, OfferingStatus
from projects.tests.factories import OfferingFactory


def live_offering(**overrides) -> Offering:
    now = timezone.now()
    values = {
        "status": OfferingStatus.LIVE,
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=10),
        "target_amount": Decimal("100000.00"),
        "max_amount": Decimal("150000.00"),
        "min_investment": Decimal("1000.00"),
        "price_per_share": Decimal("10.00"),
    }
    return OfferingFactory(**(values | overrides))


def eligible_investor():
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=True)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    RiskAcknowledgementFactory(investor=kyc.user)
    return kyc.user


def subscribe(investor, offering, amount: str, *, key: str, card: str = "pm_card_visa"):
    client = APIClient()
    client.force_authenticate(investor)
    return client.post(
        "/api/v1/subscriptions/",
        {"offering": offering.pk, "amount": amount, "payment_method": card},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def subscribe_and_charge(investor, offering, amount: str, *, key: str, card: str = "pm_card_visa"):
    """`subscribe`, then the charge the worker makes once the reservation commits (which a test's own transaction
    never does): the subscription is paid, or its payment failed, when this returns."""
    response = subscribe(investor, offering, amount, key=key, card=card)
    if response.status_code == 201:
        payments.subscription_charge(subscription_id=response.json()["id"])
    return response


def subscription_seen_by(investor, subscription_id: int) -> dict:
    """What the investor reads when polling the subscription."""
    client = APIClient()
    client.force_authenticate(investor)
    response = client.get(f"/api/v1/subscriptions/{subscription_id}/")
    assert response.status_code == 200, response.json()
    return response.json()


def close_now(offering: Offering) -> None:
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()


def paid(offering, amount: str = "20000.00", key: str = "k"):
    investor = eligible_investor()
    response = subscribe(investor, offering, amount, key=key)
    assert response.status_code == 201, response.json()
    return investor, Subscription.objects.get(pk=response.json()["id"])


def status_of(subscription) -> str:
    subscription.refresh_from_db()
    return subscription.status
