"""Bringing a deadline forward ends investors' right to cancel sooner: it is an early close, which staff decide under
every regime. An issuer may only ask for it; the request is recorded with its update and shown to staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.tests.factories import SuperuserFactory
from kernel.dates import business_days_after
from projects.models import OfferingStatus, OfferingUpdate, TermChange
from projects.tests.factories import OfferingFactory, assert_nothing_posted, offering_snapshot
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db


def updates_url(offering):
    return f"/api/v1/offerings/{offering.pk}/updates/"


def live_offering(regime="cn", currency="CNY", **overrides):
    """Open 22 days, target met, deadline in 30 days: everything an early close under any regime asks for."""
    now = timezone.now()
    values = dict(
        regime=regime,
        currency=currency,
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=22),
        closes_at=now + dt.timedelta(days=30),
        raised_amount=Decimal("1000000.00"),
        reserved_amount=Decimal("1000000.00"),
    )
    return OfferingFactory(**(values | overrides))


@pytest.mark.parametrize(("regime", "currency"), [("cn", "CNY"), ("us_reg_cf", "USD")])
def test_issuer_cannot_bring_the_deadline_forward_by_an_update(api_client, english, regime, currency):
    offering = live_offering(regime=regime, currency=currency)
    api_client.force_authenticate(offering.issuer.owner)
    sooner = business_days_after(timezone.now(), 6).replace(microsecond=0)
    before = offering_snapshot(offering)

    response = api_client.post(
        updates_url(offering),
        {"title": "Closing now", "body": "x", "changes": {"closes_at": sooner.isoformat()}},
        format="json",
    )

    assert_validation_error(response, "changes.closes_at")
    assert "staff" in response.json()["error"]["fields"]["changes.closes_at"][0]
    assert offering_snapshot(offering) == before
    assert_nothing_posted()


def test_issuer_can_still_extend_the_deadline(api_client):
    offering = live_offering()
    api_client.force_authenticate(offering.issuer.owner)
    later = (offering.closes_at + dt.timedelta(days=5)).replace(microsecond=0)

    response = api_client.post(
        updates_url(offering),
        {"title": "Longer", "body": "x", "changes": {"closes_at": later.isoformat()}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    offering.refresh_from_db()
    assert offering.closes_at == later


def test_issuer_asks_for_an_early_close_and_staff_see_the_request(api_client, client):
    offering = live_offering()
    api_client.force_authenticate(offering.issuer.owner)
    asked = business_days_after(timezone.now(), 6).replace(microsecond=0)
    before = (offering.status, offering.closes_at)

    response = api_client.post(
        updates_url(offering),
        {"title": "Target met", "body": "We would like to close early.", "requested_closes_at": asked.isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert dt.datetime.fromisoformat(response.json()["requested_closes_at"]) == asked
    assert OfferingUpdate.objects.get().requested_closes_at == asked
    offering.refresh_from_db()
    assert (offering.status, offering.closes_at) == before
    assert TermChange.objects.count() == 0
    client.force_login(SuperuserFactory())
    page = client.get(reverse("admin:projects_offering_change", args=[offering.pk]))
    assertContains(page, "Early close requested for")


@pytest.mark.parametrize("days", [31, -1], ids=["after-the-deadline", "in-the-past"])
def test_an_early_close_request_outside_the_running_window_is_refused(api_client, days):
    offering = live_offering()
    api_client.force_authenticate(offering.issuer.owner)
    asked = timezone.now() + dt.timedelta(days=days)

    response = api_client.post(
        updates_url(offering), {"title": "Ask", "body": "x", "requested_closes_at": asked.isoformat()}, format="json"
    )

    assert_validation_error(response, "requested_closes_at")
    assert_nothing_posted()


def test_web_update_form_refuses_an_earlier_deadline(client):
    offering = live_offering()
    client.force_login(offering.issuer.owner)
    sooner = timezone.localtime(business_days_after(timezone.now(), 6))

    response = client.post(
        reverse("projects:offering_update_post", args=[offering.pk]),
        {"title": "Sooner", "body": "x", "closes_at": sooner.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert_nothing_posted()


def test_web_update_form_records_an_early_close_request(client):
    offering = live_offering()
    client.force_login(offering.issuer.owner)
    asked = timezone.localtime(business_days_after(timezone.now(), 6)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("projects:offering_update_post", args=[offering.pk]),
        {"title": "Please close", "body": "x", "requested_closes_at": asked.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 302
    assert OfferingUpdate.objects.get().requested_closes_at == asked
