"""The `interim_shortfall` rule (risk/rules/interim.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.models import (
    OfferingStatus,
)
from risk.rules import interim
from risk.tests.rules.facts import (
    CLOSES,
    RAISE_YEAR,
    actual_interim,
    interim_facts,
    only,
    policy_with,
    refile,
    run,
    severities,
)


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
        "net_profit",
        "500000.00",
        "-1500000.00",
        True,
    )
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
    [
        lambda: actual_interim(net_profit="-1", year=RAISE_YEAR + 1),
        lambda: actual_interim(net_profit="-1", kind="historical"),
    ],
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
