"""performance_deviation: the first actual full year after a raise falls far short of the projection investors
were shown while the offering raised (Hongli Energy: CNY 35 M profit projected, CNY 26.8 M loss reported)."""

from __future__ import annotations

from dataclasses import dataclass
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
        s.fiscal_year
        for s in facts.latest_versions()
        if s.kind == "actual" and s.period == "FY" and s.fiscal_year >= raise_.went_live_at.year
    )
    for year in reported:
        projection = facts.latest(fiscal_year=year, period="FY", kind="projection", filed_by=raise_.offering.closes_at)
        if projection is not None:
            return year, projection, facts.latest(fiscal_year=year, period="FY", kind="actual")
    return None


@dataclass(frozen=True)
class Shortfall:
    """Actual figures side by side with projected ones (the whole projection, or its pro-rata share)."""

    comparisons: list[dict]
    breached: bool
    loss_against_profit: bool
    worst: Decimal


def shortfall(
    *,
    projected_profit: Decimal,
    projected_revenue: Decimal,
    actual,
    profit_ratio: Decimal,
    revenue_ratio: Decimal,
    of: str = "projected",
) -> Shortfall:
    """Net profit under `profit_ratio` of a projected profit (a loss is always under it), revenue under
    `revenue_ratio` of projected revenue."""
    comparisons, breached, worst = [], False, Decimal("0")
    for figure, projected, actual_value, ratio_allowed in (
        ("net_profit", projected_profit, actual.net_profit, profit_ratio),
        ("revenue", projected_revenue, actual.revenue, revenue_ratio),
    ):
        if projected <= 0:
            continue
        short = actual_value < projected * ratio_allowed
        if short:
            breached, worst = True, max(worst, 1 - actual_value / projected)
        comparisons.append(
            comparison(figure, projected, actual_value, f"at least {ratio_allowed:%} of {of}", breached=short)
        )
    return Shortfall(comparisons, breached, projected_profit > 0 and actual.net_profit < 0, worst)


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
        found = shortfall(
            projected_profit=projection.net_profit,
            projected_revenue=projection.revenue,
            actual=actual,
            profit_ratio=policy.profit_shortfall_ratio,
            revenue_ratio=policy.revenue_shortfall_ratio,
        )
        if not found.breached:
            continue
        loss = found.loss_against_profit
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.CRITICAL if loss else Severity.HIGH,
                score=score(found.worst),
                subject=Subject.offering(offering),
                evidence={
                    "summary": (
                        f"FY{year} actual results against the projection filed before the raise: "
                        + ("a loss where a profit was projected." if loss else "far below the projection.")
                    ),
                    "fiscal_year": year,
                    "comparisons": found.comparisons,
                    "records": [offering_record(offering), statement_record(projection), statement_record(actual)],
                },
            )
        )
    return findings
