"""Every rule of the review policy at, just under and just over its thresholds.

The facts are built in memory (unsaved model instances with explicit primary keys, put straight into the selectors'
dataclasses), so these tests need no database: each one is the rule's arithmetic and nothing else. Thresholds come
from `risk.policy.current_policy()`; a test that moves one does it through settings.RISK_POLICY.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, User
from investors.models import KycProfile, KycStatus, Subscription, SubscriptionStatus
from projects.models import (
    AnnouncedCommitment,
    CommitmentParty,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingStatus,
    OfferingUpdate,
    PortfolioCompany,
    Security,
    TermChange,
)
from risk.policy import current_policy
from risk.rules import (
    assurance,
    claims,
    commitments,
    financials,
    forecast,
    identity,
    interim,
    performance,
    platform,
    reporting,
    shill,
    terms,
)
from risk.selectors import InvestorFacts, IssuerFacts, OfferingFacts

# Builders ---------------------------------------------------------------------------------------------------------

CENT = Decimal("0.01")
ISSUER_ID = 1
USCC = "91110105000000001X"
_ids = itertools.count(1000)


def D(value) -> Decimal:
    """Money as the database gives it back: two decimal places."""
    return Decimal(str(value)).quantize(CENT)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware moment in the platform's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


# One raise's calendar, used unless a test says otherwise: live in March 2025, deadline at the end of June.
OPENS = at(2025, 3, 1, 10)
CLOSES = at(2025, 6, 30, 18)
CLOSED_AT = at(2025, 7, 1, 9)
PAID_AT = at(2025, 3, 10)
RAISE_YEAR = 2025


def policy_with(settings, **changes) -> object:
    """Move some thresholds for this test (pytest-django restores the setting) and return the policy they give."""
    settings.RISK_POLICY = {**settings.RISK_POLICY, **{name: str(value) for name, value in changes.items()}}
    return current_policy()


def make_user(*, joined: dt.datetime = at(2024, 1, 1), phone: str | None = None, kyc_status=KycStatus.VERIFIED,
              id_hash: str | None = None) -> User:
    pk = next(_ids)
    user = User(pk=pk, username=f"investor{pk}", role=Role.INVESTOR, date_joined=joined)
    user.kyc = KycProfile(
        pk=next(_ids),
        user=user,
        real_name=f"Investor {pk}",
        id_number_encrypted="",
        id_number_hash=id_hash or f"hash-{pk}",
        id_number_masked="110101********123X",
        date_of_birth=dt.date(1980, 5, 17),
        phone=phone or f"139{pk:08d}",
        annual_income=D("200000"),
        financial_assets=D("800000"),
        status=kyc_status,
        submitted_at=joined,
    )
    return user


def make_issuer(**overrides) -> Issuer:
    fields = dict(
        pk=ISSUER_ID,
        legal_name="Lantern Tea Tech Ltd",
        uscc=USCC,
        industry="software",
        founded_on=dt.date(2015, 3, 1),
        description="Point-of-sale software for tea shops.",
        related_to_platform=False,
        platform_stake_pct=D("0"),
    )
    return Issuer(**(fields | overrides))


def make_statement(fiscal_year: int, period: str = "FY", kind: str = "historical", *, revenue="10000000",
                   net_profit="1000000", total_assets="8000000", total_liabilities="3000000", audited: bool = True,
                   filed_at: dt.datetime | None = None, supersedes: FinancialStatement | None = None,
                   ) -> FinancialStatement:
    if filed_at is None:
        # A projection is filed before its year starts raising; past figures after their year ends.
        filed_at = at(fiscal_year, 2, 1) if kind == "projection" else at(fiscal_year + 1, 2, 1)
    return FinancialStatement(
        pk=next(_ids),
        issuer_id=ISSUER_ID,
        fiscal_year=fiscal_year,
        period=period,
        kind=kind,
        version=supersedes.version + 1 if supersedes else 1,
        supersedes=supersedes,
        revenue=D(revenue),
        net_profit=D(net_profit),
        total_assets=D(total_assets),
        total_liabilities=D(total_liabilities),
        audited=audited,
        filed_at=filed_at,
    )


def refile(earlier: FinancialStatement, *, filed_at: dt.datetime | None = None, **figures) -> FinancialStatement:
    """A new version of `earlier` with some figures changed."""
    values = {name: getattr(earlier, name) for name in ("revenue", "net_profit", "total_assets", "total_liabilities")}
    return make_statement(
        earlier.fiscal_year, earlier.period, earlier.kind, audited=earlier.audited, supersedes=earlier,
        filed_at=filed_at or earlier.filed_at + dt.timedelta(days=30), **(values | figures),
    )


def make_offering(*, status=OfferingStatus.LIVE, target="1000000", closes_at: dt.datetime = CLOSES, **overrides
                  ) -> Offering:
    pk = next(_ids)
    fields = dict(
        pk=pk,
        issuer_id=ISSUER_ID,
        regime="cn",
        currency="CNY",
        title=f"Lantern round {pk}",
        summary="Seed round to build the product.",
        security=Security.NEW_SHARES,
        price_per_share=D("10"),
        pre_money_valuation=D("20000000"),
        target_amount=D(target),
        max_amount=D(target) * 2,
        min_investment=D("1000"),
        opens_at=OPENS,
        closes_at=closes_at,
        use_of_funds=[{"category": "product development", "amount": str(D(target))}],
        risk_factors="You may lose everything you invest.",
        status=status,
    )
    return Offering(**(fields | overrides))


def make_subscription(investor: User, offering: Offering, amount, *, status=SubscriptionStatus.PAID,
                      paid_at: dt.datetime | None = PAID_AT, created_at: dt.datetime | None = None, card: str = "",
                      ip: str = "", insider: bool = False) -> Subscription:
    created_at = created_at or paid_at or PAID_AT
    return Subscription(
        pk=next(_ids),
        investor=investor,
        offering=offering,
        amount=D(amount),
        currency="CNY",
        shares=int(D(amount) / offering.price_per_share),
        status=status,
        idempotency_key=f"key-{next(_ids)}",
        payment_method="pm_card_visa",
        card_fingerprint=card,
        client_ip=ip or None,
        insider_of_issuer=insider,
        created_at=created_at,
        reserved_until=created_at + dt.timedelta(minutes=15),
        paid_at=paid_at,
    )


def make_commitment(offering: Offering, amount, *, by=CommitmentParty.LEAD, investor: User | None = None
                    ) -> AnnouncedCommitment:
    return AnnouncedCommitment(pk=next(_ids), offering=offering, by=by, investor=investor, amount=D(amount))


def make_update(offering: Offering, *, title="News", body="", material_change=False, posted_at=at(2025, 4, 1)
                ) -> OfferingUpdate:
    return OfferingUpdate(pk=next(_ids), offering=offering, title=title, body=body, material_change=material_change,
                          posted_at=posted_at)


def make_term_change(offering: Offering, term: str, *, changed_at: dt.datetime, old="old", new="new",
                     material_change: bool = False) -> TermChange:
    update = make_update(offering, title=f"About the {term}", material_change=material_change, posted_at=changed_at)
    return TermChange(pk=next(_ids), offering=offering, update=update, term=term, old_value=old, new_value=new,
                      changed_at=changed_at)


def raise_of(offering: Offering, *, subscriptions=(), commitments=(), term_changes=(), updates=(),
             went_live_at: dt.datetime | None | str = "default", closed_at: dt.datetime | None | str = "default"
             ) -> OfferingFacts:
    """An offering with what the selector would have found for it. Went live at OPENS unless it never did; closed
    at CLOSED_AT if its status says so."""
    never_live = (OfferingStatus.IN_REVIEW, OfferingStatus.APPROVED, OfferingStatus.REJECTED, OfferingStatus.DRAFT)
    if went_live_at == "default":
        went_live_at = None if offering.status in never_live else OPENS
    if closed_at == "default":
        closed_at = CLOSED_AT if offering.status == OfferingStatus.CLOSED else None
    return OfferingFacts(
        offering=offering,
        commitments=list(commitments),
        term_changes=list(term_changes),
        updates=list(updates),
        paid_subscriptions=[s for s in subscriptions if s.paid_at is not None],
        went_live_at=went_live_at,
        closed_at=closed_at,
    )


def company(*raises: OfferingFacts, statements=(), as_of: dt.datetime = at(2025, 5, 1), issuer: Issuer | None = None,
            portfolio: PortfolioCompany | None = None) -> IssuerFacts:
    return IssuerFacts(issuer=issuer or make_issuer(), as_of=as_of, statements=list(statements),
                       offerings=list(raises), portfolio_entry=portfolio)


def run(rule, facts, policy=None) -> list:
    return rule.check(facts, policy or current_policy())


def severities(findings) -> list[str]:
    return [finding.severity for finding in findings]


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def figures(finding) -> list[str]:
    return [item["figure"] for item in finding.evidence["comparisons"]]


# performance_deviation ----------------------------------------------------------------------------------------------

PROJECTED_REVENUE, PROJECTED_PROFIT = "10000000.00", "1000000.00"


def performance_facts(*, actual_revenue=PROJECTED_REVENUE, actual_profit=PROJECTED_PROFIT,
                      projection_filed_at: dt.datetime | None = None, subscriptions: bool = True) -> IssuerFacts:
    offering = make_offering(status=OfferingStatus.CLOSED)
    paid = []
    if subscriptions:
        paid = [make_subscription(make_user(), offering, "100000", status=SubscriptionStatus.SETTLED)]
    statements = [
        make_statement(RAISE_YEAR, kind="projection", revenue=PROJECTED_REVENUE, net_profit=PROJECTED_PROFIT,
                       filed_at=projection_filed_at),
        make_statement(RAISE_YEAR, kind="actual", revenue=actual_revenue, net_profit=actual_profit),
    ]
    return company(raise_of(offering, subscriptions=paid), statements=statements, as_of=at(2026, 3, 2))


@pytest.mark.parametrize(
    "actual_profit, expected",
    [
        ("500000.00", []),  # exactly 50% of the projection
        ("499999.99", ["high"]),  # a cent under 50%
        ("800000.00", []),  # a modest miss is not a deviation
        ("0.00", ["high"]),  # no profit, but no loss either
        ("-0.01", ["critical"]),  # a loss against a projected profit
        ("-2680000.00", ["critical"]),
    ],
    ids=["at-50pct", "cent-under-50pct", "80pct", "zero", "cent-of-loss", "large-loss"],
)
def test_performance_net_profit_against_projection(actual_profit, expected):
    assert severities(run(performance, performance_facts(actual_profit=actual_profit))) == expected


@pytest.mark.parametrize(
    "actual_revenue, expected",
    [("6000000.00", []), ("5999999.99", ["high"]), ("8000000.00", [])],
    ids=["at-60pct", "cent-under-60pct", "80pct"],
)
def test_performance_revenue_against_projection(actual_revenue, expected):
    assert severities(run(performance, performance_facts(actual_revenue=actual_revenue))) == expected


def test_performance_loss_with_revenue_also_short_stays_critical():
    finding = only(run(performance, performance_facts(actual_revenue="1000000", actual_profit="-500000")))

    assert finding.severity == "critical"
    assert figures(finding) == ["net_profit", "revenue"]
    assert all(item["breached"] for item in finding.evidence["comparisons"])


def test_performance_projection_filed_after_the_offering_closed_is_not_used():
    facts = performance_facts(actual_profit="100000", projection_filed_at=CLOSES + dt.timedelta(minutes=1))

    assert run(performance, facts) == []


def test_performance_compares_with_the_projection_investors_saw_not_a_later_revision():
    shown = make_statement(RAISE_YEAR, kind="projection", revenue=PROJECTED_REVENUE, net_profit=PROJECTED_PROFIT)
    lowered = refile(shown, net_profit="200000", filed_at=CLOSES + dt.timedelta(days=10))
    offering = make_offering(status=OfferingStatus.CLOSED)
    facts = company(
        raise_of(offering, subscriptions=[make_subscription(make_user(), offering, "50000",
                                                            status=SubscriptionStatus.SETTLED)]),
        statements=[shown, lowered, make_statement(RAISE_YEAR, kind="actual", revenue=PROJECTED_REVENUE,
                                                   net_profit="300000")],
        as_of=at(2026, 3, 2),
    )

    finding = only(run(performance, facts))

    assert finding.severity == "high"
    assert finding.evidence["comparisons"][0]["expected"] == "1000000.00"
    assert shown.pk in [record["id"] for record in finding.evidence["records"]]


def test_performance_offering_that_took_no_money_is_not_judged():
    assert run(performance, performance_facts(actual_profit="-500000", subscriptions=False)) == []


def test_performance_offering_that_never_went_live_is_not_judged():
    offering = make_offering(status=OfferingStatus.IN_REVIEW)
    facts = company(
        # Paid, so that only the missing go-live keeps the offering from being judged.
        raise_of(offering, subscriptions=[make_subscription(make_user(), offering, "50000")]),
        statements=[make_statement(RAISE_YEAR, kind="projection", net_profit=PROJECTED_PROFIT),
                    make_statement(RAISE_YEAR, kind="actual", net_profit="-500000")],
    )

    assert run(performance, facts) == []


def test_performance_without_an_actual_statement_there_is_nothing_to_compare():
    offering = make_offering(status=OfferingStatus.CLOSED)
    facts = company(
        raise_of(offering, subscriptions=[make_subscription(make_user(), offering, "50000")]),
        statements=[make_statement(RAISE_YEAR, kind="projection", net_profit=PROJECTED_PROFIT)],
    )

    assert run(performance, facts) == []


def test_performance_changed_profit_ratio_moves_the_boundary(settings):
    facts = performance_facts(actual_profit="650000")  # 65% of the projection

    assert run(performance, facts) == []
    assert severities(run(performance, facts, policy_with(settings, profit_shortfall_ratio="0.70"))) == ["high"]


def test_performance_changed_revenue_ratio_moves_the_boundary(settings):
    facts = performance_facts(actual_revenue="5500000")  # 55% of the projection

    assert severities(run(performance, facts)) == ["high"]
    assert run(performance, facts, policy_with(settings, revenue_shortfall_ratio="0.50")) == []


# forecast_inconsistent --------------------------------------------------------------------------------------------

RAISING = [
    OfferingStatus.IN_REVIEW,
    OfferingStatus.APPROVED,
    OfferingStatus.LIVE,
    OfferingStatus.SUSPENDED,
    OfferingStatus.CLOSING,
]
NOT_RAISING = [OfferingStatus.CLOSED, OfferingStatus.FAILED, OfferingStatus.CANCELLED, OfferingStatus.REJECTED]


def forecast_facts(*, base_profit="1000000", projected_profit="1500000", interim=(), status=OfferingStatus.LIVE,
                   with_offering: bool = True) -> IssuerFacts:
    statements = [
        make_statement(RAISE_YEAR - 1, revenue="20000000", net_profit=base_profit),
        make_statement(RAISE_YEAR, kind="projection", revenue="30000000", net_profit=projected_profit),
        *interim,
    ]
    raises = [raise_of(make_offering(status=status))] if with_offering else []
    return company(*raises, statements=statements)


@pytest.mark.parametrize(
    "projected_profit, expected",
    [("2000000.00", []), ("2000000.01", ["high"]), ("1999999.99", [])],
    ids=["exactly-2x", "cent-over-2x", "cent-under-2x"],
)
def test_forecast_projection_against_twice_the_latest_year(projected_profit, expected):
    assert severities(run(forecast, forecast_facts(projected_profit=projected_profit))) == expected


@pytest.mark.parametrize("base_profit", ["-500000.00", "0.00"], ids=["loss", "break-even"])
def test_forecast_without_a_profitable_base_year_the_multiple_is_not_judged(base_profit):
    assert run(forecast, forecast_facts(base_profit=base_profit, projected_profit="35000000")) == []


def test_forecast_compares_with_the_latest_past_year_before_the_projected_one():
    older = make_statement(RAISE_YEAR - 2, net_profit="100000")  # 30x of this would be flagged
    facts = forecast_facts(base_profit="1000000", projected_profit="1900000")
    facts.statements.append(older)

    assert run(forecast, facts) == []


@pytest.mark.parametrize("period", ["H1", "Q1", "Q2", "Q3", "Q4"])
def test_forecast_interim_loss_in_a_year_projected_to_profit_is_flagged(period):
    interim = make_statement(RAISE_YEAR, period, revenue="1000000", net_profit="-0.01",
                             filed_at=at(RAISE_YEAR, 4, 15))

    finding = only(run(forecast, forecast_facts(interim=[interim])))

    assert finding.severity == "high"
    assert finding.evidence["comparisons"][0]["actual"] == "-0.01"
    assert interim.pk in [record["id"] for record in finding.evidence["records"]]


@pytest.mark.parametrize(
    "interim",
    [
        lambda: make_statement(RAISE_YEAR, "H1", revenue="1000000", net_profit="0.00"),
        lambda: make_statement(RAISE_YEAR - 1, "H1", revenue="1000000", net_profit="-300000"),
        lambda: make_statement(RAISE_YEAR, "H1", "projection", revenue="1000000", net_profit="-300000"),
    ],
    ids=["break-even-half", "loss-in-another-year", "projected-interim-loss"],
)
def test_forecast_interim_that_shows_no_loss_of_the_projected_year_is_not_flagged(interim):
    assert run(forecast, forecast_facts(interim=[interim()])) == []


def test_forecast_interim_loss_in_a_year_projected_to_lose_is_consistent():
    interim = make_statement(RAISE_YEAR, "H1", revenue="1000000", net_profit="-300000")

    assert run(forecast, forecast_facts(projected_profit="-600000", interim=[interim])) == []


@pytest.mark.parametrize("status", RAISING)
def test_forecast_is_judged_before_and_during_a_raise(status):
    assert severities(run(forecast, forecast_facts(projected_profit="35000000", status=status))) == ["high"]


@pytest.mark.parametrize("status", NOT_RAISING)
def test_forecast_nothing_when_no_offering_is_under_way(status):
    interim = make_statement(RAISE_YEAR, "H1", revenue="1000000", net_profit="-300000")

    assert run(forecast, forecast_facts(projected_profit="35000000", interim=[interim], status=status)) == []


def test_forecast_nothing_when_the_issuer_has_no_offering():
    assert run(forecast, forecast_facts(projected_profit="35000000", with_offering=False)) == []


def test_forecast_changed_multiple_moves_the_boundary(settings):
    facts = forecast_facts(projected_profit="2500000")

    assert severities(run(forecast, facts)) == ["high"]
    assert run(forecast, facts, policy_with(settings, forecast_growth_multiple="3")) == []


def filed_interim(period: str, net_profit: str, *, year: int = RAISE_YEAR, kind: str = "historical",
            filed_at: dt.datetime | None = None) -> FinancialStatement:
    return make_statement(year, period, kind, revenue="5000000", net_profit=net_profit,
                          filed_at=filed_at or at(RAISE_YEAR, 7, 20))


# Projected 1,500,000 (1.5× the last year, within its own test): more than 2× the run rate once that is under
# 750,000, that is an H1 under 375,000, a Q1 under 187,500, or three quarters under 562,500.
@pytest.mark.parametrize(
    "statements, expected",
    [
        (lambda: [filed_interim("H1", "375000.00")], []),
        (lambda: [filed_interim("H1", "374999.99")], ["high"]),
        (lambda: [filed_interim("H1", "375000.01")], []),
        (lambda: [filed_interim("Q1", "187500.00")], []),
        (lambda: [filed_interim("Q1", "187499.99")], ["high"]),
        (lambda: [filed_interim("Q1", "187500.00"), filed_interim("Q2", "187499.99")], ["high"]),
        (lambda: [filed_interim("Q1", "200000"), filed_interim("Q2", "200000"), filed_interim("Q3", "162500.00")], []),
        (lambda: [filed_interim("Q1", "200000"), filed_interim("Q2", "200000"), filed_interim("Q3", "162499.99")], ["high"]),
        (lambda: [filed_interim("H1", "400000"), filed_interim("Q3", "162499.99")], ["high"]),
        (lambda: [filed_interim("H1", "400000"), filed_interim("Q1", "100"), filed_interim("Q2", "100")], []),
        (lambda: [filed_interim("H1", "374999.99", kind="actual")], ["high"]),
        (lambda: [filed_interim("H1", "100000", year=RAISE_YEAR - 1)], []),
    ],
    ids=["h1-exactly-half", "h1-cent-under", "h1-cent-over", "q1-exactly", "q1-cent-under", "q1-q2-cent-under",
         "three-quarters-exactly", "three-quarters-cent-under", "h1-and-q3-cent-under", "h1-outranks-its-quarters",
         "actual-h1-of-an-earlier-raise", "another-year"],
)
def test_forecast_projection_against_twice_the_year_to_date_run_rate(statements, expected):
    facts = forecast_facts(base_profit="1000000", projected_profit="1500000", interim=statements())

    assert severities(run(forecast, facts)) == expected


def test_forecast_run_rate_of_a_loss_is_judged_as_a_loss_only():
    facts = forecast_facts(base_profit="1000000", projected_profit="1500000", interim=[filed_interim("H1", "-1")])

    finding = only(run(forecast, facts))

    assert "loss" in finding.evidence["summary"]


@pytest.mark.parametrize("status", NOT_RAISING)
def test_forecast_run_rate_nothing_when_no_offering_is_under_way(status):
    facts = forecast_facts(projected_profit="1500000", interim=[filed_interim("H1", "100000")], status=status)

    assert run(forecast, facts) == []


def test_forecast_run_rate_evidence_shows_the_annualized_result_and_the_interims():
    first_half, third = filed_interim("H1", "300000"), filed_interim("Q3", "60000")
    facts = forecast_facts(base_profit="1000000", projected_profit="1500000", interim=[first_half, third])

    finding = only(run(forecast, facts))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("480000.00", "1500000.00")
    assert "H1+Q3" in finding.evidence["summary"] and "year-to-date" in comparison["threshold"]
    assert {first_half.pk, third.pk} <= {record["id"] for record in finding.evidence["records"]}


def test_forecast_changed_run_rate_multiple_moves_the_boundary(settings):
    facts = forecast_facts(base_profit="1000000", projected_profit="1500000", interim=[filed_interim("H1", "300000")])

    assert severities(run(forecast, facts)) == ["high"]
    assert run(forecast, facts, policy_with(settings, forecast_run_rate_multiple="3")) == []


# interim_shortfall ------------------------------------------------------------------------------------------------

# Projected for the raise year: 1,000,000 net profit on 10,000,000 revenue, filed before the raise. Half a year's
# share is 500,000 and 5,000,000 (flagged under 250,000 and 3,000,000); a quarter's 250,000 and 2,500,000 (flagged
# under 125,000 and 1,500,000).
def interim_facts(*statements, status=OfferingStatus.CLOSED, projection_filed_at: dt.datetime = at(2025, 2, 1)
                  ) -> IssuerFacts:
    projection = make_statement(RAISE_YEAR, kind="projection", revenue=PROJECTED_REVENUE, net_profit=PROJECTED_PROFIT,
                                filed_at=projection_filed_at)
    offering = make_offering(status=status)
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(raise_of(offering, subscriptions=subscriptions), statements=[projection, *statements],
                   as_of=at(2025, 9, 1))


def actual_interim(period: str = "H1", *, revenue="5000000", net_profit="500000", year: int = RAISE_YEAR,
                   kind: str = "actual") -> FinancialStatement:
    return make_statement(year, period, kind, revenue=revenue, net_profit=net_profit, filed_at=at(2025, 8, 20))


@pytest.mark.parametrize(
    "net_profit, expected",
    [("250000.00", []), ("249999.99", ["high"]), ("250000.01", []), ("-0.01", ["high"])],
    ids=["exactly-half", "cent-under", "cent-over", "loss"],
)
def test_interim_h1_profit_against_half_the_projection(net_profit, expected):
    assert severities(run(interim, interim_facts(actual_interim(net_profit=net_profit)))) == expected


@pytest.mark.parametrize(
    "revenue, expected",
    [("3000000.00", []), ("2999999.99", ["high"]), ("3000000.01", [])],
    ids=["exactly-60pct", "cent-under", "cent-over"],
)
def test_interim_h1_revenue_alone_against_half_the_projection(revenue, expected):
    assert severities(run(interim, interim_facts(actual_interim(revenue=revenue)))) == expected


@pytest.mark.parametrize("period", ["Q1", "Q2", "Q3", "Q4"])
@pytest.mark.parametrize(
    "net_profit, revenue, expected",
    [("125000.00", "1500000.00", []), ("124999.99", "2500000", ["high"]), ("250000", "1499999.99", ["high"])],
    ids=["exactly-at-both", "profit-cent-under", "revenue-cent-under"],
)
def test_interim_quarter_against_a_quarter_of_the_projection(period, net_profit, revenue, expected):
    statement = actual_interim(period, revenue=revenue, net_profit=net_profit)

    assert severities(run(interim, interim_facts(statement))) == expected


def test_interim_seasonal_half_year_on_track_is_not_flagged():
    # A slow first half (52% of the profit share, 64% of the revenue share) that the year can still make up.
    assert run(interim, interim_facts(actual_interim(revenue="3200000", net_profit="260000"))) == []


def test_interim_each_short_quarter_is_its_own_finding():
    statements = [actual_interim("Q1"), actual_interim("Q2", net_profit="-5"), actual_interim("Q3", net_profit="100")]

    findings = run(interim, interim_facts(*statements))

    assert [f.evidence["period"] for f in findings] == ["Q2", "Q3"]


def test_interim_evidence_shows_the_pro_rata_projection_beside_the_actual():
    statement = actual_interim(net_profit="-1500000", revenue="4000000")

    finding = only(run(interim, interim_facts(statement)))

    profit, revenue = finding.evidence["comparisons"]
    assert (profit["figure"], profit["expected"], profit["actual"], profit["breached"]) == (
        "net_profit", "500000.00", "-1500000.00", True)
    assert (revenue["expected"], revenue["actual"], revenue["breached"]) == ("5000000.00", "4000000.00", False)
    assert "50%" in profit["threshold"] and "loss" in finding.evidence["summary"]
    assert statement.pk in [record["id"] for record in finding.evidence["records"]]


@pytest.mark.parametrize("status", [OfferingStatus.LIVE, OfferingStatus.CLOSING, OfferingStatus.FAILED])
def test_interim_nothing_before_a_successful_close(status):
    assert run(interim, interim_facts(actual_interim(net_profit="-1"), status=status)) == []


def test_interim_projection_filed_after_the_offering_closed_is_not_used():
    facts = interim_facts(actual_interim(net_profit="-1"), projection_filed_at=CLOSES + dt.timedelta(minutes=1))

    assert run(interim, facts) == []


@pytest.mark.parametrize(
    "statement",
    [lambda: actual_interim(net_profit="-1", year=RAISE_YEAR + 1), lambda: actual_interim(net_profit="-1",
                                                                                           kind="historical")],
    ids=["year-without-projection", "historical-not-actual"],
)
def test_interim_only_actual_interims_of_a_projected_year_are_judged(statement):
    assert run(interim, interim_facts(statement())) == []


def test_interim_a_refiled_interim_is_judged_on_its_latest_version():
    short = actual_interim(net_profit="100000")

    assert run(interim, interim_facts(short, refile(short, net_profit="300000"))) == []


def test_interim_changed_ratios_move_the_boundary(settings):
    facts = interim_facts(actual_interim(net_profit="300000", revenue="3200000"))

    assert run(interim, facts) == []
    assert severities(run(interim, facts, policy_with(settings, interim_profit_shortfall_ratio="0.7"))) == ["high"]
    assert severities(run(interim, facts, policy_with(settings, interim_revenue_shortfall_ratio="0.7"))) == ["high"]


# terms_changed ----------------------------------------------------------------------------------------------------


def terms_facts(*changes: tuple[str, dt.datetime], paid: bool = True) -> IssuerFacts:
    offering = make_offering()
    subscriptions = [make_subscription(make_user(), offering, "50000", paid_at=PAID_AT)] if paid else []
    term_changes = [make_term_change(offering, term, changed_at=changed_at) for term, changed_at in changes]
    return company(raise_of(offering, subscriptions=subscriptions, term_changes=term_changes))


BEFORE_PAYMENT = PAID_AT - dt.timedelta(minutes=1)
AFTER_PAYMENT = PAID_AT + dt.timedelta(minutes=1)


@pytest.mark.parametrize("term", ["security", "price_per_share", "use_of_funds"])
def test_terms_change_before_the_first_payment_is_not_flagged(term):
    assert run(terms, terms_facts((term, BEFORE_PAYMENT))) == []


@pytest.mark.parametrize("term", ["security", "price_per_share", "use_of_funds"])
def test_terms_change_after_the_first_payment_is_flagged_even_if_not_declared_material(term):
    finding = only(run(terms, terms_facts((term, AFTER_PAYMENT))))

    assert finding.severity == "high"
    change = finding.evidence["comparisons"][0]
    assert (change["figure"], change["expected"], change["actual"]) == (term, "old", "new")
    assert change["material_change_declared"] is False


@pytest.mark.parametrize("term", ["summary", "title", "risk_factors", "closes_at"])
def test_terms_change_of_other_fields_after_payment_is_not_flagged(term):
    assert run(terms, terms_facts((term, AFTER_PAYMENT))) == []


def test_terms_change_with_no_paid_subscription_is_not_flagged():
    assert run(terms, terms_facts(("security", AFTER_PAYMENT), paid=False)) == []


def test_terms_only_changes_after_the_first_payment_are_listed():
    facts = terms_facts(("price_per_share", BEFORE_PAYMENT), ("security", AFTER_PAYMENT), ("summary", AFTER_PAYMENT))

    assert figures(only(run(terms, facts))) == ["security"]


# commitment_unfunded ----------------------------------------------------------------------------------------------

COMMITTED = "100000.00"


def commitment_facts(*, paid=(COMMITTED,), status=OfferingStatus.CLOSING, as_of: dt.datetime = CLOSES,
                     sub_status=SubscriptionStatus.PAID, by=CommitmentParty.LEAD, name_investor: bool = True,
                     paid_by_someone_else: bool = False) -> IssuerFacts:
    offering = make_offering(status=status)
    lead, other = make_user(), make_user()
    payer = other if paid_by_someone_else else lead
    subscriptions = [make_subscription(payer, offering, amount, status=sub_status) for amount in paid]
    commitment = make_commitment(offering, COMMITTED, by=by, investor=lead if name_investor else None)
    return company(raise_of(offering, subscriptions=subscriptions, commitments=[commitment]), as_of=as_of)


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (CLOSES - dt.timedelta(days=3), ["critical"]),
        (CLOSES - dt.timedelta(days=3, minutes=1), []),
        (CLOSES - dt.timedelta(days=1), ["critical"]),
    ],
    ids=["3-days-before", "3-days-1-minute-before", "1-day-before"],
)
def test_commitment_judged_from_the_window_before_the_deadline(as_of, expected):
    facts = commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=as_of)

    assert severities(run(commitments, facts)) == expected


@pytest.mark.parametrize("status", [OfferingStatus.IN_REVIEW, OfferingStatus.APPROVED])
def test_commitment_not_judged_before_the_offering_takes_money(status):
    assert run(commitments, commitment_facts(paid=(), status=status, as_of=CLOSES)) == []


@pytest.mark.parametrize(
    "paid, expected",
    [
        ((COMMITTED,), []),
        (("99999.99",), ["critical"]),
        (("60000.00", "40000.00"), []),
        (("60000.00", "39999.99"), ["critical"]),
        (("150000.00",), []),
    ],
    ids=["paid-equal", "cent-short", "two-payments-add-up", "two-payments-cent-short", "paid-more"],
)
def test_commitment_backed_by_paid_subscriptions_of_its_party(paid, expected):
    assert severities(run(commitments, commitment_facts(paid=paid))) == expected


def test_commitment_shortfall_evidence_shows_promised_and_paid():
    finding = only(run(commitments, commitment_facts(paid=("99999.99",))))

    shortfall = finding.evidence["comparisons"][0]
    assert (shortfall["expected"], shortfall["actual"]) == ("100000.00", "99999.99")
    assert shortfall["party"] == "lead"
    assert "100000.00" in finding.evidence["summary"] and "0.01" in finding.evidence["summary"]


def test_commitment_paid_by_another_account_does_not_back_it():
    assert severities(run(commitments, commitment_facts(paid=("500000",), paid_by_someone_else=True))) == ["critical"]


def test_commitment_by_the_platform_naming_no_investor_is_flagged():
    facts = commitment_facts(paid=("500000",), by=CommitmentParty.PLATFORM, name_investor=False)

    finding = only(run(commitments, facts))

    assert finding.severity == "critical"
    assert finding.evidence["comparisons"][0]["investor"] is None
    assert finding.evidence["comparisons"][0]["party"] == "platform"


def test_commitment_not_backed_by_a_subscription_the_investor_cancelled():
    assert severities(run(commitments, commitment_facts(sub_status=SubscriptionStatus.CANCELLED))) == ["critical"]


@pytest.mark.parametrize(
    "status, sub_status",
    [
        (OfferingStatus.CLOSING, SubscriptionStatus.RECONFIRMATION_REQUIRED),
        (OfferingStatus.CLOSED, SubscriptionStatus.SETTLED),
    ],
)
def test_commitment_backed_by_money_in_escrow_or_settled(status, sub_status):
    assert run(commitments, commitment_facts(status=status, sub_status=sub_status)) == []


def test_commitment_paid_in_full_is_not_unfunded_after_the_failed_offering_refunded_it():
    """The lead paid its whole commitment; the raise missed its target and every payment went back, the lead's too.
    The commitment was kept; the refund is the failure's, not the lead's."""
    facts = commitment_facts(status=OfferingStatus.FAILED, sub_status=SubscriptionStatus.REFUNDED,
                             as_of=CLOSES + dt.timedelta(days=2))

    assert run(commitments, facts) == []


def test_commitment_never_paid_on_a_failed_offering_is_flagged():
    facts = commitment_facts(paid=(), status=OfferingStatus.FAILED, as_of=CLOSES + dt.timedelta(days=2))

    assert severities(run(commitments, facts)) == ["critical"]


def test_commitment_changed_window_moves_the_boundary(settings):
    facts = commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=CLOSES - dt.timedelta(days=4))

    assert run(commitments, facts) == []
    assert severities(run(commitments, facts, policy_with(settings, commitment_window_days=5))) == ["critical"]


# platform_conflict ------------------------------------------------------------------------------------------------


def platform_facts(*, related: bool = False, stake="0", registry: str | None | bool = False) -> IssuerFacts:
    """registry: False = not in the platform's portfolio; None = listed with no stake; a string = listed with it."""
    entry = None
    if registry is not False:
        entry = PortfolioCompany(pk=next(_ids), uscc=USCC, legal_name="Lantern Tea Tech Ltd",
                                 stake_pct=None if registry is None else D(registry))
    return company(issuer=make_issuer(related_to_platform=related, platform_stake_pct=D(stake)), portfolio=entry)


