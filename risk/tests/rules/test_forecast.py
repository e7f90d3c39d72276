"""The `forecast_inconsistent` rule (risk/rules/forecast.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.models import (
    FinancialStatement,
    OfferingStatus,
)
from risk.rules import forecast
from risk.tests.rules.facts import RAISE_YEAR, at, forecast_facts, make_statement, only, policy_with, run, severities

RAISING = [
    OfferingStatus.IN_REVIEW,
    OfferingStatus.APPROVED,
    OfferingStatus.LIVE,
    OfferingStatus.SUSPENDED,
    OfferingStatus.CLOSING,
]
NOT_RAISING = [OfferingStatus.CLOSED, OfferingStatus.FAILED, OfferingStatus.CANCELLED, OfferingStatus.REJECTED]


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
    interim = make_statement(RAISE_YEAR, period, revenue="1000000", net_profit="-0.01", filed_at=at(RAISE_YEAR, 4, 15))

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


def filed_interim(
    period: str,
    net_profit: str,
    *,
    year: int = RAISE_YEAR,
    kind: str = "historical",
    filed_at: dt.datetime | None = None,
) -> FinancialStatement:
    return make_statement(
        year, period, kind, revenue="5000000", net_profit=net_profit, filed_at=filed_at or at(RAISE_YEAR, 7, 20)
    )


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
        (
            lambda: [filed_interim("Q1", "200000"), filed_interim("Q2", "200000"), filed_interim("Q3", "162499.99")],
            ["high"],
        ),
        (lambda: [filed_interim("H1", "400000"), filed_interim("Q3", "162499.99")], ["high"]),
        (lambda: [filed_interim("H1", "400000"), filed_interim("Q1", "100"), filed_interim("Q2", "100")], []),
        (lambda: [filed_interim("H1", "374999.99", kind="actual")], ["high"]),
        (lambda: [filed_interim("H1", "100000", year=RAISE_YEAR - 1)], []),
    ],
    ids=[
        "h1-exactly-half",
        "h1-cent-under",
        "h1-cent-over",
        "q1-exactly",
        "q1-cent-under",
        "q1-q2-cent-under",
        "three-quarters-exactly",
        "three-quarters-cent-under",
        "h1-and-q3-cent-under",
        "h1-outranks-its-quarters",
        "actual-h1-of-an-earlier-raise",
        "another-year",
    ],
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
