"""forecast_inconsistent: a projection out of line with the issuer's own recent results, filed before or during a
raise (Hongli Energy projected CNY 35 M on CNY 27 M the year before, at 37 times earnings). Version 2 of the policy
also holds the projection against the same year's results so far: a year half gone tells more than the last one."""

from __future__ import annotations

from decimal import Decimal

from projects.models import RAISING_STATUSES
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, ratio, score, statement_record
from risk.selectors import IssuerFacts

CODE = "forecast_inconsistent"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
INTERIM_PERIODS = ("H1", *QUARTERS)
QUARTERS_IN = {"H1": 2, "Q1": 1, "Q2": 1, "Q3": 1, "Q4": 1}


def _filed_interim(facts: IssuerFacts, *, fiscal_year: int, period: str):
    """The figures given for one interim period: those filed before raising, else reported actuals."""
    return facts.latest(fiscal_year=fiscal_year, period=period, kind="historical") or facts.latest(
        fiscal_year=fiscal_year, period=period, kind="actual"
    )


def year_to_date(facts: IssuerFacts, *, fiscal_year: int) -> tuple[Decimal, list] | None:
    """The year's filed interim results annualized, with the statements used: H1 (or Q1 and Q2 without it) and
    whichever later quarters were filed, summed and scaled to four quarters (H1 × 2, three quarters × 4 / 3)."""
    by_period = {period: _filed_interim(facts, fiscal_year=fiscal_year, period=period) for period in INTERIM_PERIODS}
    first_half = [by_period["H1"]] if by_period["H1"] else [by_period["Q1"], by_period["Q2"]]
    parts = [s for s in (*first_half, by_period["Q3"], by_period["Q4"]) if s is not None]
    if not parts:
        return None
    quarters = sum(QUARTERS_IN[s.period] for s in parts)
    return sum(s.net_profit for s in parts) * 4 / quarters, parts


def _finding(facts: IssuerFacts, *, value: Decimal, summary: str, compared: dict, records: list) -> Finding:
    return Finding(
        rule=CODE,
        severity=Severity.HIGH,
        score=score(value),
        subject=Subject.issuer(facts.issuer),
        evidence={"summary": summary, "comparisons": [compared], "records": records},
    )


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    if not any(raise_.offering.status in RAISING_STATUSES for raise_ in facts.offerings):
        return []
    findings = []
    latest = facts.latest_versions()
    for projection in (s for s in latest if s.kind == "projection" and s.period == "FY"):
        year = projection.fiscal_year
        base = facts.latest_past_fy(before_year=year)
        if base is not None and base.net_profit > 0:
            ceiling = base.net_profit * policy.forecast_growth_multiple
            if projection.net_profit > ceiling:
                findings.append(
                    _finding(
                        facts,
                        value=projection.net_profit / base.net_profit,
                        summary=(
                            f"FY{year} projected net profit is "
                            f"{ratio(projection.net_profit, base.net_profit)}× the FY{base.fiscal_year} result."
                        ),
                        compared=comparison(
                            f"net_profit FY{year} projected vs FY{base.fiscal_year}",
                            base.net_profit,
                            projection.net_profit,
                            f"at most {policy.forecast_growth_multiple}× the latest full year",
                            breached=True,
                        ),
                        records=[statement_record(base), statement_record(projection)],
                    )
                )
        if projection.net_profit <= 0:
            continue
        so_far = year_to_date(facts, fiscal_year=year)
        if so_far is not None:
            annualized, parts = so_far
            periods = "+".join(s.period for s in parts)
            if annualized > 0 and projection.net_profit > annualized * policy.forecast_run_rate_multiple:
                findings.append(
                    _finding(
                        facts,
                        value=projection.net_profit / annualized,
                        summary=(
                            f"FY{year} projected net profit is {ratio(projection.net_profit, annualized)}× the "
                            f"year's {periods} result annualized."
                        ),
                        compared=comparison(
                            f"net_profit FY{year} projected vs {periods} {year} annualized",
                            annualized.quantize(Decimal("0.01")),
                            projection.net_profit,
                            f"at most {policy.forecast_run_rate_multiple}× the year-to-date result annualized",
                            breached=True,
                        ),
                        records=[*map(statement_record, parts), statement_record(projection)],
                    )
                )
        for interim in latest:
            if (
                interim.fiscal_year == year
                and interim.period in INTERIM_PERIODS
                and interim.kind in ("historical", "actual")
                and interim.net_profit < 0
            ):
                findings.append(
                    _finding(
                        facts,
                        value=Decimal(1),
                        summary=(
                            f"A FY{year} profit is projected, but the filed "
                            f"{interim.period} results of that year show a loss."
                        ),
                        compared=comparison(
                            f"net_profit {interim.period} {interim.fiscal_year} vs FY projection",
                            projection.net_profit,
                            interim.net_profit,
                            "no loss in a year projected to profit",
                            breached=True,
                        ),
                        records=[statement_record(projection), statement_record(interim)],
                    )
                )
    return findings
