"""The regime layer on the investor side, through `POST subscriptions/` against the fake Stripe server: the signed risk
statement, cn qualification and investor cap, the us_reg_cf 12-month investment limit, and the cancellation window
of both. Each boundary is tried at, just under and just over, and each refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from investors.models import KycStatus, Refund, Subscription, SubscriptionStatus
from investors.subscriptions import gateway
from investors.tests.factories import KycProfileFactory, RiskAcknowledgementFactory, SuitabilityAssessmentFactory
from ledger.models import Line
from projects.models import Offering
from projects.regimes import months_before
from tests.support.money import eligible_investor, live_offering, subscribe
from tests.support.regimes import US, us_investor, us_offering

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe", "english")]


def invested(investor, offering, amount: str, *, status=SubscriptionStatus.PAID, created_at=None) -> Subscription:
    """A subscription made earlier, as the services leave it."""
    created_at = created_at or timezone.now() - dt.timedelta(days=1)
    return Subscription.objects.create(
        investor=investor,
        offering=offering,
        amount=Decimal(amount),
        currency=offering.currency,
        shares=int(Decimal(amount) / offering.price_per_share),
        status=status,
        idempotency_key=f"earlier-{Subscription.objects.count()}",
        request_digest="-",
        payment_method="pm_card_visa",
        created_at=created_at,
        reserved_until=created_at + dt.timedelta(minutes=15),
    )


def assert_refused_and_nothing_changed(response, status_code: int, code: str, *, offering, subscriptions_before: int):
    assert response.status_code == status_code, response.json()
    assert response.json()["error"]["code"] == code
    assert Subscription.objects.count() == subscriptions_before
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (0, 0, 0)
    assert list(gateway.list_charges()) == []
    assert not Line.objects.exists()


def assert_subscribed(response, amount: str) -> Subscription:
    """The subscription was taken for `amount` and its capacity reserved on the offering."""
    assert response.status_code == 201, response.json()
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.amount == Decimal(amount)
    subscription.offering.refresh_from_db()
    assert subscription.offering.reserved_amount == Decimal(amount)
    return subscription


# Risk statement (shared) --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("regime", ["cn", US])
def test_subscription_without_a_signed_risk_statement_is_refused(regime):
    if regime == "cn":
        offering = live_offering()
        kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=True)
        SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
        investor = kyc.user
    else:
        offering, investor = us_offering(), us_investor(signed=False)

    response = subscribe(investor, offering, "1000.00", key="unsigned")

    assert_refused_and_nothing_changed(
        response, 403, "risk_acknowledgement_required", offering=offering, subscriptions_before=0
    )
    assert response.json()["error"]["details"]["regime"] == regime


def test_a_signature_under_an_older_version_of_the_statement_does_not_count():
    offering = live_offering()
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=True)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    RiskAcknowledgementFactory(investor=kyc.user, version="cn-2020.1")

    response = subscribe(kyc.user, offering, "20000.00", key="old")

    assert_refused_and_nothing_changed(
        response, 403, "risk_acknowledgement_required", offering=offering, subscriptions_before=0
    )


def test_signing_the_statement_of_one_regime_does_not_cover_another():
    offering = us_offering()
    investor = us_investor(signed=False)
    RiskAcknowledgementFactory(investor=investor, regime="cn")

    response = subscribe(investor, offering, "1000.00", key="other-regime")

    assert_refused_and_nothing_changed(
        response, 403, "risk_acknowledgement_required", offering=offering, subscriptions_before=0
    )


# cn: qualification and investor cap --------------------------------------------------------------------------------


def unqualified_cn_investor():
    kyc = KycProfileFactory(status=KycStatus.VERIFIED, qualified=False)
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    RiskAcknowledgementFactory(investor=kyc.user)
    return kyc.user


@pytest.mark.parametrize(("amount", "accepted"), [("1000000.00", True), ("1000010.00", True), ("999990.00", False)])
def test_cn_unqualified_investor_must_invest_at_least_one_million_in_the_offering(amount, accepted):
    offering = live_offering(max_amount=Decimal("1500000.00"), target_amount=Decimal("1000000.00"))

    response = subscribe(unqualified_cn_investor(), offering, amount, key="single")

    if accepted:
        assert_subscribed(response, amount)
        return
    assert_refused_and_nothing_changed(response, 403, "not_qualified", offering=offering, subscriptions_before=0)
    details = response.json()["error"]["details"]
    assert (details["single_amount"], details["amount"]) == ("1000000.00", "999990.00")
    assert "1000000.00" in response.json()["error"]["message"]


@pytest.mark.parametrize(("investors_before", "accepted"), [(198, True), (199, True), (200, False)])
def test_cn_offering_takes_at_most_200_investors(investors_before, accepted):
    offering = live_offering()
    Offering.objects.filter(pk=offering.pk).update(investor_count=investors_before)

    response = subscribe(eligible_investor(), offering, "1000.00", key="cap")

    offering.refresh_from_db()
    if accepted:
        assert response.status_code == 201 and offering.investor_count == investors_before + 1
    else:
        assert response.status_code == 409 and response.json()["error"]["code"] == "investor_cap_reached"
        assert response.json()["error"]["details"]["investor_cap"] == 200
        assert offering.investor_count == 200 and not Subscription.objects.exists()
        assert (offering.reserved_amount, offering.raised_amount) == (0, 0)
        assert list(gateway.list_charges()) == [] and not Line.objects.exists()


def test_us_offering_has_no_investor_cap():
    offering = us_offering()
    Offering.objects.filter(pk=offering.pk).update(investor_count=5000)

    response = subscribe(us_investor(), offering, "100.00", key="many")

    assert_subscribed(response, "100.00")


def test_us_investor_needs_no_cn_qualification():
    response = subscribe(us_investor(), us_offering(), "100.00", key="small")

    assert_subscribed(response, "100.00")


# us_reg_cf: the 12-month investment limit ---------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "accepted"), [("499.00", True), ("500.00", True), ("501.00", False)])
def test_us_limit_at_just_under_and_just_over_what_remains(amount, accepted):
    investor, earlier, offering = us_investor(), us_offering(), us_offering()
    invested(investor, earlier, "2000.00")

    response = subscribe(investor, offering, amount, key="limit")

    if accepted:
        assert_subscribed(response, amount)
        return
    assert_refused_and_nothing_changed(response, 409, "limit_exceeded", offering=offering, subscriptions_before=1)


def test_us_limit_refusal_names_the_rule_and_the_numbers():
    investor, earlier, offering = us_investor(), us_offering(), us_offering()
    invested(investor, earlier, "2000.00")

    response = subscribe(investor, offering, "1000.00", key="numbers")

    assert_refused_and_nothing_changed(response, 409, "limit_exceeded", offering=offering, subscriptions_before=1)
    error = response.json()["error"]
    assert error["message"] == (
        "12-month limit USD 2,500.00; already invested USD 2,000.00; this subscription USD 1,000.00."
    )
    details = error["details"]
    assert details["rule"] == "17 CFR 227.100(a)(2)"
    assert (details["limit"], details["already_invested"], details["amount"], details["remaining"]) == (
        "2500.00",
        "2000.00",
        "1000.00",
        "500.00",
    )


def test_us_limit_refusal_reads_in_chinese_with_the_same_numbers():
    investor, earlier, offering = us_investor(), us_offering(), us_offering()
    invested(investor, earlier, "2000.00")
    client = APIClient()
    client.force_authenticate(investor)

    response = client.post(
        "/api/v1/subscriptions/",
        {"offering": offering.pk, "amount": "1000.00", "payment_method": "pm_card_visa"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="zh",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert_refused_and_nothing_changed(response, 409, "limit_exceeded", offering=offering, subscriptions_before=1)
    assert response.json()["error"]["message"] == (
        "12 个月投资限额 USD 2,500.00；已投资 USD 2,000.00；本次认购 USD 1,000.00。"
    )


@pytest.mark.parametrize(
    ("income", "net_worth", "allowed", "refused"),
    [
        ("80000.00", "60000.00", "4000.00", "4001.00"),  # 5% of the greater
        ("200000.00", "150000.00", "20000.00", "20001.00"),  # both over 124,000: 10%
        ("40000.00", None, "2500.00", "2501.00"),  # net worth not given counts as zero
    ],
)
def test_us_limit_follows_income_and_net_worth(income, net_worth, allowed, refused):
    investor = us_investor(income=income, net_worth=net_worth)
    offering = us_offering()

    over = subscribe(investor, offering, refused, key="over")
    assert_refused_and_nothing_changed(over, 409, "limit_exceeded", offering=offering, subscriptions_before=0)

    assert_subscribed(subscribe(investor, offering, allowed, key="at"), allowed)


def test_us_accredited_investor_has_no_limit():
    response = subscribe(us_investor(accredited=True), us_offering(), "100000.00", key="accredited")

    assert_subscribed(response, "100000.00")


def assert_over_the_limit_only_if_counted(response, offering, counted: bool) -> None:
    """USD 1,000 on top of an earlier USD 2,000 breaks the USD 2,500 limit only if the earlier money counts."""
    if counted:
        assert_refused_and_nothing_changed(response, 409, "limit_exceeded", offering=offering, subscriptions_before=1)
    else:
        assert_subscribed(response, "1000.00")


@pytest.mark.parametrize(
    ("status", "counted"),
    [
        (SubscriptionStatus.PENDING_PAYMENT, True),
        (SubscriptionStatus.PAID, True),
        (SubscriptionStatus.RECONFIRMATION_REQUIRED, True),
        (SubscriptionStatus.SETTLED, True),
        (SubscriptionStatus.CANCELLED, False),
        (SubscriptionStatus.REFUNDED, False),
        (SubscriptionStatus.PAYMENT_FAILED, False),
        (SubscriptionStatus.EXPIRED, False),
    ],
)
def test_us_limit_counts_money_paid_or_paying_and_not_money_given_back(status, counted):
    investor, earlier = us_investor(), us_offering()
    invested(investor, earlier, "2000.00", status=status)
    offering = us_offering()

    response = subscribe(investor, offering, "1000.00", key="status")

    assert_over_the_limit_only_if_counted(response, offering, counted)


def test_us_limit_does_not_count_subscriptions_to_offerings_of_another_regime():
    investor = us_investor()
    invested(investor, live_offering(), "20000.00")

    assert_subscribed(subscribe(investor, us_offering(), "2500.00", key="regime"), "2500.00")


@pytest.mark.parametrize(("hours_inside_window", "counted"), [(1, True), (-1, False)])
def test_us_limit_is_a_rolling_twelve_months(hours_inside_window, counted):
    investor = us_investor()
    window_start = months_before(timezone.now(), 12)
    invested(investor, us_offering(), "2000.00", created_at=window_start + dt.timedelta(hours=hours_inside_window))
    offering = us_offering()

    response = subscribe(investor, offering, "1000.00", key="window")

    assert_over_the_limit_only_if_counted(response, offering, counted)


def test_us_limit_ignores_figures_in_another_currency_and_keeps_the_floor():
    kyc_user = us_investor(income="1000000.00", net_worth="1000000.00")
    kyc_user.kyc.currency = "CNY"
    kyc_user.kyc.save()
    offering = us_offering()

    response = subscribe(kyc_user, offering, "2501.00", key="currency")

    assert_refused_and_nothing_changed(response, 409, "limit_exceeded", offering=offering, subscriptions_before=0)
    assert response.json()["error"]["details"]["limit"] == "2500.00"


# Cancellation window (both regimes) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make_offering", [live_offering, us_offering], ids=["cn", US])
@pytest.mark.parametrize(("hours_to_deadline", "allowed"), [(49, True), (47, False)])
def test_cancellation_closes_48_hours_before_the_deadline(make_offering, hours_to_deadline, allowed):
    offering = make_offering()
    investor = eligible_investor() if offering.regime == "cn" else us_investor()
    subscription_id = subscribe(investor, offering, "2000.00", key="c").json()["id"]
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() + dt.timedelta(hours=hours_to_deadline))
    client = APIClient()
    client.force_authenticate(investor)

    response = client.post(f"/api/v1/subscriptions/{subscription_id}/cancel/")

    if allowed:
        assert response.json()["status"] == "cancelled"
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["error"]["code"] == "cancellation_closed"
        assert Subscription.objects.get().status == SubscriptionStatus.PAID
        assert not Refund.objects.exists()
        offering.refresh_from_db()
        assert (offering.reserved_amount, offering.raised_amount) == (Decimal("2000.00"), Decimal("2000.00"))
