"""Material changes to a running offering: paid investors must confirm again within five business days, or their
subscription is cancelled and refunded. End to end through the API, against the fake Stripe server."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from emails.models import OutgoingEmail
from investors import tasks
from investors.models import Refund, Subscription, SubscriptionStatus
from investors.subscriptions import reconfirmation, settlement
from investors.subscriptions import services as subscriptions
from investors.subscriptions.reconfirmation import business_days_after
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects import services as project_services
from projects.models import Offering, OfferingStatus, OfferingUpdate, TermChange
from tests.support.clients import api_as
from tests.support.money import eligible_investor, live_offering, paid, status_of
from tests.support.updates import awaiting_reconfirmation, post_update

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe", "english")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NEW_USES = [{"category": "hiring", "amount": "60000.00"}, {"category": "marketing", "amount": "40000.00"}]


# Five business days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (dt.datetime(2026, 11, 26, 10, 0), dt.datetime(2026, 12, 3, 10, 0)),  # Thursday: over one weekend
        (dt.datetime(2026, 11, 27, 23, 30), dt.datetime(2026, 12, 4, 23, 30)),  # Friday late evening
        (dt.datetime(2026, 11, 28, 10, 0), dt.datetime(2026, 12, 4, 10, 0)),  # Saturday: counting starts Monday
        (dt.datetime(2026, 11, 29, 10, 0), dt.datetime(2026, 12, 4, 10, 0)),  # Sunday
        (dt.datetime(2026, 11, 30, 10, 0), dt.datetime(2026, 12, 7, 10, 0)),  # Monday: over the next weekend
    ],
    ids=["thursday", "friday", "saturday", "sunday", "monday"],
)
def test_deadline_is_five_weekdays_later_at_the_same_local_time(start, deadline):
    assert business_days_after(start.replace(tzinfo=SHANGHAI), 5) == deadline.replace(tzinfo=SHANGHAI)


def test_number_of_business_days_is_a_setting(settings):
    settings.RECONFIRM_BUSINESS_DAYS = 1
    friday = dt.datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)

    assert reconfirmation.reconfirm_deadline_from(friday) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


# Which updates are material --------------------------------------------------------------------------------------


def test_update_marked_material_asks_every_paid_investor_to_reconfirm_within_five_business_days():
    offering = live_offering()
    _first, first = paid(offering, key="a")
    _second, second = paid(offering, "30000.00", key="b")

    response = post_update(offering, material=True)

    assert response.status_code == 201, response.json()
    update = OfferingUpdate.objects.get()
    assert update.material_change
    expected = business_days_after(update.posted_at, 5)
    for subscription in (first, second):
        subscription.refresh_from_db()
        assert subscription.status == SubscriptionStatus.RECONFIRMATION_REQUIRED
        assert subscription.reconfirm_deadline == expected
    # The money stays in escrow and the capacity stays taken while investors decide.
    offering.refresh_from_db()
    assert (offering.raised_amount, offering.reserved_amount) == (Decimal("50000.00"), Decimal("50000.00"))


@pytest.mark.parametrize(
    "changes",
    [{"security": "existing_shares"}, {"price_per_share": "20.00"}, {"use_of_funds": NEW_USES}],
    ids=["security", "price", "use-of-funds"],
)
def test_changing_security_price_or_use_of_funds_after_a_payment_is_material_even_if_not_marked(changes):
    offering = live_offering()
    _investor, subscription = paid(offering)

    response = post_update(offering, material=False, changes=changes)

    assert response.status_code == 201, response.json()
    assert response.json()["material_change"] is True
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED


def test_changing_the_price_before_any_payment_is_not_material():
    offering = live_offering()

    response = post_update(offering, changes={"price_per_share": "20.00"})

    assert response.status_code == 201
    assert response.json()["material_change"] is False
    assert TermChange.objects.get().term == "price_per_share"


@pytest.mark.parametrize("changes", [None, {"summary": "A clearer summary."}, {"closes_at": "later"}], ids=str)
def test_unmarked_update_without_a_key_term_change_leaves_paid_subscriptions_paid(changes):
    offering = live_offering()
    _investor, subscription = paid(offering)
    if changes == {"closes_at": "later"}:
        changes = {"closes_at": (offering.closes_at + dt.timedelta(days=3)).isoformat()}

    response = post_update(offering, changes=changes)

    assert response.status_code == 201, response.json()
    assert response.json()["material_change"] is False
    subscription.refresh_from_db()
    assert (subscription.status, subscription.reconfirm_deadline) == (SubscriptionStatus.PAID, None)


def test_a_new_price_reprices_the_shares_of_paid_subscriptions():
    offering = live_offering()
    _investor, subscription = paid(offering, "20000.00")
    assert subscription.shares == 2000

    post_update(offering, changes={"price_per_share": "20.00"})

    subscription.refresh_from_db()
    assert (subscription.amount, subscription.shares) == (Decimal("20000.00"), 1000)


def test_a_price_the_paid_amount_does_not_divide_into_is_accepted_and_the_remainder_refunded_at_reconfirmation():
    offering = live_offering(price_per_share=Decimal("12.00"), min_investment=Decimal("1200.00"))
    investor, subscription = paid(offering, "13200.00")

    response = post_update(offering, changes={"price_per_share": "19.20"})

    assert response.status_code == 201, response.json()
    subscription.refresh_from_db()
    # 13,200.00 buys 687 whole shares at 19.20 (13,190.40); 9.60 is left over until the investor decides.
    assert (subscription.status, subscription.shares, subscription.price_remainder) == (
        SubscriptionStatus.RECONFIRMATION_REQUIRED,
        687,
        Decimal("9.60"),
    )
    assert subscription.amount == Decimal("13200.00") and not Refund.objects.exists()

    reconfirmation.subscription_reconfirm(subscription=subscription, by=investor)

    subscription.refresh_from_db()
    offering.refresh_from_db()
    assert (subscription.status, subscription.amount, subscription.price_remainder) == ("paid", Decimal("13190.40"), 0)
    remainder = Refund.objects.get(subscription=subscription)
    assert (remainder.reason, remainder.amount, remainder.status) == ("price_remainder", Decimal("9.60"), "succeeded")
    assert (offering.raised_amount, offering.reserved_amount) == (Decimal("13190.40"), Decimal("13190.40"))
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("13190.40")
    assert total_of_all_accounts() == 0


def test_a_subscription_that_lapses_after_a_price_change_gets_everything_back():
    offering = live_offering(price_per_share=Decimal("12.00"), min_investment=Decimal("1200.00"))
    _investor, subscription = paid(offering, "13200.00")
    post_update(offering, changes={"price_per_share": "19.20"})
    subscription.refresh_from_db()
    OutgoingEmail.objects.filter(notification__startswith="offering_update:").update(
        sent_at=subscription.reconfirm_deadline - dt.timedelta(days=7)
    )

    reconfirmation.reconfirmations_lapse(now=subscription.reconfirm_deadline + dt.timedelta(minutes=1))

    assert status_of(subscription) == SubscriptionStatus.CANCELLED
    refund = Refund.objects.get(subscription=subscription)
    assert (refund.amount, refund.status) == (Decimal("13200.00"), "succeeded")
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0 and total_of_all_accounts() == 0


def test_another_material_change_gives_waiting_investors_a_new_deadline():
    offering = live_offering()
    _investor, subscription = awaiting_reconfirmation(offering, deadline=timezone.now() + dt.timedelta(hours=1))

    post_update(offering, material=True, title="More news")

    subscription.refresh_from_db()
    latest = OfferingUpdate.objects.get(title="More news")
    assert subscription.reconfirm_deadline == business_days_after(latest.posted_at, 5)


# Emails ------------------------------------------------------------------------------------------------------------


def test_paid_investors_are_emailed_what_changed_and_by_when_to_reconfirm():
    offering = live_offering()
    investor, _subscription = paid(offering)
    mail.outbox.clear()

    post_update(offering, material=True, changes={"price_per_share": "20.00"}, title="Repriced")

    [message] = mail.outbox
    assert message.to == [investor.email]
    assert "confirm your subscription again" in message.subject
    assert "Repriced" in message.body and "price_per_share" in message.body


def test_investors_are_emailed_an_ordinary_update():
    offering = live_offering()
    investor, _subscription = paid(offering)
    mail.outbox.clear()

    post_update(offering, title="We shipped")

    [message] = mail.outbox
    assert message.to == [investor.email]
    assert "We shipped" in message.subject


# Reconfirming ----------------------------------------------------------------------------------------------------


def test_reconfirming_through_the_api_makes_the_subscription_paid_again():
    offering = live_offering()
    investor, subscription = awaiting_reconfirmation(offering)
    mail.outbox.clear()

    response = api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paid"
    assert "reconfirm_deadline" not in response.json()
    assert [m.subject for m in mail.outbox] == ["Your subscription is confirmed again"]
    again = api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")
    assert (again.status_code, again.json()["status"]) == (200, "paid")


def test_reconfirming_just_before_the_deadline_succeeds():
    offering = live_offering()
    investor, subscription = awaiting_reconfirmation(offering, deadline=timezone.now() + dt.timedelta(seconds=5))

    response = api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")

    assert (response.status_code, response.json()["status"]) == (200, "paid")


def test_reconfirming_after_the_deadline_is_refused_and_changes_nothing():
    offering = live_offering()
    deadline = timezone.now() - dt.timedelta(seconds=1)
    investor, subscription = awaiting_reconfirmation(offering, deadline=deadline)
    mail.outbox.clear()

    response = api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reconfirmation_closed"
    subscription.refresh_from_db()
    assert (subscription.status, subscription.reconfirm_deadline) == ("reconfirmation_required", deadline)
    assert mail.outbox == []
    assert not Refund.objects.exists()
    offering.refresh_from_db()
    assert (offering.raised_amount, offering.reserved_amount) == (Decimal("20000.00"), Decimal("20000.00"))


def test_another_investor_cannot_reconfirm_a_subscription():
    offering = live_offering()
    _investor, subscription = awaiting_reconfirmation(offering)
    stranger = eligible_investor()
    mail.outbox.clear()

    response = api_as(stranger).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")

    assert response.status_code == 404
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED
    assert mail.outbox == []


def test_a_cancelled_subscription_cannot_be_reconfirmed():
    offering = live_offering()
    investor, subscription = paid(offering)
    api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/cancel/")

    response = api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert status_of(subscription) == SubscriptionStatus.CANCELLED


# The deadline lapses -----------------------------------------------------------------------------------------------


def test_lapsed_deadline_cancels_refunds_and_releases_capacity_once_however_often_the_job_runs():
    offering = live_offering()
    investor, subscription = awaiting_reconfirmation(offering, deadline=timezone.now() - dt.timedelta(seconds=1))
    mail.outbox.clear()

    tasks.lapse_reconfirmations.delay()
    tasks.lapse_reconfirmations.delay()

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED
    refund = Refund.objects.get()
    assert (refund.subscription_id, refund.status, refund.amount) == (subscription.pk, "succeeded", Decimal("20000.00"))
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert total_of_all_accounts() == 0
    assert [m.to for m in mail.outbox] == [[investor.email]]
    assert "not confirmed again in time" in mail.outbox[0].subject


def test_a_deadline_not_yet_reached_is_left_alone():
    offering = live_offering()
    deadline = timezone.now() + dt.timedelta(minutes=1)
    _investor, subscription = awaiting_reconfirmation(offering, deadline=deadline)

    assert reconfirmation.reconfirmations_lapse() == []
    assert reconfirmation.reconfirmations_lapse(now=deadline) == [subscription.pk]
    assert status_of(subscription) == SubscriptionStatus.CANCELLED


# Settlement waits ----------------------------------------------------------------------------------------------------


def test_settlement_waits_for_reconfirmation_then_closes_once_the_investor_reconfirms():
    offering = live_offering()
    investor, subscription = awaiting_reconfirmation(offering, "100000.00")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()

    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CLOSING
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED

    api_as(investor).post(f"/api/v1/subscriptions/{subscription.pk}/reconfirm/")
    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CLOSED
    assert status_of(subscription) == SubscriptionStatus.SETTLED


# Pages -----------------------------------------------------------------------------------------------------------


def test_investor_sees_the_banner_and_reconfirms_from_the_web_page(client):
    offering = live_offering()
    investor, subscription = paid(offering)
    post_update(offering, material=True, changes={"price_per_share": "20.00"})
    client.force_login(investor)

    mine = client.get("/investor/subscriptions/").content.decode()
    page = client.get(f"/offerings/{offering.pk}/").content.decode()

    for html in (mine, page):
        assert 'id="reconfirmation-banner"' in html and "Confirm my subscription" in html
    assert 'id="term-changes"' in page and "Terms changed since publication" in page

    response = client.post(
        f"/investor/subscriptions/{subscription.pk}/reconfirm/", {"next": f"/offerings/{offering.pk}/"}
    )

    assert response.status_code == 302 and response["Location"] == f"/offerings/{offering.pk}/"
    assert status_of(subscription) == SubscriptionStatus.PAID
    assert 'id="reconfirmation-banner"' not in client.get("/investor/subscriptions/").content.decode()


def test_no_banner_for_an_investor_with_nothing_to_reconfirm(client):
    offering = live_offering()
    investor, _subscription = paid(offering)
    client.force_login(investor)

    assert 'id="reconfirmation-banner"' not in client.get(f"/offerings/{offering.pk}/").content.decode()


def test_the_published_schema_has_the_reconfirm_call():
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    assert "post" in schema["paths"]["/api/v1/subscriptions/{id}/reconfirm/"]


def test_a_subscription_still_paying_during_a_material_change_must_reconfirm_once_its_payment_arrives(monkeypatch):
    from tests.support.payments import paid_at_stripe_with_the_answer_lost

    offering = live_offering()
    subscription = paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="slow")
    mail.outbox.clear()

    assert post_update(offering, material=True).status_code == 201
    Subscription.objects.filter(pk=subscription.pk).update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
    subscriptions.reservations_expire()

    subscription.refresh_from_db()
    update = OfferingUpdate.objects.get()
    assert subscription.status == SubscriptionStatus.RECONFIRMATION_REQUIRED
    assert subscription.reconfirm_deadline == business_days_after(update.posted_at, 5)
    assert any("confirm your subscription again" in message.subject for message in mail.outbox)


def test_a_subscription_still_paying_during_a_price_change_is_repriced_and_reconfirms_with_its_remainder(monkeypatch):
    from tests.support.payments import paid_at_stripe_with_the_answer_lost

    offering = live_offering(price_per_share=Decimal("12.50"), min_investment=Decimal("1250.00"))
    investor_subscription = paid_at_stripe_with_the_answer_lost(monkeypatch, offering, key="slow")  # 20,000.00

    assert post_update(offering, changes={"price_per_share": "19.20"}).status_code == 201
    subscription = Subscription.objects.get(pk=investor_subscription.pk)
    assert (subscription.status, subscription.shares, subscription.price_remainder) == (
        SubscriptionStatus.PENDING_PAYMENT,
        1041,
        Decimal("12.80"),
    )
    Subscription.objects.filter(pk=subscription.pk).update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
    subscriptions.reservations_expire()
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED

    reconfirmation.subscription_reconfirm(subscription=subscription, by=subscription.investor)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.amount) == (SubscriptionStatus.PAID, Decimal("19987.20"))
    assert Refund.objects.get(subscription=subscription).amount == Decimal("12.80")
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("19987.20")
