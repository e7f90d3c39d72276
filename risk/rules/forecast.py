"""forecast_inconsistent: a projection out of line with the issuer's own recent results, filed before or during a
raise (Hongli Energy projected CNY 35 M on CNY 27 M the year before, at 37 times earnings)."""

from __future__ import annotations

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, ratio, score, statement_record
from risk.selectors import RAISING, IssuerFacts

CODE = "forecast_inconsistent"
INTERIM_PERIODS = ("H1", "Q1", "Q2", "Q3", "Q4")


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    if not any(raise_.offering.status in RAISING for raise_ in facts.offerings):
        return []
    findings = []
    subject = Subject.issuer(facts.issuer)
    latest = facts.latest_versions()
    for projection in (s for s in latest if s.kind == "projection" and s.period == "FY"):
        base = facts.latest_past_fy(before_year=projection.fiscal_year)
        if base is not None and base.net_profit > 0:
            ceiling = base.net_profit * policy.forecast_growth_multiple
            if projection.net_profit > ceiling:
                findings.append(
                    Finding(
                        rule=CODE,
                        severity=Severity.HIGH,
                        score=score(projection.net_profit / base.net_profit),
                        subject=subject,
                        evidence={
                            "summary": (
                                f"FY{projection.fiscal_year} projected net profit is "
                                f"{ratio(projection.net_profit, base.net_profit)}× the FY{base.fiscal_year} result."
                            ),
                            "comparisons": [
                                comparison(
                                    f"net_profit FY{projection.fiscal_year} projected vs FY{base.fiscal_year}",
                                    base.net_profit, projection.net_profit,
                                    f"at most {policy.forecast_growth_multiple}× the latest full year",
                                    breached=True,
                                )
                            ],
                            "records": [statement_record(base), statement_record(projection)],
                        },
                    )
                )
        if projection.net_profit <= 0:
            continue
        for interim in latest:
            if (
                interim.fiscal_year == projection.fiscal_year
                and interim.period in INTERIM_PERIODS
                and interim.kind in ("historical", "actual")
                and interim.net_profit < 0
            ):
                findings.append(
                    Finding(
                        rule=CODE,
                        severity=Severity.HIGH,
                        score=score(1),
                        subject=subject,
                        evidence={
                            "summary": (
                                f"A FY{projection.fiscal_year} profit is projected, but the filed "
                                f"{interim.period} results of that year show a loss."
                            ),
                            "comparisons": [
                                comparison(
                                    f"net_profit {interim.period} {interim.fiscal_year} vs FY projection",
                                    projection.net_profit, interim.net_profit, "no loss in a year projected to profit",
                                    breached=True,
                                )
                            ],
                            "records": [statement_record(projection), statement_record(interim)],
                        },
                    )
                )
    return findings
