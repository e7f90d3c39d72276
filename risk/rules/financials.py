"""financial_inconsistency: filed figures that cannot all be true: a profit above revenue or negative balances, four
quarters that do not add up to their year, or a period re-filed with figures that moved more than a rounding."""

from __future__ import annotations

from decimal import Decimal

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, score, statement_record
from risk.selectors import IssuerFacts

CODE = "financial_inconsistency"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
FIGURES = ("revenue", "net_profit", "total_assets", "total_liabilities")


def _relative_gap(value: Decimal, reference: Decimal) -> Decimal:
    if reference == 0:
        return Decimal("0") if value == 0 else Decimal("1")
    return abs(value - reference) / abs(reference)


def _finding(facts, summary: str, comparisons: list[dict], statements, gap: Decimal) -> Finding:
    return Finding(
        rule=CODE,
        severity=Severity.HIGH,
        score=score(gap),
        subject=Subject.issuer(facts.issuer),
        evidence={"summary": summary, "comparisons": comparisons, "records": [statement_record(s) for s in statements]},
    )


def _impossible_figures(facts) -> list[Finding]:
    findings = []
    for statement in facts.latest_versions():
        label = f"{statement.fiscal_year} {statement.period} {statement.kind}"
        problems = []
        if statement.net_profit > statement.revenue:
            problems.append(
                comparison(
                    "net_profit vs revenue",
                    statement.revenue,
                    statement.net_profit,
                    "net profit cannot exceed revenue",
                    breached=True,
                )
            )
        for figure in ("revenue", "total_assets", "total_liabilities"):
            if getattr(statement, figure) < 0:
                problems.append(
                    comparison(figure, Decimal("0"), getattr(statement, figure), "not negative", breached=True)
                )
        if problems:
            findings.append(
                _finding(facts, f"{label}: figures that cannot all be true.", problems, [statement], Decimal(1))
            )
    return findings


def _quarters_against_year(facts, policy: Policy) -> list[Finding]:
    findings = []
    latest = facts.latest_versions()
    for year_statement in (s for s in latest if s.period == "FY" and s.kind != "projection"):
        quarters = [
            s
            for s in latest
            if s.period in QUARTERS and (s.fiscal_year, s.kind) == (year_statement.fiscal_year, year_statement.kind)
        ]
        if not quarters:
            continue
        complete = len(quarters) == len(QUARTERS)
        # With every quarter filed both revenue and profit must add up; with some, their revenue cannot exceed the year's.
        figures = ("revenue", "net_profit") if complete else ("revenue",)
        comparisons, worst = [], Decimal("0")
        for figure in figures:
            total = sum(getattr(q, figure) for q in quarters)
            expected = getattr(year_statement, figure)
            gap = _relative_gap(total, expected)
            off = (
                gap > policy.quarterly_tolerance_ratio
                if complete
                else total > expected * (1 + policy.quarterly_tolerance_ratio)
            )
            if off:
                worst = max(worst, gap)
                comparisons.append(
                    comparison(
                        f"{figure}: sum of {len(quarters)} quarter(s) vs FY",
                        expected,
                        total,
                        f"within {policy.quarterly_tolerance_ratio:%}",
                        breached=True,
                    )
                )
        if comparisons:
            findings.append(
                _finding(
                    facts,
                    f"{year_statement.fiscal_year} {year_statement.kind}: quarterly figures do not agree with the full year.",
                    comparisons,
                    [year_statement, *quarters],
                    worst,
                )
            )
    return findings


def _refilings(facts, policy: Policy) -> list[Finding]:
    findings = []
    for statement in facts.statements:
        earlier = statement.supersedes
        if earlier is None or statement.kind == "projection":
            continue
        comparisons, worst = [], Decimal("0")
        for figure in FIGURES:
            gap = _relative_gap(getattr(statement, figure), getattr(earlier, figure))
            if gap > policy.refiling_tolerance_ratio:
                worst = max(worst, gap)
                comparisons.append(
                    comparison(
                        f"{figure}: v{statement.version} vs v{earlier.version}",
                        getattr(earlier, figure),
                        getattr(statement, figure),
                        f"within {policy.refiling_tolerance_ratio:%}",
                        breached=True,
                    )
                )
        if comparisons:
            findings.append(
                _finding(
                    facts,
                    f"{statement.fiscal_year} {statement.period} {statement.kind} was re-filed with different figures.",
                    comparisons,
                    [earlier, statement],
                    worst,
                )
            )
    return findings


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    return _impossible_figures(facts) + _quarters_against_year(facts, policy) + _refilings(facts, policy)
