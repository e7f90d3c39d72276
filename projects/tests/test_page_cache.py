"""Anonymous offering pages come from the cache during a crowd, and a change to the offering shows on them at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.tests.factories import InvestorFactory
from projects import services
from projects.models import Offering, OfferingStatus
from projects.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache_on(settings, english):
    settings.PAGE_CACHE_SECONDS = 60  # far longer than the test: only a version bump can refresh a page
    cache.clear()
    yield
    cache.clear()


def live(**values):
    now = timezone.now()
    return OfferingFactory(
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=9),
        raised_amount=Decimal("250000.00"),
        reserved_amount=Decimal("250000.00"),
        investor_count=7,
        **values,
    )


def raised_text(amount):
    return f"{amount} raised of a 1,000,000.00 target (maximum 1,500,000.00) CNY"


@pytest.mark.parametrize("url_name", ["projects:offering_detail", "projects:offering_list"])
def test_a_payment_shows_on_the_anonymous_pages_at_once(
    client, page_cache_on, django_capture_on_commit_callbacks, url_name
):
    offering = live()
    url = reverse(url_name, args=[offering.pk]) if url_name.endswith("detail") else reverse(url_name)
    client.get(url)
    # A write behind the services bumps no version: the cached page is served as it was.
    Offering.objects.filter(pk=offering.pk).update(raised_amount=Decimal("260000.00"))
    assert "260,000.00" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_raised_add(offering_id=offering.pk, amount=Decimal("1000.00"))

    assertContains(client.get(url), "261,000.00")


def test_a_status_change_shows_on_the_anonymous_page_at_once(client, page_cache_on, django_capture_on_commit_callbacks):
    offering = live()
    url = reverse("projects:offering_detail", args=[offering.pk])
    assertContains(client.get(url), raised_text("250,000.00"))

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_risk_hold_set(offering_id=offering.pk, hold=True, reason="Critical case.")

    assertContains(client.get(url), "Suspended")


def test_each_anonymous_visitor_gets_a_csrf_token_of_their_own_from_a_cached_page(page_cache_on):
    offering = live()
    url = reverse("projects:offering_detail", args=[offering.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(url)

    response = second.get(url)

    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert "\x00" not in response.content.decode()
    switched = second.post(reverse("set_language"), {"language": "zh-hans", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_a_signed_in_investor_is_never_served_a_cached_page(client, page_cache_on):
    offering = live()
    url = reverse("projects:offering_detail", args=[offering.pk])
    Client().get(url)
    Offering.objects.filter(pk=offering.pk).update(raised_amount=Decimal("260000.00"))
    client.force_login(InvestorFactory())

    assertContains(client.get(url), raised_text("260,000.00"))
