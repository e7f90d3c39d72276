"""performance_deviation: the first actual full year after a raise falls far short of the projection investors
were shown while the offering raised (Hongli Energy: CNY 35 M profit projected, CNY 26.8 M loss reported)."""

from __future__ import annotations

from decimal import Decimal

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, offering_record, score, statement_record
from risk.selectors import IssuerFacts

CODE = "performance_deviation"


def _first_projected_year_reported(facts: IssuerFacts, raise_):
    """The first fiscal year ending after the raise began that has both a projection shown to investors (filed
    before the offering closed) and actual figures, with those two statements."""
    reported = sorted(
        s.fiscal_year for s in facts.latest_versions()
        if s.kind == "actual" and s.period == "FY" and s.fiscal_year >= raise_.went_live_at.year
    )
    for year in reported:
        projection = facts.latest(fiscal_year=year, period="FY", kind="projection", filed_by=raise_.offering.closes_at)
        if projection is not None:
            return year, projection, facts.latest(fiscal_year=year, period="FY", kind="actual")
    return None


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    for raise_ in facts.offerings:
        if raise_.went_live_at is None or not raise_.paid_subscriptions:
            continue
        offering = raise_.offering
        judged = _first_projected_year_reported(facts, raise_)
        if judged is None:
            continue
        year, projection, actual = judged
        comparisons, severity, worst = [], None, Decimal("0")
        projected_profit, actual_profit = projection.net_profit, actual.net_profit
        if projected_profit > 0:
            threshold = projected_profit * policy.profit_shortfall_ratio
            if actual_profit < 0:
                severity = Severity.CRITICAL
            elif actual_profit < threshold:
                severity = Severity.HIGH
            if actual_profit < threshold:
                worst = max(worst, 1 - actual_profit / projected_profit)
            comparisons.append(
                comparison(
                    "net_profit", projected_profit, actual_profit,
                    f"at least {policy.profit_shortfall_ratio:%} of projected",
                    breached=actual_profit < threshold,
                )
            )
        if projection.revenue > 0:
            threshold = projection.revenue * policy.revenue_shortfall_ratio
            if actual.revenue < threshold:
                severity = severity or Severity.HIGH
                worst = max(worst, 1 - actual.revenue / projection.revenue)
            comparisons.append(
                comparison(
                    "revenue", projection.revenue, actual.revenue,
                    f"at least {policy.revenue_shortfall_ratio:%} of projected",
                    breached=actual.revenue < threshold,
                )
            )
        if severity is None:
            continue
        loss = severity == Severity.CRITICAL
        findings.append(
            Finding(
                rule=CODE,
                severity=severity,
                score=score(worst),
                subject=Subject.offering(offering),
                evidence={
                    "summary": (
                        f"FY{year} actual results against the projection filed before the raise: "
                        + ("a loss where a profit was projected." if loss else "far below the projection.")
                    ),
                    "fiscal_year": year,
                    "comparisons": comparisons,
                    "records": [offering_record(offering), statement_record(projection), statement_record(actual)],
                },
            )
        )
    return findings
