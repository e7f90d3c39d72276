"""Subscribing, paying, cancelling and closing, end to end through the API against the real fake Stripe server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from investors.models import Holding, Refund, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, settlement
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects import services as project_services
from projects.models import Offering, OfferingStatus
from tests.support.money import eligible_investor, live_offering, subscribe, subscription_seen_by

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


def test_paid_subscription_holds_money_in_escrow_and_reserves_capacity():
    """The answer is the reservation; the worker's charge (run at commit here: tasks are eager) pays it."""
    offering, investor = live_offering(), eligible_investor()

    response = subscribe(investor, offering, "20000.00", key="k1")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount"], body["shares"], body["currency"]) == (
        "pending_payment",
        "20000.00",
        2000,
        "CNY",
    )
    polled = subscription_seen_by(investor, body["id"])
    assert (polled["status"], polled["payment_failure_reason"]) == ("paid", None)
    offering.refresh_from_db()
    assert (offering.raised_amount, offering.remaining_amount, offering.investor_count) == (
        Decimal("20000.00"),
        Decimal("130000.00"),
        1,
    )
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")
    assert total_of_all_accounts() == 0


def test_same_key_and_body_returns_the_same_subscription_and_charges_once():
    offering, investor = live_offering(), eligible_investor()
    first = subscribe(investor, offering, "20000.00", key="same")
    again = subscribe(investor, offering, "20000.00", key="same")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Subscription.objects.count() == 1
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")


def test_same_key_after_the_offering_sold_out_still_returns_the_first_answer_and_changes_nothing():
    """The key is looked up only once a request is refused: a repeat of the subscription that sold the offering out
    is answered as a repeat, not as a refusal of a full offering."""
    offering = live_offering(max_amount=Decimal("100000.00"), target_amount=Decimal("100000.00"))
    investor = eligible_investor()
    first = subscribe(investor, offering, "100000.00", key="all")

    again = subscribe(investor, offering, "100000.00", key="all")

    assert (first.status_code, again.status_code) == (201, 200), again.json()
    assert again.json()["id"] == first.json()["id"]
    assert Subscription.objects.count() == 1
    assert len(list(gateway.list_charges())) == 1
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (
        Decimal("100000.00"),
        Decimal("100000.00"),
        1,
    )


def test_same_key_with_another_body_is_a_conflict_and_changes_nothing():
    offering, investor = live_offering(), eligible_investor()
    subscribe(investor, offering, "20000.00", key="same")

    response = subscribe(investor, offering, "30000.00", key="same")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Subscription.objects.get().amount == Decimal("20000.00")
    assert len(list(gateway.list_charges())) == 1
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount) == (Decimal("20000.00"), Decimal("20000.00"))
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")


@pytest.mark.parametrize("card", ["pm_card_visa_chargeDeclined", "pm_does_not_exist"], ids=["declined", "unknown"])
def test_declined_or_unknown_card_fails_the_payment_with_its_reason_and_frees_the_capacity(card):
    offering, investor = live_offering(), eligible_investor()

    response = subscribe(investor, offering, "20000.00", key="d1", card=card)

    assert response.status_code == 201 and response.json()["status"] == "pending_payment"
    polled = subscription_seen_by(investor, response.json()["id"])
    assert polled["status"] == "payment_failed" and polled["payment_failure_reason"]
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert Subscription.objects.get().status == SubscriptionStatus.PAYMENT_FAILED
    assert total_of_all_accounts() == 0 and balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0


def test_amount_over_remaining_capacity_is_refused_with_the_remaining_amount():
    offering, investor = live_offering(), eligible_investor()

    response = subscribe(investor, offering, "160000.00", key="big")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "offering_full" and error["details"]["remaining_amount"] == "150000.00"
    assert not Subscription.objects.exists()
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert list(gateway.list_charges()) == []
    assert total_of_all_accounts() == 0 and balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0


def test_cancel_refunds_through_stripe_and_the_ledger():
    offering, investor = live_offering(), eligible_investor()
    subscription_id = subscribe(investor, offering, "20000.00", key="c1").json()["id"]
    client = APIClient()
    client.force_authenticate(investor)

    response = client.post(f"/api/v1/subscriptions/{subscription_id}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    refund = Refund.objects.get()
    assert refund.status == "succeeded" and refund.stripe_refund_id
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)


def test_cancel_after_the_deadline_is_refused():
    offering = live_offering(closes_at=timezone.now() + dt.timedelta(hours=47))
    investor = eligible_investor()
    subscription_id = subscribe(investor, offering, "20000.00", key="late").json()["id"]
    client = APIClient()
    client.force_authenticate(investor)

    response = client.post(f"/api/v1/subscriptions/{subscription_id}/cancel/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cancellation_closed"
    assert Subscription.objects.get().status == SubscriptionStatus.PAID
    assert not Refund.objects.exists() and list(gateway.list_refunds()) == []
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount) == (Decimal("20000.00"), Decimal("20000.00"))
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")


def test_offering_that_meets_its_target_closes_issues_shares_and_releases_escrow_less_fee():
    offering = live_offering()
    investors = [eligible_investor() for _ in range(2)]
    subscribe(investors[0], offering, "60000.00", key="a")
    subscribe(investors[1], offering, "50000.00", key="b")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()

    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CLOSED
    assert sorted(Holding.objects.values_list("shares", flat=True)) == [5000, 6000]
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert balance(AccountKind.ISSUER_PAYABLE, offering.issuer_id) == Decimal("104500.00")
    assert balance(AccountKind.PLATFORM_FEES) == Decimal("5500.00")
    assert total_of_all_accounts() == 0

    settlement.offerings_settle_closing()
    assert Holding.objects.count() == 2 and balance(AccountKind.PLATFORM_FEES) == Decimal("5500.00")


def test_offering_that_misses_its_target_refunds_everyone():
    offering = live_offering()
    investor = eligible_investor()
    subscribe(investor, offering, "20000.00", key="a")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()

    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.FAILED
    assert Subscription.objects.get().status == SubscriptionStatus.REFUNDED
    assert Refund.objects.get().status == "succeeded"
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert not Holding.objects.exists()
