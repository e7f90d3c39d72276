"""The `performance_deviation` rule (risk/rules/performance.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from investors.models import SubscriptionStatus
from projects.models import (
    OfferingStatus,
)
from risk.rules import performance
from risk.tests.rules.facts import (
    CLOSES,
    PROJECTED_PROFIT,
    PROJECTED_REVENUE,
    RAISE_YEAR,
    at,
    company,
    figures,
    make_offering,
    make_statement,
    make_subscription,
    make_user,
    only,
    performance_facts,
    policy_with,
    raise_of,
    refile,
    run,
    severities,
)


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
        raise_of(
            offering,
            subscriptions=[make_subscription(make_user(), offering, "50000", status=SubscriptionStatus.SETTLED)],
        ),
        statements=[
            shown,
            lowered,
            make_statement(RAISE_YEAR, kind="actual", revenue=PROJECTED_REVENUE, net_profit="300000"),
        ],
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
        statements=[
            make_statement(RAISE_YEAR, kind="projection", net_profit=PROJECTED_PROFIT),
            make_statement(RAISE_YEAR, kind="actual", net_profit="-500000"),
        ],
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
