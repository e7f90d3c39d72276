"""The regime layer on the issuer side: the platform's own entity, the issuer's 12-month cap, the shortest
subscription window and early close. Each rule is tried at, just under and just over its boundary, and every
refusal is checked to leave nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.tests.factories import IssuerUserFactory, OfferingReviewerFactory
from kernel.dates import business_days_after
from kernel.errors import DomainError, ValidationFailed
from projects import regimes, services
from projects.models import Issuer, Offering, OfferingStatus, OfferingUpdate, StatementKind, TermChange
from projects.regimes import CN, US_REG_CF, months_before, regime_for
from projects.tests.factories import (
    FinancialStatementFactory,
    IssuerFactory,
    OfferingFactory,
    company_fields,
    make_uscc,
    offering_payload,
    offering_snapshot,
    use_of_funds,
)
from tests.api_asserts import assert_validation_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

US = "us_reg_cf"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def terms(*, max_amount="1500000.00", target="1000000.00", open_days: float = 30, **overrides) -> dict:
    """Terms `offering_create` accepts: opens in an hour, open `open_days` days."""
    opens_at = timezone.now() + dt.timedelta(hours=1)
    return {
        "title": "Lantern seed round",
        "summary": "Point-of-sale software for tea shops.",
        "security": "new_shares",
        "price_per_share": Decimal("10.00"),
        "pre_money_valuation": Decimal("20000000.00"),
        "target_amount": Decimal(target),
        "max_amount": Decimal(max_amount),
        "min_investment": Decimal("100.00"),
        "opens_at": opens_at,
        "closes_at": opens_at + dt.timedelta(days=open_days),
        "use_of_funds": use_of_funds(Decimal(target)),
        "risk_factors": "You may lose everything you invest.",
    } | overrides


@pytest.fixture
def us_regime(settings):
    settings.MICHOU_REGIME = US
    return regime_for(US)


def create(issuer, **kwargs) -> Offering:
    return services.offering_create(issuer=issuer, by=issuer.owner, **terms(**kwargs))


def refusal_fields(call) -> tuple[dict, dict]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.fields, refused.value.details


# The presets -------------------------------------------------------------------------------------------------------


def test_new_offerings_are_stamped_with_the_configured_regime_and_its_currency(settings):
    issuer = IssuerFactory()
    settings.MICHOU_REGIME = "cn"
    cn_offering = create(issuer)
    settings.MICHOU_REGIME = US
    us_offering = create(issuer)

    assert (cn_offering.regime, cn_offering.currency) == ("cn", "CNY")
    assert (us_offering.regime, us_offering.currency) == (US, "USD")


def test_each_preset_states_its_rules():
    assert (CN.currency, CN.investor_cap, CN.cancel_window_hours, CN.related_party_approvals) == ("CNY", 200, 48, 2)
    assert CN.qualification.financial_assets == Decimal("3000000.00")
    assert CN.qualification.average_income == Decimal("500000.00")
    assert CN.qualification.single_amount == Decimal("1000000.00")
    assert (CN.investment_limit, CN.issuer_cap, CN.min_open_days) == (None, None, None)
    assert (CN.early_close.min_open_days, CN.early_close.notice_business_days) == (0, 5)
    assert (US_REG_CF.currency, US_REG_CF.investor_cap, US_REG_CF.qualification) == ("USD", None, None)
    assert US_REG_CF.issuer_cap.amount == Decimal("5000000.00") and US_REG_CF.min_open_days == 21
    assert (US_REG_CF.early_close.min_open_days, US_REG_CF.early_close.notice_business_days) == (21, 5)
    assert US_REG_CF.cancel_window_hours == 48


@pytest.mark.parametrize(
    ("assets", "income", "qualified"),
    [
        ("3000000.00", "0.00", True),
        ("2999999.99", "0.00", False),
        ("0.00", "500000.00", True),
        ("0.00", "499999.99", False),
        ("2999999.99", "499999.99", False),
    ],
)
def test_cn_qualified_investor_boundaries(assets, income, qualified):
    assert CN.qualification.is_met(financial_assets=Decimal(assets), average_income=Decimal(income)) is qualified


# The investment limit formula (17 CFR 227.100(a)(2)) --------------------------------------------------------------

LIMIT = US_REG_CF.investment_limit


@pytest.mark.parametrize(
    ("income", "net_worth", "limit"),
    [
        ("0.00", "0.00", "2500.00"),
        ("50000.00", "0.00", "2500.00"),  # 5% is exactly the floor
        ("50000.01", "0.00", "2500.00"),  # 5% is 2500.0005: rounded down to the cent
        ("50000.20", "0.00", "2500.01"),
        ("80000.00", "60000.00", "4000.00"),
        ("123999.99", "200000.00", "10000.00"),  # income just under: 5% of the greater
        ("124000.00", "124000.00", "12400.00"),  # both at the threshold: 10%
        ("124000.00", "123999.99", "6200.00"),  # net worth just under: 5%
        ("1240000.00", "500000.00", "124000.00"),  # 10% is exactly the cap
        ("1240000.10", "500000.00", "124000.00"),  # just over: capped
        ("1239999.90", "500000.00", "123999.99"),  # just under the cap
    ],
)
def test_us_investment_limit_at_the_boundaries(income, net_worth, limit):
    assert LIMIT.amount_for(annual_income=Decimal(income), net_worth=Decimal(net_worth)) == Decimal(limit)


money = st.decimals(min_value=0, max_value=Decimal("1000000000.00"), places=2, allow_nan=False, allow_infinity=False)


@given(income=money, net_worth=money)
def test_us_limit_is_the_rule_rounded_down_to_the_cent(income, net_worth):
    limit = LIMIT.amount_for(annual_income=income, net_worth=net_worth)
    greater = max(income, net_worth)
    if income < LIMIT.threshold or net_worth < LIMIT.threshold:
        exact = max(Decimal("2500"), greater * Decimal("0.05"))
    else:
        exact = min(greater * Decimal("0.10"), Decimal("124000"))
    assert isinstance(limit, Decimal) and limit == limit.quantize(Decimal("0.01"))
    assert exact - Decimal("0.01") < limit <= exact


@given(income=money, net_worth=money)
def test_us_limit_never_falls_below_the_floor_and_reads_income_and_net_worth_alike(income, net_worth):
    limit = LIMIT.amount_for(annual_income=income, net_worth=net_worth)
    assert limit >= LIMIT.floor
    assert limit == LIMIT.amount_for(annual_income=net_worth, net_worth=income)


above_threshold = st.decimals(min_value=124000, max_value=10**12, places=2)


@given(income=above_threshold, net_worth=above_threshold)
def test_us_limit_of_investors_above_the_threshold_never_exceeds_the_cap(income, net_worth):
    assert LIMIT.amount_for(annual_income=income, net_worth=net_worth) <= LIMIT.cap


# Calendar helpers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), dt.datetime(2025, 11, 28, 10, 0, tzinfo=SHANGHAI)),
        (dt.datetime(2028, 2, 29, 9, 30, tzinfo=SHANGHAI), dt.datetime(2027, 2, 28, 9, 30, tzinfo=SHANGHAI)),
        (dt.datetime(2026, 1, 15, 0, 0, tzinfo=SHANGHAI), dt.datetime(2025, 1, 15, 0, 0, tzinfo=SHANGHAI)),
    ],
)
def test_twelve_months_before_is_the_same_day_a_year_earlier(moment, expected):
    assert months_before(moment, 12) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)),  # Fri
        (dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)),  # Sat
        (dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)),  # Wed
    ],
)
def test_five_business_days_skip_the_weekend(moment, expected):
    assert business_days_after(moment, 5) == expected


# The platform may not raise for itself ------------------------------------------------------------------------------

OWN_USCC = make_uscc(990001)


def test_registering_the_platforms_own_entity_as_an_issuer_is_refused(settings):
    settings.PLATFORM_OWN_ENTITY_USCCS = [OWN_USCC]
    owner = IssuerUserFactory()

    fields, _details = refusal_fields(
        lambda: services.issuer_create(
            owner=owner,
            legal_name="Michou Platform Ltd",
            uscc=OWN_USCC,
            industry="finance",
            founded_on=dt.date(2015, 1, 1),
            description="The platform itself.",
        )
    )

    assert "platform may not raise money for itself" in fields["uscc"][0]
    assert not Issuer.objects.exists()


def test_registering_another_company_is_not_affected_by_the_own_entity_list(settings):
    settings.PLATFORM_OWN_ENTITY_USCCS = [OWN_USCC]
    issuer = services.issuer_create(
        owner=IssuerUserFactory(),
        legal_name="Tea Shop Ltd",
        uscc=make_uscc(990002),
        industry="retail",
        founded_on=dt.date(2015, 1, 1),
        description="Tea.",
    )
    assert Issuer.objects.get(pk=issuer.pk).uscc == make_uscc(990002)


def test_an_offering_of_the_platforms_own_entity_is_refused_at_creation_and_submission(settings):
    issuer = IssuerFactory(uscc=OWN_USCC)
    draft = OfferingFactory(issuer=issuer)
    settings.PLATFORM_OWN_ENTITY_USCCS = [OWN_USCC]

    fields, _details = refusal_fields(lambda: create(issuer))
    assert "platform may not raise money for itself" in fields["issuer"][0]
    fields, _details = refusal_fields(lambda: services.offering_submit(offering=draft, by=issuer.owner))
    assert "issuer" in fields

    assert Offering.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == OfferingStatus.DRAFT


# Shortest subscription window (17 CFR 227.304(a)) -------------------------------------------------------------------


def test_us_offering_open_exactly_21_days_is_accepted(us_regime):
    offering = create(IssuerFactory(), open_days=21)

    assert offering.closes_at - offering.opens_at == dt.timedelta(days=21)
    assert Offering.objects.filter(pk=offering.pk, status=OfferingStatus.DRAFT).exists()


def test_us_offering_open_a_second_less_than_21_days_is_refused(us_regime):
    fields, _details = refusal_fields(lambda: create(IssuerFactory(), open_days=21 - 1 / 86400))

    assert "at least 21 days" in fields["closes_at"][0]
    assert not Offering.objects.exists()


def test_cn_offering_may_be_open_for_a_single_day(settings):
    settings.MICHOU_REGIME = "cn"
    offering = create(IssuerFactory(), open_days=1)

    assert offering.closes_at - offering.opens_at == dt.timedelta(days=1)
    assert Offering.objects.filter(pk=offering.pk, status=OfferingStatus.DRAFT).exists()


def test_us_draft_cannot_be_edited_to_a_shorter_window(us_regime):
    offering = create(IssuerFactory(), open_days=30)
    before = offering_snapshot(offering)

    fields, _details = refusal_fields(
        lambda: services.offering_edit_draft(
            offering=offering, by=offering.issuer.owner, closes_at=offering.opens_at + dt.timedelta(days=20)
        )
    )

    assert "at least 21 days" in fields["closes_at"][0]
    assert offering_snapshot(offering) == before


# The issuer's 12-month cap (17 CFR 227.100(a)(1)) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_amount", "accepted"), [("4999999.99", True), ("5000000.00", True), ("5000000.01", False)]
)
def test_us_offering_maximum_against_the_issuer_cap(us_regime, max_amount, accepted):
    issuer = IssuerFactory()
    if accepted:
        assert create(issuer, max_amount=max_amount).max_amount == Decimal(max_amount)
        return
    fields, details = refusal_fields(lambda: create(issuer, max_amount=max_amount))
    assert fields["max_amount"] == [
        "12-month issuer limit USD 5,000,000.00; already raised or open USD 0.00; this offering's maximum "
        "USD 5,000,000.01."
    ]
    assert details["rule"] == "17 CFR 227.100(a)(1)" and details["limit"] == "5000000.00"
    assert not Offering.objects.exists()


@pytest.mark.parametrize(("max_amount", "accepted"), [("2000000.00", True), ("2000000.01", False)])
def test_us_issuer_cap_counts_open_offerings_at_their_maximum(us_regime, max_amount, accepted):
    issuer = IssuerFactory()
    us = {"issuer": issuer, "regime": US, "currency": "USD"}
    OfferingFactory(**us, status=OfferingStatus.LIVE, max_amount=Decimal("3000000.00"))
    OfferingFactory(**us, status=OfferingStatus.DRAFT, max_amount=Decimal("4000000.00"))
    OfferingFactory(issuer=issuer, regime="cn", status=OfferingStatus.LIVE, max_amount=Decimal("4000000.00"))

    if accepted:
        assert create(issuer, max_amount=max_amount).max_amount == Decimal(max_amount)
    else:
        fields, details = refusal_fields(lambda: create(issuer, max_amount=max_amount))
        assert "already raised or open USD 3,000,000.00" in fields["max_amount"][0]
        assert details["already_raised_or_open"] == "3000000.00"
        assert Offering.objects.count() == 3


@pytest.mark.parametrize(("closed_months_ago", "counted"), [(11, True), (13, False)])
def test_us_issuer_cap_counts_money_raised_in_the_last_12_months(us_regime, closed_months_ago, counted):
    issuer = IssuerFactory()
    closed_at = months_before(timezone.now(), closed_months_ago)
    OfferingFactory(
        issuer=issuer,
        regime=US,
        currency="USD",
        status=OfferingStatus.CLOSED,
        opens_at=closed_at - dt.timedelta(days=30),
        closes_at=closed_at,
        max_amount=Decimal("2000000.00"),
        raised_amount=Decimal("1000000.00"),
        reserved_amount=Decimal("1000000.00"),
    )
    # The annual reports owed after that raise are filed, so that only the cap can refuse.
    for year in range(timezone.localdate(closed_at).year, timezone.localdate().year):
        FinancialStatementFactory(issuer=issuer, fiscal_year=year, kind=StatementKind.ACTUAL)

    if counted:
        fields, _details = refusal_fields(lambda: create(issuer, max_amount="4000000.01"))
        assert "already raised or open USD 1,000,000.00" in fields["max_amount"][0]
        assert Offering.objects.count() == 1
    else:
        assert create(issuer, max_amount="5000000.00").max_amount == Decimal("5000000.00")


def test_us_submission_is_refused_when_other_open_offerings_took_the_cap(us_regime):
    issuer = IssuerFactory()
    draft = create(issuer, max_amount="3000000.00")
    OfferingFactory(
        issuer=issuer, regime=US, currency="USD", status=OfferingStatus.IN_REVIEW, max_amount=Decimal("2500000.00")
    )

    fields, details = refusal_fields(lambda: services.offering_submit(offering=draft, by=issuer.owner))

    assert fields["max_amount"] == [
        "12-month issuer limit USD 5,000,000.00; already raised or open USD 2,500,000.00; this offering's maximum "
        "USD 3,000,000.00."
    ]
    draft.refresh_from_db()
    assert draft.status == OfferingStatus.DRAFT and not draft.transitions.exists()


def test_cn_has_no_issuer_cap(settings):
    settings.MICHOU_REGIME = "cn"
    assert create(IssuerFactory(), max_amount="50000000.00", target="10000000.00").max_amount == Decimal("50000000.00")


# Early close (17 CFR 227.304(b)) ------------------------------------------------------------------------------------


def us_live_offering(
    *, opened_days_ago: float = 22, raised: str = "1000000.00", closes_in_days: float = 30
) -> Offering:
    now = timezone.now()
    return OfferingFactory(
        regime=US,
        currency="USD",
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=opened_days_ago),
        closes_at=now + dt.timedelta(days=closes_in_days),
        target_amount=Decimal("1000000.00"),
        max_amount=Decimal("1500000.00"),
        raised_amount=Decimal(raised),
        reserved_amount=Decimal(raised),
    )


def snapshot(offering) -> tuple:
    offering.refresh_from_db()
    return offering.status, offering.closes_at, TermChange.objects.count(), OfferingUpdate.objects.count()


def test_us_early_close_moves_the_deadline_to_five_business_days_after_the_notice_as_a_term_change():
    offering, staff = us_live_offering(), OfferingReviewerFactory()
    old_deadline = offering.closes_at
    before = timezone.now()

    services.offering_close_early(offering=offering, by=staff)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.LIVE
    assert business_days_after(before, 5) <= offering.closes_at <= business_days_after(timezone.now(), 5)
    change = TermChange.objects.get(offering=offering)
    assert change.term == "closes_at" and change.old_value == old_deadline.isoformat()
    assert change.update.posted_by == staff


def test_us_early_close_keeps_a_requested_deadline_later_than_the_notice_period():
    offering = us_live_offering()
    requested = business_days_after(timezone.now(), 8)

    services.offering_close_early(offering=offering, by=OfferingReviewerFactory(), closes_at=requested)

    offering.refresh_from_db()
    assert offering.closes_at == requested


def test_us_early_close_lifts_a_too_early_requested_deadline_to_the_notice_period():
    offering, before = us_live_offering(), timezone.now()

    services.offering_close_early(
        offering=offering, by=OfferingReviewerFactory(), closes_at=before + dt.timedelta(hours=1)
    )

    offering.refresh_from_db()
    assert business_days_after(before, 5) <= offering.closes_at <= business_days_after(timezone.now(), 5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"raised": "999999.99"}, "target is met: target USD 1,000,000.00, raised USD 999,999.99"),
        ({"opened_days_ago": 21 - 1 / 24}, "only after 21 days open"),
        ({"closes_in_days": 3}, "no later than an early close could"),
    ],
    ids=["target not met by a cent", "open an hour less than 21 days", "deadline already near"],
)
def test_us_early_close_is_refused_with_its_reason_and_changes_nothing(overrides, message):
    offering = us_live_offering(**overrides)
    before = snapshot(offering)

    with pytest.raises(DomainError) as refused:
        services.offering_close_early(offering=offering, by=OfferingReviewerFactory())

    assert refused.value.code == "early_close_not_allowed"
    assert message in refused.value.message
    assert refused.value.details["rule"] == "17 CFR 227.304(b)"
    assert snapshot(offering) == before


def test_us_early_close_is_allowed_exactly_21_days_after_opening():
    offering = us_live_offering(opened_days_ago=21 + 1 / 86400)
    services.offering_close_early(offering=offering, by=OfferingReviewerFactory())
    assert TermChange.objects.filter(offering=offering, term="closes_at").exists()


def test_us_issuer_cannot_bring_the_deadline_forward_by_an_update_it_is_staff_who_close_early():
    offering = us_live_offering(raised="500000.00")
    before = snapshot(offering)

    with pytest.raises(ValidationFailed) as refused:
        services.offering_update_post(
            offering=offering,
            by=offering.issuer.owner,
            title="Closing sooner",
            body="We close next week.",
            changes={"closes_at": business_days_after(timezone.now(), 6)},
        )

    assert "only staff decide" in refused.value.fields["changes.closes_at"][0]
    assert "target is met" in refused.value.fields["changes.closes_at"][1]
    assert snapshot(offering) == before


def cn_live_offering(*, raised: str) -> Offering:
    now = timezone.now()
    return OfferingFactory(
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        target_amount=Decimal("1000000.00"),
        max_amount=Decimal("1500000.00"),
        raised_amount=Decimal(raised),
        reserved_amount=Decimal(raised),
    )


def test_cn_early_close_gives_investors_notice_and_keeps_the_offering_open_until_the_new_deadline():
    offering, staff = cn_live_offering(raised="1000000.00"), OfferingReviewerFactory()
    before = timezone.now()

    services.offering_close_early(offering=offering, by=staff)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.LIVE
    assert not offering.transitions.filter(to_status=OfferingStatus.CLOSING).exists()
    assert business_days_after(before, 5) <= offering.closes_at <= business_days_after(timezone.now(), 5)
    # Investors may still cancel for at least 3 business days after the notice.
    cancel_until = offering.closes_at - dt.timedelta(hours=CN.cancel_window_hours)
    assert cancel_until >= business_days_after(before, 3)
    change = TermChange.objects.get(offering=offering)
    assert change.term == "closes_at" and change.update.posted_by == staff


def test_cn_early_close_before_the_target_is_met_is_refused_and_changes_nothing():
    offering = cn_live_offering(raised="999999.99")
    before = snapshot(offering)

    with pytest.raises(DomainError) as refused:
        services.offering_close_early(offering=offering, by=OfferingReviewerFactory())

    assert refused.value.code == "early_close_not_allowed"
    assert "target is met: target CNY 1,000,000.00, raised CNY 999,999.99" in refused.value.message
    assert refused.value.details["rule"] == CN.early_close.source
    assert snapshot(offering) == before


def test_regime_lookup_refuses_an_unknown_code():
    with pytest.raises(KeyError):
        regimes.regime_for("mars")


# Through the API: the same rules answer with the contract's error body ----------------------------------------------


def test_api_refuses_registering_the_platforms_own_entity_with_a_field_error(api_client, settings):
    settings.PLATFORM_OWN_ENTITY_USCCS = [OWN_USCC]
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post(
        "/api/v1/issuers/",
        company_fields(legal_name="Michou Platform Ltd", uscc=OWN_USCC, related_to_platform=False),
        format="json",
    )

    assert_validation_error(response, "uscc")
    assert "platform may not raise money for itself" in response.json()["error"]["fields"]["uscc"][0]
    assert not Issuer.objects.exists()


def test_api_refuses_a_us_offering_open_under_21_days_with_a_field_error(api_client, us_regime):
    issuer = IssuerFactory()
    api_client.force_authenticate(issuer.owner)
    opens_at = timezone.now() + dt.timedelta(days=1)

    response = api_client.post(
        "/api/v1/offerings/",
        offering_payload(
            issuer, opens_at=opens_at.isoformat(), closes_at=(opens_at + dt.timedelta(days=20)).isoformat()
        ),
        format="json",
    )

    assert_validation_error(response, "closes_at")
    assert "at least 21 days" in response.json()["error"]["fields"]["closes_at"][0]
    assert not Offering.objects.exists()
