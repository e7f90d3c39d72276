"""The investor's dashboard: subscriptions with their deadlines and the actions the services would honour, and the
portfolio with each company's reported results against what it projected; its queries do not grow with either."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory
from investors.models import Holding, Subscription, SubscriptionStatus
from projects.models import OfferingStatus, StatementKind
from projects.tests.factories import IssuerFactory, OfferingFactory, raise_that_missed_its_projection

pytestmark = pytest.mark.django_db

DASHBOARD = "/investor/"


def open_offering(title: str = "Open", *, closes_in: dt.timedelta = dt.timedelta(days=20)):
    now = timezone.now()
    return OfferingFactory(
        title=title, status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=2), closes_at=now + closes_in
    )


def subscription(investor, offering, *, status=SubscriptionStatus.PAID, amount="10000.00", **fields) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        investor=investor, offering=offering, amount=Decimal(amount), currency="CNY", shares=100, status=status,
        idempotency_key=f"key-{Subscription.objects.count()}", request_digest="d", payment_method="pm_card_visa",
        created_at=now, reserved_until=now, paid_at=now, **fields,
    )  # fmt: skip


def company_that_raised_and_missed(investor, *, name="Hongli Energy Ltd"):
    """A company that raised in March 2024 on a projection, holds the investor's shares, and reported a loss."""
    issuer = IssuerFactory(legal_name=name, owner=IssuerUserFactory())
    offering = raise_that_missed_its_projection(issuer)
    settled = subscription(investor, offering, status=SubscriptionStatus.SETTLED)
    Holding.objects.create(
        subscription=settled, investor=investor, offering=offering, shares=100, amount=Decimal("10000.00"),
        currency="CNY", acquired_at=dt.datetime(2024, 4, 2, tzinfo=dt.UTC),
    )  # fmt: skip
    return issuer


def test_open_subscriptions_show_their_deadlines_nearest_first_with_the_cancel_button(client):
    investor = InvestorFactory()
    later = open_offering("Later deadline")
    sooner = open_offering("Sooner deadline", closes_in=dt.timedelta(days=5))
    paid_later = subscription(investor, later)
    reconfirm_by = timezone.now() + dt.timedelta(days=2)
    subscription(investor, sooner, status=SubscriptionStatus.RECONFIRMATION_REQUIRED, reconfirm_deadline=reconfirm_by)
    subscription(investor, open_offering("Finished"), status=SubscriptionStatus.CANCELLED)
    client.force_login(investor)

    response = client.get(DASHBOARD)

    content = response.content.decode()
    assert content.index("Sooner deadline") < content.index("Later deadline")
    assertNotContains(response, "Finished")
    assertContains(response, "Confirm the new terms before")
    assertContains(response, f'<time datetime="{timezone.localtime(reconfirm_by).isoformat()}">')
    assertContains(response, reverse("investors:subscription_cancel", args=[paid_later.pk]))
    waiting = Subscription.objects.get(offering=sooner)
    assertContains(response, reverse("investors:subscription_reconfirm", args=[waiting.pk]))


def test_a_subscription_past_its_cancel_deadline_offers_no_cancel_button(client):
    investor = InvestorFactory()
    closing_soon = open_offering("Closing tomorrow", closes_in=dt.timedelta(hours=20))
    paid = subscription(investor, closing_soon)
    client.force_login(investor)

    response = client.get(DASHBOARD)

    assertContains(response, "cannot be cancelled now")
    assertNotContains(response, reverse("investors:subscription_cancel", args=[paid.pk]))


def test_portfolio_sets_each_companys_actual_results_against_its_projection(client):
    investor = InvestorFactory()
    issuer = company_that_raised_and_missed(investor)
    client.force_login(investor)

    response = client.get(DASHBOARD)

    assertContains(response, "Hongli Energy Ltd")
    assertContains(response, "Below the review threshold")
    assertContains(response, "-176.6%")
    assertContains(response, f'id="company-{issuer.pk}-profit-chart-caption"')


def test_a_company_without_actual_results_says_so(client):
    investor = InvestorFactory()
    issuer = company_that_raised_and_missed(investor)
    issuer.statements.filter(kind=StatementKind.ACTUAL).delete()
    client.force_login(investor)

    assertContains(client.get(DASHBOARD), "has not yet reported actual results")


def test_only_investors_open_the_dashboard(client):
    client.force_login(IssuerUserFactory())
    assert client.get(DASHBOARD).status_code == 403
    client.logout()
    assert client.get(DASHBOARD)["Location"].startswith(reverse("accounts:login"))


def test_dashboard_queries_do_not_grow_with_subscriptions_holdings_and_statements(client):
    investor = InvestorFactory()
    client.force_login(investor)

    def add(count: int) -> None:
        for _index in range(count):
            company_that_raised_and_missed(investor, name=f"Company {Subscription.objects.count()}")
            subscription(investor, open_offering())

    add(1)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(DASHBOARD).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as with_many:
        assert client.get(DASHBOARD).status_code == 200

    assert len(with_many) <= len(with_one)