@pytest.mark.parametrize(
    "related, stake, registry, expected",
    [
        (False, "0", False, []),
        (True, "0", False, ["medium"]),
        (False, "8", False, ["medium"]),
        (True, "8", False, ["medium"]),
        (True, "19.99", False, ["medium"]),
        (True, "20", False, ["high"]),
        (False, "20", False, ["high"]),
        (True, "0", None, ["medium"]),
        (True, "5", "25", ["high"]),
        (False, "0", None, ["critical"]),
        (False, "0", "30", ["critical"]),
        (False, "0", "8", ["critical"]),
    ],
    ids=[
        "no-tie", "declared-tie", "stake-8", "tie-and-stake-8", "stake-19.99", "stake-20", "stake-20-no-tie-flag",
        "declared-and-listed", "registry-stake-above-declared", "listed-undeclared", "listed-30-undeclared",
        "listed-8-undeclared",
    ],
)
def test_platform_conflict_severity(related, stake, registry, expected):
    assert severities(run(platform, platform_facts(related=related, stake=stake, registry=registry))) == expected


def test_platform_conflict_evidence_shows_both_stakes_and_threshold():
    finding = only(run(platform, platform_facts(related=True, stake="5", registry="25")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("5.00", "25.00")
    assert "20" in comparison["threshold"]
    assert comparison["in_portfolio_registry"] is True


def test_platform_conflict_changed_stake_threshold_moves_the_boundary(settings):
    facts = platform_facts(related=True, stake="12")

    assert severities(run(platform, facts)) == ["medium"]
    assert severities(run(platform, facts, policy_with(settings, platform_stake_high_pct="10"))) == ["high"]


# financial_inconsistency ------------------------------------------------------------------------------------------


def financial_facts(*statements) -> IssuerFacts:
    return company(statements=statements)


@pytest.mark.parametrize(
    "changes, expected_figures",
    [
        ({"revenue": "1000000", "net_profit": "1000000"}, []),
        ({"revenue": "1000000", "net_profit": "1000000.01"}, ["net_profit vs revenue"]),
        ({"total_assets": "0"}, []),
        ({"total_assets": "-0.01"}, ["total_assets"]),
        ({"total_liabilities": "-1"}, ["total_liabilities"]),
        ({"revenue": "-1", "net_profit": "-10"}, ["revenue"]),
        ({"net_profit": "-5000000"}, []),
    ],
    ids=["profit-equals-revenue", "profit-a-cent-above", "zero-assets", "negative-assets", "negative-liabilities",
         "negative-revenue", "loss"],
)
def test_financial_figures_that_cannot_all_be_true(changes, expected_figures):
    findings = run(financials, financial_facts(make_statement(2024, **changes)))

    assert [figure for finding in findings for figure in figures(finding)] == expected_figures
    assert all(finding.severity == "high" for finding in findings)


def test_financial_impossible_figures_corrected_by_a_refiling_are_judged_on_the_latest_version():
    wrong = make_statement(2024, revenue="1000000", net_profit="1000000.01")
    corrected = refile(wrong, net_profit="1000000")  # within the re-filing tolerance, and now possible

    assert run(financials, financial_facts(wrong, corrected)) == []


def four_quarters(year: int, *, revenue_total, profit_total, kind="historical") -> list[FinancialStatement]:
    """Q1..Q3 of a quarter of the year's figures each, Q4 making up the given totals."""
    revenue_total, profit_total = D(revenue_total), D(profit_total)
    quarters = [make_statement(year, q, kind, revenue="1000000", net_profit="100000") for q in ("Q1", "Q2", "Q3")]
    quarters.append(make_statement(year, "Q4", kind, revenue=revenue_total - D("3000000"),
                                   net_profit=profit_total - D("300000")))
    return quarters


YEAR_REVENUE, YEAR_PROFIT = "4000000.00", "400000.00"


@pytest.mark.parametrize(
    "revenue_total, profit_total, expected_figures",
    [
        ("4040000.00", YEAR_PROFIT, []),
        ("4040000.01", YEAR_PROFIT, ["revenue: sum of 4 quarter(s) vs FY"]),
        ("3960000.00", YEAR_PROFIT, []),
        ("3959999.99", YEAR_PROFIT, ["revenue: sum of 4 quarter(s) vs FY"]),
        (YEAR_REVENUE, "404000.00", []),
        (YEAR_REVENUE, "404000.01", ["net_profit: sum of 4 quarter(s) vs FY"]),
        (YEAR_REVENUE, "395999.99", ["net_profit: sum of 4 quarter(s) vs FY"]),
    ],
    ids=["revenue-plus-1pct", "revenue-just-over", "revenue-minus-1pct", "revenue-just-under", "profit-plus-1pct",
         "profit-just-over", "profit-just-under"],
)
def test_financial_four_quarters_against_their_year(revenue_total, profit_total, expected_figures):
    year = make_statement(2024, revenue=YEAR_REVENUE, net_profit=YEAR_PROFIT)
    facts = financial_facts(year, *four_quarters(2024, revenue_total=revenue_total, profit_total=profit_total))

    findings = run(financials, facts)

    assert [figure for finding in findings for figure in figures(finding)] == expected_figures


def test_financial_quarters_are_compared_with_the_year_of_the_same_kind():
    year = make_statement(2024, "FY", "actual", revenue=YEAR_REVENUE, net_profit=YEAR_PROFIT)
    quarters = four_quarters(2024, revenue_total="5000000", profit_total=YEAR_PROFIT, kind="historical")

    assert run(financials, financial_facts(year, *quarters)) == []


@pytest.mark.parametrize(
    "quarter_revenues, flagged",
    [(("1500000", "1500000", "1040000"), False), (("1500000", "1500000", "1040000.01"), True)],
    ids=["three-quarters-up-to-year-plus-1pct", "three-quarters-over"],
)
def test_financial_some_quarters_cannot_take_more_revenue_than_the_year(quarter_revenues, flagged):
    year = make_statement(2024, revenue=YEAR_REVENUE, net_profit=YEAR_PROFIT)
    quarters = [
        make_statement(2024, quarter, revenue=revenue, net_profit="10000")
        for quarter, revenue in zip(("Q1", "Q2", "Q3"), quarter_revenues)
    ]

    assert bool(run(financials, financial_facts(year, *quarters))) is flagged


@pytest.mark.parametrize(
    "figure, new_value, flagged",
    [
        ("revenue", "10500000.00", False),
        ("revenue", "10500000.01", True),
        ("revenue", "9500000.00", False),
        ("revenue", "9499999.99", True),
        ("net_profit", "1050000.00", False),
        ("net_profit", "1050000.01", True),
        ("total_assets", "8400000.01", True),
        ("total_liabilities", "2850000.00", False),
    ],
)
def test_financial_refiling_within_5pct_of_the_earlier_filing(figure, new_value, flagged):
    first = make_statement(2024)
    second = refile(first, **{figure: new_value})

    findings = run(financials, financial_facts(first, second))

    assert bool(findings) is flagged
    if flagged:
        comparison = only(findings).evidence["comparisons"][0]
        assert comparison["figure"] == f"{figure}: v2 vs v1"
        assert (comparison["expected"], comparison["actual"]) == (str(getattr(first, figure)), new_value)
        assert "5%" in comparison["threshold"]


def test_financial_refiled_projection_is_not_judged():
    first = make_statement(2026, kind="projection", revenue="10000000", net_profit="1000000")

    assert run(financials, financial_facts(first, refile(first, revenue="4000000", net_profit="100000"))) == []


def test_financial_changed_tolerances_move_the_boundaries(settings):
    year = make_statement(2024, revenue=YEAR_REVENUE, net_profit=YEAR_PROFIT)
    quarters = four_quarters(2024, revenue_total="4060000", profit_total=YEAR_PROFIT)  # 1.5% over
    first = make_statement(2023)
    second = refile(first, revenue="10800000")  # 8% over
    facts = financial_facts(year, *quarters, first, second)

    assert len(run(financials, facts)) == 2
    loose = policy_with(settings, quarterly_tolerance_ratio="0.02", refiling_tolerance_ratio="0.10")
    assert run(financials, facts, loose) == []


# insufficient_assurance -------------------------------------------------------------------------------------------


def assurance_facts(*, target, audited: bool | None = False, status=OfferingStatus.IN_REVIEW, extra=()) -> IssuerFacts:
    """audited=None: no full-year figures filed at all."""
    statements = [] if audited is None else [make_statement(2024, audited=audited)]
    return company(raise_of(make_offering(status=status, target=target)), statements=[*statements, *extra])


@pytest.mark.parametrize(
    "target, audited, expected",
    [
        ("5000000.00", False, []),
        ("5000000.01", False, ["high"]),
        ("5000000.01", True, []),
        ("5000000.01", None, ["high"]),
        ("4000000.00", None, []),
    ],
    ids=["exactly-5m-unaudited", "cent-over-unaudited", "cent-over-audited", "cent-over-no-fy", "small-no-fy"],
)
def test_assurance_large_target_needs_audited_latest_year(target, audited, expected):
    assert severities(run(assurance, assurance_facts(target=target, audited=audited))) == expected


def test_assurance_the_latest_year_counts_not_an_older_audited_one():
    facts = assurance_facts(target="8000000", audited=False, extra=[make_statement(2023, audited=True)])

    finding = only(run(assurance, facts))

    assert "FY2024" in finding.evidence["summary"]
    assert finding.evidence["comparisons"][0]["expected"] == "5000000"
    assert finding.evidence["comparisons"][0]["actual"] == "8000000.00"


def test_assurance_audited_latest_year_is_enough_even_if_an_older_one_is_not():
    facts = assurance_facts(target="8000000", audited=True, extra=[make_statement(2023, audited=False)])

    assert run(assurance, facts) == []


def test_assurance_an_audited_projection_is_not_assurance():
    facts = assurance_facts(target="8000000", audited=None,
                            extra=[make_statement(2025, kind="projection", audited=True),
                                   make_statement(2024, "H1", audited=True)])

    assert severities(run(assurance, facts)) == ["high"]


@pytest.mark.parametrize("status", [OfferingStatus.CLOSED, OfferingStatus.FAILED, OfferingStatus.CANCELLED])
def test_assurance_not_judged_once_the_raise_is_over(status):
    assert run(assurance, assurance_facts(target="8000000", audited=False, status=status)) == []


def test_assurance_changed_target_moves_the_boundary(settings):
    facts = assurance_facts(target="8000000", audited=False)

    assert severities(run(assurance, facts)) == ["high"]
    assert run(assurance, facts, policy_with(settings, assurance_target_amount="10000000")) == []


# reporting_delinquent ---------------------------------------------------------------------------------------------

def reporting_facts(*, as_of: dt.datetime, status=OfferingStatus.CLOSED, statements=()) -> IssuerFacts:
    offering = make_offering(status=status)
    closed_at = CLOSED_AT if status in (OfferingStatus.CLOSED, OfferingStatus.FAILED) else None
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(raise_of(offering, subscriptions=subscriptions, closed_at=closed_at), statements=statements,
                   as_of=as_of)


# Closed in 2025: the actual FY2025 statement is due 120 days after 31 December 2025, on 30 April 2026.
@pytest.mark.parametrize(
    "as_of, expected",
    [
        (at(2026, 4, 30, 0, 1), []),
        (at(2026, 4, 30, 23, 59), []),
        (at(2026, 5, 1, 0, 1), ["high"]),
        (at(2026, 9, 1), ["high"]),
    ],
    ids=["due-day-morning", "due-day-night", "day-after", "months-after"],
)
def test_reporting_actual_fy_due_120_days_after_year_end(as_of, expected):
    assert severities(run(reporting, reporting_facts(as_of=as_of))) == expected


def test_reporting_due_date_is_counted_on_the_platform_calendar():
    # 16:30 UTC on 30 April is already 1 May in Shanghai.
    as_of = dt.datetime(2026, 4, 30, 16, 30, tzinfo=dt.timezone.utc)

    assert severities(run(reporting, reporting_facts(as_of=as_of))) == ["high"]


def test_reporting_filed_actual_fy_is_fine():
    filed = make_statement(2025, kind="actual", filed_at=at(2026, 4, 1))

    assert run(reporting, reporting_facts(as_of=at(2026, 9, 1), statements=[filed])) == []


def test_reporting_historical_figures_do_not_stand_in_for_the_actual_report():
    historical = make_statement(2025, kind="historical", filed_at=at(2026, 4, 1))

    assert severities(run(reporting, reporting_facts(as_of=at(2026, 9, 1), statements=[historical]))) == ["high"]


def test_reporting_each_later_year_is_due_too():
    filed_2025 = make_statement(2025, kind="actual", filed_at=at(2026, 4, 1))

    finding = only(run(reporting, reporting_facts(as_of=at(2027, 5, 1), statements=[filed_2025])))

    assert finding.evidence["fiscal_year"] == 2026
    assert "2027-04-30" in finding.evidence["comparisons"][0]["expected"]


@pytest.mark.parametrize("status", [OfferingStatus.FAILED, OfferingStatus.CLOSING, OfferingStatus.LIVE])
def test_reporting_no_duty_without_a_closed_offering(status):
    assert run(reporting, reporting_facts(as_of=at(2026, 9, 1), status=status)) == []


def test_reporting_changed_due_days_move_the_boundary(settings):
    facts = reporting_facts(as_of=at(2026, 5, 1, 0, 1))

    assert severities(run(reporting, facts)) == ["high"]
    settings.ANNUAL_REPORT_DUE_DAYS = 150
    assert run(reporting, facts) == []


# interim_report_missing -------------------------------------------------------------------------------------------

# Closed on 7 April 2025: the actual H1 2025 statement is due 60 days after 30 June 2025, on 29 August 2025.
def interim_report_facts(*, as_of: dt.datetime, closed_at: dt.datetime = at(2025, 4, 7), statements=()) -> IssuerFacts:
    offering = make_offering(status=OfferingStatus.CLOSED)
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(raise_of(offering, subscriptions=subscriptions, closed_at=closed_at), statements=statements,
                   as_of=as_of)


def check_interim_report(facts, policy=None) -> list:
    return reporting.check_interim(facts, policy or current_policy())


@pytest.mark.parametrize(
    "as_of, expected",
    [(at(2025, 8, 29, 23, 59), []), (at(2025, 8, 30, 0, 1), ["medium"]), (at(2025, 12, 1), ["medium"])],
    ids=["due-day-night", "day-after", "months-after"],
)
def test_interim_report_h1_due_60_days_after_june_30(as_of, expected):
    assert severities(check_interim_report(interim_report_facts(as_of=as_of))) == expected


@pytest.mark.parametrize("filed_day", [59, 60], ids=["day-59", "day-60"])
def test_interim_report_filed_in_time_is_fine(filed_day):
    filed = make_statement(2025, "H1", "actual", filed_at=at(2025, 6, 30) + dt.timedelta(days=filed_day))

    assert check_interim_report(interim_report_facts(as_of=at(2025, 12, 1), statements=[filed])) == []


@pytest.mark.parametrize("period, kind", [("Q2", "actual"), ("H1", "historical"), ("FY", "actual")])
def test_interim_report_other_statements_do_not_stand_in(period, kind):
    other = make_statement(2025, period, kind, filed_at=at(2025, 8, 1))

    findings = check_interim_report(interim_report_facts(as_of=at(2025, 9, 1), statements=[other]))

    assert severities(findings) == ["medium"]
    assert findings[0].evidence["period"] == "H1" and findings[0].evidence["fiscal_year"] == 2025


@pytest.mark.parametrize(
    "closed_at, expected", [(at(2025, 6, 29), ["medium"]), (at(2025, 6, 30, 20), []), (at(2025, 7, 2), [])],
    ids=["day-before-june-30", "on-june-30", "after-june-30"],
)
def test_interim_report_only_for_a_june_30_after_the_close(closed_at, expected):
    assert severities(check_interim_report(interim_report_facts(as_of=at(2025, 9, 1), closed_at=closed_at))) == expected


def test_interim_report_does_not_count_as_the_annual_one():
    facts = interim_report_facts(as_of=at(2025, 12, 1))

    assert run(reporting, facts) == [] and severities(check_interim_report(facts)) == ["medium"]


def test_interim_report_changed_due_days_move_the_boundary(settings):
    facts = interim_report_facts(as_of=at(2025, 8, 20))

    assert check_interim_report(facts) == []
    settings.RISK_POLICY = {**settings.RISK_POLICY, "interim_report_due_days": "45"}
    assert severities(check_interim_report(facts)) == ["medium"]


# shill_subscriptions ----------------------------------------------------------------------------------------------

SUBSCRIBED_AT = at(2025, 3, 20)
YOUNG = SUBSCRIBED_AT - dt.timedelta(days=3)
OLD = at(2024, 1, 1)
SHARED = {"ip": "203.0.113.7", "card": "fp_shared_card", "phone": "13900000000"}


def linked(*, amount, joined: dt.datetime = YOUNG, share: str = "ip", insider: bool = False, offering) -> Subscription:
    """A subscription from an account that shares `share` with the other linked ones."""
    investor = make_user(joined=joined, phone=SHARED["phone"] if share == "phone" else None)
    return make_subscription(
        investor, offering, amount, paid_at=SUBSCRIBED_AT, created_at=SUBSCRIBED_AT, insider=insider,
        ip=SHARED["ip"] if share == "ip" else f"198.51.100.{next(_ids) % 250}",
        card=SHARED["card"] if share == "card" else f"fp_{next(_ids)}",
    )


def independent(*, amount, offering, insider: bool = False) -> Subscription:
    """A subscription from an old account that shares nothing with anyone."""
    return make_subscription(make_user(joined=OLD), offering, amount, paid_at=SUBSCRIBED_AT, created_at=SUBSCRIBED_AT,
                             ip=f"192.0.2.{next(_ids) % 250}", card=f"fp_{next(_ids)}", insider=insider)


def shill_facts(*, linked_amounts=(), insider_amounts=(), others="0", target="1000000", joined=YOUNG, share="ip",
                linked_old_amounts=()) -> IssuerFacts:
    offering = make_offering(target=target)
    subscriptions = [linked(amount=a, joined=joined, share=share, offering=offering) for a in linked_amounts]
    subscriptions += [linked(amount=a, joined=OLD, share=share, offering=offering) for a in linked_old_amounts]
    subscriptions += [independent(amount=a, offering=offering, insider=True) for a in insider_amounts]
    if D(others) > 0:
        subscriptions.append(independent(amount=others, offering=offering))
    return company(raise_of(offering, subscriptions=subscriptions), as_of=SUBSCRIBED_AT + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    "ring, others, flagged",
    [
        (("100000.00", "100000.00"), "800000.00", True),  # 20.00% of 1,000,000
        (("100000.00", "99999.99"), "800000.01", False),  # a cent under 20%
        (("100000.00", "99900.00"), "800100.00", False),  # 19.99%
        (("150000.00", "150000.00"), "700000.00", True),
    ],
    ids=["at-20pct", "cent-under-20pct", "19.99pct", "30pct"],
)
def test_shill_ring_of_young_linked_accounts_at_share_of_paid_amount(ring, others, flagged):
    findings = run(shill, shill_facts(linked_amounts=ring, others=others))

    assert bool(findings) is flagged, [finding.evidence["summary"] for finding in findings]


@pytest.mark.parametrize("share", ["ip", "card", "phone"])
def test_shill_any_shared_identifier_links_accounts(share):
    finding = only(run(shill, shill_facts(linked_amounts=("150000", "150000"), others="700000", share=share)))

    assert finding.severity == "high"
    assert finding.score == Decimal("0.3000")
    assert all(item["shares_with_others"] == [share] for item in finding.evidence["subscriptions"])


def test_shill_household_of_old_accounts_sharing_ip_and_phone_is_not_a_ring():
    offering = make_offering()
    household = []
    for amount in ("300000", "300000", "400000"):
        investor = make_user(joined=OLD, phone=SHARED["phone"])
        household.append(make_subscription(investor, offering, amount, paid_at=SUBSCRIBED_AT, ip=SHARED["ip"],
                                           card=f"fp_{next(_ids)}"))
    facts = company(raise_of(offering, subscriptions=household), as_of=SUBSCRIBED_AT)

    assert run(shill, facts) == []


@pytest.mark.parametrize(
    "insiders, others, flagged",
    [(("200000.00",), "800000.00", True), (("199000.00",), "801000.00", False), (("100000", "100000"), "800000", True)],
    ids=["insider-20pct", "insider-19.9pct", "two-insiders-20pct"],
)
def test_shill_insiders_money_counts_whatever_the_account_age(insiders, others, flagged):
    assert bool(run(shill, shill_facts(insider_amounts=insiders, others=others))) is flagged


@pytest.mark.parametrize(
    "age, flagged",
    [
        (dt.timedelta(days=7), False),
        (dt.timedelta(days=7) - dt.timedelta(minutes=1), True),
        (dt.timedelta(days=30), False),
    ],
    ids=["exactly-7-days", "7-days-less-a-minute", "30-days"],
)
def test_shill_account_age_under_7_days(age, flagged):
    facts = shill_facts(linked_amounts=("250000", "250000"), others="500000", joined=SUBSCRIBED_AT - age)

    assert bool(run(shill, facts)) is flagged


def test_shill_old_accounts_linked_to_young_ones_are_not_counted():
    facts = shill_facts(linked_amounts=("100000",), linked_old_amounts=("500000",), others="400000")

    assert run(shill, facts) == []  # the young linked account is 10% of the money


@pytest.mark.parametrize(
    "ring, flagged",
    [(("100000", "100000"), True), (("75000", "75000"), False)],
    ids=["20pct-of-target", "15pct-of-target-50pct-of-paid"],
)
def test_shill_before_the_target_is_reached_the_share_is_of_the_target(ring, flagged):
    facts = shill_facts(linked_amounts=ring, others="150000", target="1000000")

    findings = run(shill, facts)

    assert bool(findings) is flagged
    if flagged:
        assert "of 1000000.00 CNY" in only(findings).evidence["summary"]


def test_shill_one_account_paying_twice_with_its_own_card_is_not_a_ring():
    offering = make_offering()
    investor = make_user(joined=YOUNG)
    own = [make_subscription(investor, offering, "300000", paid_at=SUBSCRIBED_AT, card="fp_own", ip="192.0.2.9")
           for _ in range(2)]
    facts = company(raise_of(offering, subscriptions=own), as_of=SUBSCRIBED_AT)

    assert run(shill, facts) == []


def test_shill_changed_share_and_age_move_the_boundaries(settings):
    ring_of_eight_day_old_accounts = shill_facts(linked_amounts=("150000", "150000"), others="700000",
                                                 joined=SUBSCRIBED_AT - dt.timedelta(days=8))
    ring_at_25pct = shill_facts(linked_amounts=("125000", "125000"), others="750000")

    assert run(shill, ring_of_eight_day_old_accounts) == []
    assert run(shill, ring_at_25pct) != []
    policy = policy_with(settings, shill_account_age_days=10, shill_paid_share="0.30")
    assert run(shill, ring_of_eight_day_old_accounts, policy) != []
    assert run(shill, ring_at_25pct, policy) == []


# misleading_claims ------------------------------------------------------------------------------------------------

# (id, text): ids in ASCII so that the test names read in any terminal.
CLAIMS = [
    ("baoben", "本项目保本，年底分红。"),
    ("baoshouyi", "投资即保收益。"),
    ("wenzhuan", "稳赚"),
    ("lingfengxian", "零风险投资"),
    ("wenzhuanbupei", "稳赚不赔的好机会"),
    ("benjinanquan", "本金安全，随时退出"),
    ("guaranteed-returns", "We offer guaranteed returns to every investor."),
    ("risk-free", "A risk-free way to own a tea chain."),
    ("nianhua-budiyu-15pct", "年化回报不低于15%"),
]
NOT_CLAIMS = [
    ("bu-baoben", "不保本"),
    ("bu-baozheng-shouyi", "不保证收益"),
    ("bu-chengnuo-baoben", "本平台不承诺保本。"),
    ("bu-cunzai-baoben-baoshouyi", "不存在保本保收益的安排"),
    ("bingfei-wufengxian", "股权投资并非无风险。"),
    ("returns-not-guaranteed", "Returns are not guaranteed."),
    ("not-risk-free", "This investment is not risk-free."),
    ("no-guaranteed-return", "There is no guaranteed return."),
    ("benjin-quanbu-sunshi", "股权投资存在本金全部损失的风险"),
    ("bu-baoben-bu-baoshouyi", "过往业绩不代表未来收益，投资有风险，不保本、不保收益。"),
]
# Wordings beyond the policy's own examples, as an issuer might write them.
MORE_CLAIMS = [
    ("chengnuo-nianhua-shouyi", "承诺年化收益12%"),
    ("bujin-baoben-hai-baoshouyi", "不仅保本，还保收益"),
    ("guaranteed-returns-12pct", "Guaranteed returns of 12% a year"),
    ("meiyou-renhe-fengxian", "这是一个没有任何风险的项目"),
    ("benjin-you-baozhang", "本金有保障，收益看得见"),
]
# Policy version 2: the same promises dressed up (traditional characters, full-width forms, spacing, zero-width and
# punctuation between characters, capitals) and the rest of the published vocabulary.
DRESSED_CLAIMS = [
    ("spaced-traditional", "本項目 保 本 保 息，穩賺不賠。"),
    ("zero-width", "保\u200b本"),
    ("dashes-between", "零-风-险投资"),
    ("middle-dots", "本·金·无·忧"),
    ("full-width-percent", "１００％安全"),
    ("traditional-gangxing-duifu", "剛性兌付"),
    ("zhi-zhuan-bu-pei", "只 赚 不 赔"),
    ("baoxi", "保息"),
    ("bao-zhuan", "包赚"),
    ("benjin-anquan-you-baozhang", "本金安全有保障"),
    ("full-width-english", "Ｇｕａｒａｎｔｅｅｄ　Ｒｅｔｕｒｎｓ"),
    ("capitals", "RISK-FREE"),
    ("spaced-letters", "r i s k - f r e e"),
    ("no-risk", "With us there is no risk."),
    ("capital-protected", "Your capital is protected."),
    ("cannot-lose", "You cannot lose."),
    ("cant-lose-curly", "You can’t lose."),
    ("guaranteed-8pct-returns", "Guaranteed 8% returns."),
    ("baifenbai-anquan", "资金百分百安全"),
    ("riskless", "A riskless investment."),
]
DRESSED_DISCLOSURES = [
    ("traditional-shouyi-bu-baozheng", "本項目收益不保證，投資者可能損失全部本金。"),
    ("traditional-bu-baoben", "本產品不保本。"),
    ("spaced-bu-baoben", "不 保 本"),
    ("spaced-shouyi-bu-baozheng", "收 益 不 保 证"),
    ("full-width-bu-baozheng-shouyi", "不保证收益"),
    ("spaced-bu-chengnuo-baoben", "不 承 诺 保 本"),
    ("traditional-fei-baoben", "本產品非保本型"),
    ("no-guarantee", "There is no guarantee of any return."),
    ("not-guaranteed-capitals", "RETURNS ARE NOT GUARANTEED"),
    ("no-investment-is-risk-free", "No investment is risk-free."),
    ("no-risk-free-investment", "There is no risk-free investment."),
    ("casino-risk", "Casino risk is not our business."),
    ("queren-baoben-ci", "确保本次融资顺利完成。"),
    ("across-a-full-stop", "对外担保：无。风险因素：市场竞争。"),
    ("wufengxian-lilv", "估值的折现率采用無風險利率加风险溢价。"),
    ("risk-free-rate", "Discounted at the risk-free rate plus a premium."),
    ("bu-chengnuo-renhe-xingshi-de-baoben", "本平台不承诺任何形式的保本。"),
    ("ji-bu-baoben-ye-bu-baoxi", "既不保本也不保息。"),
    ("no-promise-of", "We make no promise of guaranteed returns."),
    ("no-guarantee-capital-safe", "There is no guarantee that your capital is safe."),
]
MORE_DISCLOSURES = [
    ("bu-baozheng-benjin-anquan", "投资有风险，不保证本金安全和收益"),
    ("we-do-not-guarantee", "We do not guarantee returns."),
    ("neither-principal-nor-returns", "Neither principal nor returns are guaranteed."),
    ("buneng-baozheng-benjin-anquan", "平台不能保证投资者本金安全。"),
    ("bu-tigong-renhe-baoben-chengnuo", "投资者可能损失全部本金，本项目不提供任何保本承诺。"),
]


def texts(table):
    return [pytest.param(text, id=name) for name, text in table]


def claims_facts(*, summary="Seed round to build the product.", updates=()) -> IssuerFacts:
    offering = make_offering(summary=summary)
    return company(raise_of(offering, updates=[make_update(offering, title=t, body=b) for t, b in updates]))


@pytest.mark.parametrize("text", texts(CLAIMS + MORE_CLAIMS + DRESSED_CLAIMS))
def test_claims_promising_returns_or_safety_are_flagged(text):
    finding = only(run(claims, claims_facts(summary=text)))

    assert finding.severity == "high"
    assert finding.evidence["quotes"][0]["field"] == "summary"
    assert finding.evidence["quotes"][0]["text"] == text


@pytest.mark.parametrize("text", texts(NOT_CLAIMS + MORE_DISCLOSURES + DRESSED_DISCLOSURES))
def test_claims_negated_or_plain_risk_disclosures_are_not_flagged(text):
    assert run(claims, claims_facts(summary=text)) == []


def test_claims_in_an_update_body_are_flagged():
    facts = claims_facts(updates=[("Q2 news", "Sales are up. 本项目稳赚不赔。")])

    quote = only(only(run(claims, facts)).evidence["quotes"])

    assert quote["field"].endswith("body")
    assert quote["phrase"] == "稳赚不赔"


def test_claims_in_an_update_title_are_flagged():
    assert run(claims, claims_facts(updates=[("保本保收益", "Sales are up.")])) != []


def test_claims_quote_the_phrase_as_read_and_the_text_as_written():
    text = "本項目 保 本，Guaranteed  Returns"

    quotes = only(run(claims, claims_facts(summary=text))).evidence["quotes"]

    assert [q["phrase"] for q in quotes] == ["保本", "guaranteed returns"]
    assert {q["text"] for q in quotes} == {text}


def test_claims_update_with_a_plain_disclosure_is_not_flagged():
    assert run(claims, claims_facts(updates=[("Q2 news", "Returns are not guaranteed. 不保本。")])) == []


# identity_duplicate -----------------------------------------------------------------------------------------------


def identity_facts(*, status, twins: int = 1, with_kyc: bool = True) -> InvestorFacts:
    account = make_user(kyc_status=status, id_hash="hash-of-110101198005171234")
    others = [make_user(kyc_status=KycStatus.VERIFIED, id_hash="hash-of-110101198005171234") for _ in range(twins)]
    return InvestorFacts(investor=account, as_of=at(2025, 5, 1), kyc=account.kyc if with_kyc else None,
                         verified_twins=[other.kyc for other in others])


@pytest.mark.parametrize(
    "status, twins, expected",
    [
        (KycStatus.PENDING, 1, ["high"]),
        (KycStatus.REJECTED, 1, ["high"]),
        (KycStatus.PENDING, 2, ["high"]),
        (KycStatus.VERIFIED, 1, []),
        (KycStatus.PENDING, 0, []),
    ],
    ids=["pending-with-verified-twin", "rejected-with-twin", "two-twins", "this-account-verified", "no-twin"],
)
def test_identity_number_verified_on_another_account(status, twins, expected):
    assert severities(run(identity, identity_facts(status=status, twins=twins))) == expected


def test_identity_without_a_kyc_submission_is_not_judged():
    assert run(identity, identity_facts(status=KycStatus.PENDING, with_kyc=False)) == []


def test_identity_evidence_names_the_verified_account():
    facts = identity_facts(status=KycStatus.PENDING)

    finding = only(run(identity, facts))

    twin = facts.verified_twins[0]
    assert twin.user.username in finding.evidence["summary"]
    assert {"type": "kyc", "id": twin.pk, "label": twin.user.username} in finding.evidence["records"]
    assert finding.subject.id == facts.investor.pk


# Findings in general: fingerprints and evidence -------------------------------------------------------------------

# One flagged example per rule, built afresh each call, with the figure that can be moved to change it.
FLAGGED = {
    "performance_deviation": (performance, lambda v="400000": performance_facts(actual_profit=v), "399999.99"),
    "forecast_inconsistent": (forecast, lambda v="35000000": forecast_facts(projected_profit=v), "34000000"),
    "commitment_unfunded": (commitments, lambda v="99999.99": commitment_facts(paid=(v,)), "50000"),
    "platform_conflict": (platform, lambda v="25": platform_facts(related=True, stake=v), "30"),
    "financial_inconsistency": (
        financials, lambda v="1000000.01": financial_facts(make_statement(2024, revenue="1000000", net_profit=v)),
        "1000000.02",
    ),
    "insufficient_assurance": (assurance, lambda v="8000000": assurance_facts(target=v), "9000000"),
    "interim_shortfall": (interim, lambda v="249999.99": interim_facts(actual_interim(net_profit=v)), "100000"),
    "shill_subscriptions": (shill, lambda v="150000": shill_facts(linked_amounts=(v, "150000"), others="700000"),
                            "160000"),
}


def fresh(build, *args):
    """Build facts with row ids counted from the same start, so that building the same facts twice gives equal rows
    (as reading them twice from the database would)."""
    global _ids
    saved, _ids = _ids, itertools.count(1000)
    try:
        return build(*args)
    finally:
        _ids = saved


@pytest.mark.parametrize("code", sorted(FLAGGED))
def test_same_facts_give_the_same_fingerprint_and_a_changed_figure_another(code):
    rule, build, other_value = FLAGGED[code]

    first = only(run(rule, fresh(build)))
    again = only(run(rule, fresh(build)))
    changed = only(run(rule, fresh(build, other_value)))

    assert first.rule == code
    assert first.fingerprint == again.fingerprint
    assert changed.fingerprint != first.fingerprint


@pytest.mark.parametrize("code", sorted(FLAGGED))
def test_evidence_is_plain_json_with_a_summary_and_the_compared_figures(code):
    rule, build, _ = FLAGGED[code]

    evidence = only(run(rule, build())).evidence

    assert json.loads(json.dumps(evidence)) == evidence
    assert isinstance(evidence["summary"], str) and evidence["summary"]
    for comparison in evidence["comparisons"]:
        assert {"figure", "expected", "actual", "threshold"} <= set(comparison)
        assert comparison["threshold"]


def test_performance_evidence_shows_projected_and_actual_figures_and_the_threshold():
    finding = only(run(performance, performance_facts(actual_profit="400000")))

    profit, revenue = finding.evidence["comparisons"]
    assert profit == {"figure": "net_profit", "expected": "1000000.00", "actual": "400000.00",
                      "threshold": "at least 50% of projected", "breached": True}
    assert (revenue["expected"], revenue["actual"], revenue["breached"]) == ("10000000.00", "10000000.00", False)
    assert finding.evidence["fiscal_year"] == RAISE_YEAR


def test_forecast_evidence_shows_both_years_and_the_multiple():
    finding = only(run(forecast, forecast_facts(base_profit="1000000", projected_profit="2500000")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("1000000.00", "2500000.00")
    assert "2" in comparison["threshold"]
    assert "2.5000×" in finding.evidence["summary"]


def test_shill_evidence_shows_the_share_threshold_and_the_subscriptions():
    finding = only(run(shill, shill_facts(linked_amounts=("150000", "150000"), others="700000")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("0.20", "0.3000")
    assert "300000.00 of 1000000.00 CNY" in finding.evidence["summary"]
    assert [item["amount"] for item in finding.evidence["subscriptions"]] == ["150000.00", "150000.00"]
    assert all(item["account_age_days"] == 3 for item in finding.evidence["subscriptions"])


@pytest.mark.parametrize(
    "rule, build, earlier, later",
    [
        pytest.param(reporting, lambda as_of: reporting_facts(as_of=as_of), at(2026, 5, 2), at(2026, 8, 2),
                     id="reporting_delinquent"),
        pytest.param(commitments, lambda as_of: commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=as_of),
                     CLOSES - dt.timedelta(days=2), CLOSES - dt.timedelta(days=1), id="commitment_unfunded"),
    ],
)
def test_screening_the_same_facts_later_gives_the_same_fingerprint(rule, build, earlier, later):
    assert only(run(rule, fresh(build, earlier))).fingerprint == only(run(rule, fresh(build, later))).fingerprint
