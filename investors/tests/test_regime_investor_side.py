"""What the regime layer asks of investors outside the subscription itself: the net worth and accredited status that
us_reg_cf reads (optional, validated; cn KYC unchanged), the risk statement through the API and the subscribe form,
and the early-close notice emails."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, OfferingReviewerFactory
from investors.models import KycProfile, KycStatus, RiskAcknowledgement, Subscription, SubscriptionStatus
from investors.tests.factories import (
    KycProfileFactory,
    RiskAcknowledgementFactory,
    SuitabilityAssessmentFactory,
    kyc_submission,
)
from projects.models import OfferingStatus, TermChange
from projects.regimes import CN, US_REG_CF, regime_for
from projects.tests.factories import OfferingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KYC = "/api/v1/me/kyc/"
STATEMENT = "/api/v1/me/risk-acknowledgement/"


# KYC: net worth and accredited status --------------------------------------------------------------------------------


def test_cn_kyc_without_net_worth_or_accreditation_is_accepted_as_before(api_client, investor):
    response = api_client.put(KYC, kyc_submission(), format="json")

    assert response.status_code == 200, response.json()
    kyc = KycProfile.objects.get(user=investor)
    assert (kyc.net_worth, kyc.accredited_investor, kyc.currency) == (None, False, "CNY")


def test_kyc_records_net_worth_and_accredited_status_when_given(api_client, investor):
    response = api_client.put(KYC, kyc_submission(net_worth="350000.00", accredited_investor=True), format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["net_worth"], response.json()["accredited_investor"]) == ("350000.00", True)
    kyc = KycProfile.objects.get(user=investor)
    assert (kyc.net_worth, kyc.accredited_investor) == (Decimal("350000.00"), True)


def test_kyc_under_us_reg_cf_records_figures_in_dollars(api_client, investor, settings):
    settings.MICHOU_REGIME = "us_reg_cf"
    api_client.put(KYC, kyc_submission(net_worth="90000.00"), format="json")
    assert KycProfile.objects.get(user=investor).currency == "USD"


@pytest.mark.parametrize(
    ("field", "value"), [("net_worth", "-1.00"), ("net_worth", "10.001"), ("accredited_investor", "perhaps")]
)
def test_invalid_net_worth_or_accreditation_is_refused_and_nothing_is_stored(api_client, investor, field, value):
    response = api_client.put(KYC, kyc_submission(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not KycProfile.objects.exists()


def test_kyc_page_offers_the_optional_net_worth_and_accreditation(client):
    client.force_login(InvestorFactory())
    page = client.get(reverse("investors:kyc"))
    assertContains(page, 'name="net_worth"')
    assertContains(page, 'name="accredited_investor"')


# The risk statement through the API ---------------------------------------------------------------------------------


def test_get_shows_the_current_regimes_statement_unsigned(api_client, investor):
    body = api_client.get(STATEMENT, HTTP_ACCEPT_LANGUAGE="en").json()

    assert (body["regime"], body["version"]) == ("cn", CN.risk_statement.version)
    assert (body["signed"], body["signed_at"]) == (False, None)
    assert "lose all the money" in body["text"]


def test_get_shows_another_regimes_statement_on_request(api_client, investor):
    body = api_client.get(STATEMENT, {"regime": "us_reg_cf"}).json()
    assert (body["regime"], body["version"]) == ("us_reg_cf", US_REG_CF.risk_statement.version)
    assert api_client.get(STATEMENT, {"regime": "mars"}).status_code == 404


def test_signing_the_current_version_records_who_what_and_when(api_client, investor):
    response = api_client.post(STATEMENT, {"version": CN.risk_statement.version, "accepted": True}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["signed"] is True
    signature = RiskAcknowledgement.objects.get(investor=investor)
    assert (signature.regime, signature.version) == ("cn", CN.risk_statement.version)
    assert signature.text == str(CN.risk_statement.text)
    assert api_client.get(STATEMENT).json()["signed"] is True


def test_signing_twice_keeps_the_first_signature(api_client, investor):
    body = {"version": CN.risk_statement.version, "accepted": True}
    first = api_client.post(STATEMENT, body, format="json").json()["signed_at"]
    again = api_client.post(STATEMENT, body, format="json").json()["signed_at"]
    assert first == again and RiskAcknowledgement.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "cn-2020.1", "accepted": True}, "version"),
        ({"version": CN.risk_statement.version, "accepted": False}, "accepted"),
        ({"version": CN.risk_statement.version, "accepted": True, "regime": "mars"}, "regime"),
    ],
    ids=["outdated version", "not accepted", "unknown regime"],
)
def test_a_signature_that_is_not_a_clear_yes_to_the_current_text_is_refused(api_client, investor, body, field):
    response = api_client.post(STATEMENT, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not RiskAcknowledgement.objects.exists()


def test_only_investors_sign_the_statement(api_client):
    api_client.force_authenticate(IssuerUserFactory())
    response = api_client.post(STATEMENT, {"version": CN.risk_statement.version, "accepted": True}, format="json")
    assert response.status_code == 403 and not RiskAcknowledgement.objects.exists()


# The risk statement in the subscribe form ---------------------------------------------------------------------------


@pytest.fixture
def web_investor(client):
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=True)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    client.force_login(kyc.user)
    return kyc.user


@pytest.fixture
def open_offering():
    now = timezone.now()
    return OfferingFactory(
        status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=10)
    )


def test_offering_page_shows_the_statement_and_its_box_until_it_is_signed(client, web_investor, open_offering):
    page = client.get(reverse("projects:offering_detail", args=[open_offering.pk]))
    assertContains(page, "Risk statement")
    assertContains(page, 'name="accept_risks"')

    RiskAcknowledgementFactory(investor=web_investor)
    page = client.get(reverse("projects:offering_detail", args=[open_offering.pk]))
    assertNotContains(page, 'name="accept_risks"')


def post_subscribe(client, offering, **extra):
    page = client.get(reverse("projects:offering_detail", args=[offering.pk])).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    version = re.search(r'name="risk_version" value="([^"]+)"', page).group(1)
    body = {"amount": "20000.00", "payment_method": "pm_card_visa", "idempotency_key": key, "risk_version": version}
    return client.post(reverse("investors:subscribe", args=[offering.pk]), body | extra, follow=True)


def test_subscribing_without_ticking_the_box_is_refused_and_records_nothing(client, web_investor, open_offering):
    response = post_subscribe(client, open_offering)

    assertContains(response, "read and sign the risk statement")
    assert not Subscription.objects.exists() and not RiskAcknowledgement.objects.exists()


@pytest.mark.usefixtures("fake_stripe")
@pytest.mark.django_db(transaction=True)
def test_ticking_the_box_signs_the_statement_and_subscribes(client, web_investor, open_offering):
    response = post_subscribe(client, open_offering, accept_risks="on")

    assertContains(response, "Your subscription is recorded.")
    assert RiskAcknowledgement.objects.get(investor=web_investor).version == CN.risk_statement.version
    assert Subscription.objects.get(investor=web_investor).status == SubscriptionStatus.PAID


@pytest.mark.parametrize(
    "refusal, extra",
    [("over the remaining capacity", {"amount": "1600000.00"}), ("below the minimum", {"amount": "10.00"})],
    ids=["full", "too_small"],
)
def test_a_refused_subscription_leaves_no_signature_behind(client, web_investor, open_offering, refusal, extra):
    response = post_subscribe(client, open_offering, accept_risks="on", **extra)

    assert response.status_code == 200
    assertNotContains(response, "Your subscription is recorded.")
    assert not Subscription.objects.exists()
    assert not RiskAcknowledgement.objects.exists()


# Early close, under every regime: investors are told -----------------------------------------------------------------


def live_offering_open_25_days(raised: str, *, regime: str = "us_reg_cf"):
    """A live offering open for 25 days, with 30 to go, that has raised `raised` (all of it reserved)."""
    now = timezone.now()
    return OfferingFactory(
        regime=regime,
        currency=regime_for(regime).currency,
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=25),
        closes_at=now + dt.timedelta(days=30),
        target_amount=Decimal("1000000.00"),
        max_amount=Decimal("1500000.00"),
        raised_amount=Decimal(raised),
        reserved_amount=Decimal(raised),
    )


@pytest.mark.parametrize("regime", ["cn", "us_reg_cf"])
def test_staff_early_close_keeps_the_offering_live_and_emails_its_investors_the_new_deadline(
    regime, api_client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    offering = live_offering_open_25_days("1000000.00", regime=regime)
    investors = [InvestorFactory() for _ in range(2)]
    for index, investor in enumerate(investors):
        Subscription.objects.create(
            investor=investor,
            offering=offering,
            amount=Decimal("500000.00"),
            currency=offering.currency,
            shares=50000,
            status=SubscriptionStatus.PAID,
            idempotency_key=f"k{index}",
            request_digest="-",
            payment_method="pm_card_visa",
            created_at=now,
            reserved_until=now,
        )
    api_client.force_authenticate(OfferingReviewerFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/offerings/{offering.pk}/close/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "live"
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.LIVE
    assert TermChange.objects.get(offering=offering).term == "closes_at"
    notices = [message for message in mail.outbox if "closes early" in message.subject]
    assert sorted(message.to[0] for message in notices) == sorted(investor.email for investor in investors)
    assert timezone.localtime(offering.closes_at).isoformat() in notices[0].body


def test_early_close_before_the_target_is_met_is_refused_changes_nothing_and_emails_nobody(
    api_client, django_capture_on_commit_callbacks
):
    offering = live_offering_open_25_days("10.00")
    before = (offering.status, offering.closes_at)
    api_client.force_authenticate(OfferingReviewerFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/offerings/{offering.pk}/close/", {}, format="json")

    assert response.status_code == 409 and response.json()["error"]["code"] == "early_close_not_allowed"
    assert not mail.outbox and not TermChange.objects.exists()
    offering.refresh_from_db()
    assert (offering.status, offering.closes_at) == before
    assert not offering.transitions.exists()
