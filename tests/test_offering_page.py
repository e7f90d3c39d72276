"""The offering page an investor decides on: its header (badges, progress, days left, why one can or cannot
subscribe now), its financials and its questions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory
from investors.models import KycStatus
from investors.tests.factories import KycProfileFactory
from projects.models import OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory, live_offering

pytestmark = pytest.mark.django_db


def page(client, offering):
    return client.get(reverse("projects:offering_detail", args=[offering.pk]))


def verified_investor(client):
    investor = InvestorFactory()
    KycProfileFactory(user=investor, status=KycStatus.VERIFIED)
    client.force_login(investor)
    return investor


# Header ------------------------------------------------------------------------------------------------------------


def test_header_shows_progress_against_target_and_maximum_investors_and_days_left(client):
    now = timezone.now()
    offering = OfferingFactory(
        status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=9, hours=2),
        raised_amount=Decimal("250000.00"), reserved_amount=Decimal("250000.00"), investor_count=7,
    )

    response = page(client, offering)

    assertContains(response, "250,000.00 raised of a 1,000,000.00 target (maximum 1,500,000.00) CNY")
    assertContains(response, '<rect class="raised" x="0" y="4" width="167" height="16" rx="4"></rect>', html=True)
    assertContains(response, '<rect class="target" x="667" y="0" width="4" height="24"></rect>', html=True)
    assertContains(response, "<div><dt>Investors</dt><dd>7</dd></div>", html=True)
    assertContains(response, "<div><dt>Days left</dt><dd>10</dd></div>", html=True)


def test_open_offering_offers_a_verified_investor_the_remaining_capacity(client):
    verified_investor(client)
    offering = live_offering(reserved_amount=Decimal("1200000.00"), raised_amount=Decimal("1200000.00"))

    response = page(client, offering)

    assertContains(response, "300,000.00 CNY still available")
    assertContains(response, 'href="#subscribe"')


@pytest.mark.parametrize(
    ("make_offering", "reason"),
    [
        (lambda: OfferingFactory(status=OfferingStatus.APPROVED), "Not open yet: subscriptions open on"),
        (lambda: live_offering(reserved_amount=Decimal("1500000.00")), "Sold out"),
        (lambda: OfferingFactory(status=OfferingStatus.SUSPENDED, risk_hold=True), "Subscriptions are paused"),
        (lambda: OfferingFactory(status=OfferingStatus.CLOSED), "Subscriptions have ended."),
    ],
    ids=["not-open-yet", "sold-out", "on-hold", "ended"],
)
def test_offering_that_takes_no_money_says_why(client, make_offering, reason):
    verified_investor(client)
    offering = make_offering()

    response = page(client, offering)

    assertContains(response, reason)
    assertNotContains(response, 'href="#subscribe"')


def test_investor_without_verified_identity_is_sent_to_kyc(client):
    investor = InvestorFactory()
    KycProfileFactory(user=investor, status=KycStatus.PENDING)
    client.force_login(investor)

    response = page(client, live_offering())

    assertContains(response, "Verify your identity (KYC) before subscribing.")
    assertContains(response, f'href="{reverse("investors:kyc")}"')
    assertNotContains(response, 'href="#subscribe"')


def test_visitor_is_asked_to_log_in(client):
    response = page(client, live_offering())

    assertContains(response, "Log in to invest")


def test_badges_show_platform_tie_risk_hold_and_an_overdue_report(client):
    issuer = IssuerFactory(related_to_platform=True, related_party_note="Our fund owns shares.")
    OfferingFactory(
        issuer=issuer, status=OfferingStatus.CLOSED, opens_at=timezone.now() - dt.timedelta(days=800),
        closes_at=timezone.now() - dt.timedelta(days=760),
    )
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.SUSPENDED, risk_hold=True)

    response = page(client, offering)

    assertContains(response, 'href="#related-party-disclosure">Related to the platform</a>')
    assertContains(response, '<span class="badge danger">On hold for risk review</span>', html=True)
    assertContains(response, "Report overdue")


def test_issuer_sees_no_subscribe_button_on_their_own_offering(client):
    issuer_user = IssuerUserFactory()
    client.force_login(issuer_user)

    response = page(client, live_offering(issuer=IssuerFactory(owner=issuer_user)))

    assertContains(response, "Only investor accounts can subscribe.")
