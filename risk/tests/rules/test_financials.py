"""The `financial_inconsistency` rule (risk/rules/financials.py) at, just under and just over its thresholds."""

from __future__ import annotations

import pytest

from projects.models import (
    FinancialStatement,
)
from risk.rules import financials
from risk.tests.rules.facts import D, figures, financial_facts, make_statement, only, policy_with, refile, run


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
    ids=[
        "profit-equals-revenue",
        "profit-a-cent-above",
        "zero-assets",
        "negative-assets",
        "negative-liabilities",
        "negative-revenue",
        "loss",
    ],
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
    quarters.append(
        make_statement(year, "Q4", kind, revenue=revenue_total - D("3000000"), net_profit=profit_total - D("300000"))
    )
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
    ids=[
        "revenue-plus-1pct",
        "revenue-just-over",
        "revenue-minus-1pct",
        "revenue-just-under",
        "profit-plus-1pct",
        "profit-just-over",
        "profit-just-under",
    ],
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
        for quarter, revenue in zip(("Q1", "Q2", "Q3"), quarter_revenues, strict=True)
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
