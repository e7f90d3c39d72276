"""An offering row whose dates Python cannot read back (a deadline in year 10000, written before dates were bounded)
is reported and skipped: the lists, the investors' pages, the admin and the risk sweep go on for everybody else."""

import datetime as dt
import importlib
import logging
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import SuperuserFactory
from investors.models import Subscription, SubscriptionStatus
from projects.models import AnnouncedCommitment, OfferingStatus
from projects.tests.factories import OfferingFactory
from risk import services as risk_services
from risk.models import Case
from tests.support.money import eligible_investor

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def live(title: str, **overrides):
    now = timezone.now()
    return OfferingFactory(
        title=title,
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=2),
        **overrides,
    )


def paid_subscription(investor, offering):
    now = timezone.now()
    return Subscription.objects.create(
        investor=investor,
        offering=offering,
        amount=Decimal("1000.00"),
        currency="CNY",
        shares=100,
        status=SubscriptionStatus.PAID,
        idempotency_key=f"k{offering.pk}",
        request_digest="d",
        payment_method="pm",
        created_at=now,
        reserved_until=now,
        paid_at=now,
    )


@pytest.fixture
def broken():
    """A live offering whose deadline was stored as year 10000, written straight to the database."""
    offering = live("Broken forever round")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_offering SET closes_at = '10000-01-01 11:59:59+00' WHERE id = %s", [offering.pk]
        )
    return offering


@pytest.fixture
def healthy():
    return live("Healthy tea round")


def test_public_lists_skip_the_unreadable_row(client, api_client, broken, healthy):
    for response in (client.get("/"), client.get("/offerings/")):
        assertContains(response, "Healthy tea round")
        assertNotContains(response, "Broken forever round")
    api = api_client.get("/api/v1/offerings/")
    assert api.status_code == 200
    assert [row["title"] for row in api.json()["results"]] == ["Healthy tea round"]


def test_investor_pages_skip_the_unreadable_row(client, broken, healthy):
    investor = eligible_investor()
    paid_subscription(investor, broken)
    paid_subscription(investor, healthy)
    client.force_login(investor)

    response = client.get("/investor/subscriptions/")

    assertContains(response, "Healthy tea round")


def test_staff_see_the_unreadable_row_reported_in_the_admin(client, broken, healthy):
    client.force_login(SuperuserFactory())

    offerings = client.get("/admin/projects/offering/")
    subscriptions = client.get("/admin/investors/subscription/")

    assertContains(offerings, "Healthy tea round")
    assertContains(offerings, f"their dates cannot be read: {broken.pk}.")
    assert subscriptions.status_code == 200


def test_sweep_reports_the_unreadable_row_and_screens_every_other_company(broken, healthy, caplog):
    AnnouncedCommitment.objects.create(offering=healthy, by="platform", amount=Decimal("50000.00"))

    with caplog.at_level(logging.ERROR, logger="risk"):
        risk_services.sweep()

    assert Case.objects.filter(issuer=healthy.issuer).exists()
    assert any(str(broken.pk) in record.getMessage() for record in caplog.records)


def test_the_migration_brings_an_unreadable_deadline_back_so_that_staff_can_open_the_offering(client, broken):
    migration = importlib.import_module("projects.migrations.0005_harm_issuer_input")

    migration.unreadable_dates_back_in_the_window(apps, None)

    broken.refresh_from_db()
    assert broken.closes_at == broken.opens_at + dt.timedelta(days=365)
    client.force_login(SuperuserFactory())
    assert client.get(reverse("admin:projects_offering_change", args=[broken.pk])).status_code == 200
