"""insufficient_assurance: a large raise resting on unaudited figures (the Hongli Energy prospectus relied on the
issuer's own numbers)."""

from __future__ import annotations

from projects.models import RAISING_STATUSES
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, offering_record, score, statement_record
from risk.selectors import IssuerFacts

CODE = "insufficient_assurance"


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    for raise_ in facts.offerings:
        offering = raise_.offering
        if offering.status not in RAISING_STATUSES or offering.target_amount <= policy.assurance_target_amount:
            continue
        latest = facts.latest_past_fy()
        if latest is not None and latest.audited:
            continue
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.HIGH,
                score=score(offering.target_amount / policy.assurance_target_amount),
                subject=Subject.offering(offering),
                evidence={
                    "summary": (
                        f"A target of {offering.target_amount} {offering.currency} needs audited figures, but "
                        + (
                            f"the latest full year (FY{latest.fiscal_year}) is unaudited."
                            if latest
                            else "no full-year figures are filed."
                        )
                    ),
                    "comparisons": [
                        comparison(
                            "target_amount",
                            policy.assurance_target_amount,
                            offering.target_amount,
                            f"audited latest full year above {policy.assurance_target_amount}",
                            breached=True,
                        )
                    ],
                    "records": [offering_record(offering)] + ([statement_record(latest)] if latest else []),
                },
            )
        )
    return findings
