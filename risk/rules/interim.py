"""interim_shortfall: the early warning. After a successful raise, an actual half year or quarter of a projected year
falls far short of its pro-rata share of the projection investors were shown. Hongli Energy's loss was in its figures
months before the annual report revealed it; this rule speaks when the first interim statement is filed."""

from __future__ import annotations

from decimal import Decimal

from kernel.money import to_cents
from projects.models import OfferingStatus
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score, statement_record
from risk.rules.performance import shortfall
from risk.selectors import IssuerFacts

CODE = "interim_shortfall"
# The share of a full year each interim period stands for.
PRO_RATA = {
    "H1": Decimal("0.5"),
    "Q1": Decimal("0.25"),
    "Q2": Decimal("0.25"),
    "Q3": Decimal("0.25"),
    "Q4": Decimal("0.25"),
}


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    interims = [s for s in facts.latest_versions() if s.kind == "actual" and s.period in PRO_RATA]
    for raise_ in facts.offerings:
        offering = raise_.offering
        if offering.status != OfferingStatus.CLOSED or raise_.closed_at is None:
            continue
        for interim in sorted(interims, key=lambda s: (s.fiscal_year, s.period)):
            projection = facts.latest(
                fiscal_year=interim.fiscal_year, period="FY", kind="projection", filed_by=offering.closes_at
            )
            if projection is None:
                continue
            share = PRO_RATA[interim.period]
            found = shortfall(
                projected_profit=to_cents(projection.net_profit * share),
                projected_revenue=to_cents(projection.revenue * share),
                actual=interim,
                profit_ratio=policy.interim_profit_shortfall_ratio,
                revenue_ratio=policy.interim_revenue_shortfall_ratio,
                of=f"the projection's pro-rata share ({share:%} of FY{projection.fiscal_year})",
            )
            if not found.breached:
                continue
            label = f"{interim.period} {interim.fiscal_year}"
            findings.append(
                Finding(
                    rule=CODE,
                    severity=Severity.HIGH,
                    score=score(found.worst),
                    subject=Subject.offering(offering),
                    evidence={
                        "summary": (
                            f"{label} actual results against the pro-rata share of the FY{projection.fiscal_year} "
                            "projection filed before the raise: "
                            + (
                                "a loss where a profit was projected."
                                if found.loss_against_profit
                                else "far below the projection."
                            )
                        ),
                        "fiscal_year": interim.fiscal_year,
                        "period": interim.period,
                        "comparisons": found.comparisons,
                        "records": [offering_record(offering), statement_record(projection), statement_record(interim)],
                    },
                )
            )
    return findings
