"""reporting_delinquent: a company that raised money has not filed its actual annual figures in time (Hongli
Energy's investors learnt of the loss from a report; an issuer that files nothing hides even that).

When a report is due is the post-funding duty of `projects` (ANNUAL_REPORT_DUE_DAYS after each fiscal year end);
this rule asks the same function, over the facts it was given."""

from __future__ import annotations

from django.utils import timezone

from projects.models import OfferingStatus
from projects.selectors import duties_of_issuer
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score
from risk.selectors import IssuerFacts

CODE = "reporting_delinquent"


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    closed = [r for r in facts.offerings if r.offering.status == OfferingStatus.CLOSED and r.closed_at]
    if not closed:
        return []
    first = min(closed, key=lambda r: r.closed_at)
    filed_on: dict = {}
    for statement in facts.statements:
        if statement.kind == "actual" and statement.period == "FY":
            day = timezone.localdate(statement.filed_at)
            filed_on[statement.fiscal_year] = min(filed_on.get(statement.fiscal_year, day), day)
    today = timezone.localdate(facts.as_of)
    duties = duties_of_issuer(
        issuer_id=facts.issuer.pk, first_closed_on=timezone.localdate(first.closed_at), filed_on=filed_on, today=today
    )
    return [
        Finding(
            rule=CODE,
            severity=Severity.HIGH,
            score=score((today - duty.due_on).days),
            subject=Subject.issuer(facts.issuer),
            evidence={
                "summary": f"The actual FY{duty.fiscal_year} statement was due on {duty.due_on.isoformat()} and is not filed.",
                "fiscal_year": duty.fiscal_year,
                "comparisons": [
                    {"figure": f"FY{duty.fiscal_year} actual statement", "expected": f"filed by {duty.due_on.isoformat()}",
                     "actual": "not filed", "threshold": f"{duty.days_allowed} days after year end", "breached": True}
                ],
                "records": [offering_record(first.offering)],
            },
        )
        for duty in duties
        if duty.overdue
    ]
