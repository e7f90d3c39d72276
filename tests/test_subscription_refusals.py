"""Every refusal of `POST subscriptions/` answers with its contract code and leaves nothing behind: no
subscription, no reserved capacity, no charge at Stripe, no ledger line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory
from investors.models import KycStatus, Subscription
from investors.subscriptions import gateway
from investors.tests.factories import KycProfileFactory, SuitabilityAssessmentFactory
from ledger.models import Line
from projects.models import Offering, OfferingStatus
from tests.support.money import eligible_investor, live_offering

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


def unverified_investor():
    return KycProfileFactory(status=KycStatus.PENDING).user


def cautious_investor():
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=True)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C3", score=18)
    return kyc.user


def unqualified_investor():
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=False)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    return kyc.user


CASES = {
    "no KYC": (InvestorFactory, {}, {}, 403, "kyc_required"),
    "KYC pending": (unverified_investor, {}, {}, 403, "kyc_required"),
    "risk level below C4": (cautious_investor, {}, {}, 403, "suitability_required"),
    "not qualified and under the single-amount floor": (unqualified_investor, {}, {}, 403, "not_qualified"),
    "offering not live": (eligible_investor, {"status": OfferingStatus.APPROVED}, {}, 409, "offering_not_open"),
    "offering on risk hold": (eligible_investor, {"risk_hold": True}, {}, 409, "offering_not_open"),
    "below the minimum": (eligible_investor, {}, {"amount": "500.00"}, 400, "below_minimum"),
    "not a whole number of shares": (eligible_investor, {}, {"amount": "1005.00"}, 400, "validation_error"),
    "more than two decimals": (eligible_investor, {}, {"amount": "1000.001"}, 400, "validation_error"),
    "amount missing": (eligible_investor, {}, {"amount": None}, 400, "validation_error"),
    "no Idempotency-Key": (eligible_investor, {}, {"key": None}, 400, "validation_error"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_refused_subscription_leaves_nothing_behind(case):
    make_investor, offering_overrides, request_overrides, status, code = CASES[case]
    offering = live_offering(**offering_overrides)
    client = APIClient()
    client.force_authenticate(make_investor())
    body = {"offering": offering.pk, "amount": "20000.00", "payment_method": "pm_card_visa"}
    amount = request_overrides.get("amount", body["amount"])
    if amount is None:
        body.pop("amount")
    else:
        body["amount"] = amount
    key = request_overrides.get("key", "refused-1")
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    response = client.post("/api/v1/subscriptions/", body, format="json", **headers)

    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert not Subscription.objects.exists()
    offering = Offering.objects.get(pk=offering.pk)
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (Decimal("0"), 0, 0)
    assert list(gateway.list_charges()) == []
    assert not Line.objects.exists()
