"""Subscribing, cancelling, the portfolio and the issuer's cap table, through the web pages and the fake Stripe."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import IssuerUserFactory
from investors.models import Holding, Refund, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, settlement
from investors.subscriptions import services as subscriptions
from ledger.models import Line
from projects import services as project_services
from projects.models import Offering
from tests.support.money import eligible_investor, live_offering

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


@pytest.fixture
def offering():
    return live_offering()


@pytest.fixture
def eligible_web_investor(client):
    user = eligible_investor()
    client.force_login(user)
    return user


def shown_idempotency_key(client, offering) -> str:
    page = client.get(reverse("projects:offering_detail", args=[offering.pk]))
    return re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode()).group(1)


def subscribe(client, offering, amount="20000.00", card="pm_card_visa", key=None):
    return client.post(
        reverse("investors:subscribe", args=[offering.pk]),
        {"amount": amount, "payment_method": card, "idempotency_key": key or shown_idempotency_key(client, offering)},
        follow=True,
    )


def test_offering_page_offers_the_subscribe_form_with_capacity_and_position(client, eligible_web_investor, offering):
    page = client.get(reverse("projects:offering_detail", args=[offering.pk]))

    assertContains(page, "Invest in this offering")
    assertContains(page, "Visa (declined)")
    assertContains(page, "Your position")
    assertContains(page, "CNY 150,000.00")


def test_subscribing_through_the_form_pays_and_lists_the_subscription(client, eligible_web_investor, offering):
    response = subscribe(client, offering)

    assert response.redirect_chain[-1][0] == reverse("investors:subscriptions")
    subscription = Subscription.objects.get(investor=eligible_web_investor)
    assert subscription.status == SubscriptionStatus.PAID
    assertContains(response, "Your subscription is recorded.")
    assertContains(response, offering.title)
    assertContains(response, "Paid (in escrow)")
    assertContains(response, "Cancel and refund")
    # Another investor's money is raised too, but it is not this investor's position.
    subscriptions.subscription_create(
        investor=eligible_investor(),
        offering=offering,
        amount="30000.00",
        payment_method="pm_card_visa",
        idempotency_key="someone-else",
    )
    detail = client.get(reverse("projects:offering_detail", args=[offering.pk])).content.decode()
    assert re.search(r"Your position</dt>\s*<dd>CNY 20,000\.00</dd>", detail)


def test_a_double_submitted_form_makes_one_subscription(client, eligible_web_investor, offering):
    key = shown_idempotency_key(client, offering)

    subscribe(client, offering, key=key)
    subscribe(client, offering, key=key)

    assert Subscription.objects.filter(investor=eligible_web_investor).count() == 1
    assert len(list(gateway.list_charges())) == 1
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount) == (Decimal("20000.00"), Decimal("20000.00"))


def test_declined_card_shows_the_decline_and_leaves_nothing_paid(client, eligible_web_investor, offering):
    response = subscribe(client, offering, card="pm_card_visa_chargeDeclined")

    assert response.redirect_chain[-1][0] == reverse("projects:offering_detail", args=[offering.pk])
    assertContains(response, "Your card was declined")
    assert not Subscription.objects.filter(status=SubscriptionStatus.PAID).exists()
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert not Line.objects.exists()


def test_amount_over_the_remaining_capacity_is_refused_with_the_remaining_amount(
    client, eligible_web_investor, offering
):
    response = subscribe(client, offering, amount="160000.00")

    assertContains(response, "Only 150000.00 CNY of this offering remain")
    assert not Subscription.objects.exists()
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert list(gateway.list_charges()) == []
    assert not Line.objects.exists()


def test_cancel_button_cancels_and_shows_the_refund(client, eligible_web_investor, offering):
    subscribe(client, offering)
    subscription = Subscription.objects.get()

    response = client.post(reverse("investors:subscription_cancel", args=[subscription.pk]), follow=True)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED
    assertContains(response, "Your subscription is cancelled")
    assertContains(response, "Cancelled")
    assertContains(response, "Succeeded · Investor cancelled")
    assertNotContains(response, "Cancel and refund")


def test_cancel_after_the_deadline_shows_the_refusal_and_changes_nothing(client, eligible_web_investor):
    offering = live_offering(closes_at=timezone.now() + dt.timedelta(hours=47))
    subscribe(client, offering)
    subscription = Subscription.objects.get()

    response = client.post(reverse("investors:subscription_cancel", args=[subscription.pk]), follow=True)

    assertContains(response, "Cancellation closed at")
    assertNotContains(response, "Cancel and refund")
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAID
    assert not Refund.objects.exists()
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount) == (Decimal("20000.00"), Decimal("20000.00"))


def close_successfully(client, offering) -> None:
    subscribe(client, offering, amount="120000.00")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()
    settlement.offerings_settle_closing()


def test_portfolio_lists_the_shares_of_a_closed_offering(client, eligible_web_investor, offering):
    close_successfully(client, offering)

    page = client.get(reverse("investors:portfolio"))

    assert Holding.objects.filter(investor=eligible_web_investor).exists()
    assertContains(page, offering.title)
    assertContains(page, offering.issuer.legal_name)
    assertContains(page, "12000")
    assertContains(page, "CNY 120,000.00")


def test_cap_table_shows_the_shareholders_to_the_offering_owner(client, eligible_web_investor, offering):
    close_successfully(client, offering)
    client.force_login(offering.issuer.owner)

    page = client.get(reverse("investors:cap_table", args=[offering.pk]))

    assertContains(page, eligible_web_investor.username)
    assertContains(page, "100.00%")


def test_cap_table_of_a_live_offering_shows_the_paid_subscriptions(client, eligible_web_investor, offering):
    subscribe(client, offering)
    client.force_login(offering.issuer.owner)

    page = client.get(reverse("investors:cap_table", args=[offering.pk]))

    assertContains(page, "Paid subscriptions so far")
    assertContains(page, "CNY 20,000.00")


def test_cap_table_is_not_found_for_another_issuer(client, offering):
    client.force_login(IssuerUserFactory())

    assert client.get(reverse("investors:cap_table", args=[offering.pk])).status_code == 404


def test_my_subscriptions_page_is_in_chinese_once_the_language_is_switched(client, eligible_web_investor, offering):
    subscribe(client, offering)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get(reverse("investors:subscriptions"))

    assertContains(page, "我的认购")
    assertContains(page, "取消并退款")
