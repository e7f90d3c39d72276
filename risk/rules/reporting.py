"""reporting_delinquent and interim_report_missing: a company that raised money has not filed its actual figures in
time (Hongli Energy's investors learnt of the loss from a report; an issuer that files nothing hides even that).
The annual report is due `ANNUAL_REPORT_DUE_DAYS` after each fiscal year's end (high: the investors have nothing);
the half-year report `RISK_POLICY["interim_report_due_days"]` after each June 30 that follows the close (medium: a
warning sign to weigh with others, never a case to act on alone).

When a report is due is the post-funding duty of `projects`; these rules ask the same function, over the facts they
were given."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.utils import timezone

from projects.models import OfferingStatus, StatementPeriod
from projects.selectors import REPORTED_PERIODS, ReportDuty, duties_of_issuer
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score
from risk.selectors import IssuerFacts

CODE = "reporting_delinquent"
INTERIM_CODE = "interim_report_missing"


def _overdue_duties(facts: IssuerFacts, *, period: str):
    """The overdue duties of one period, as of the facts' moment, with the first successful raise."""
    closed = [r for r in facts.offerings if r.offering.status == OfferingStatus.CLOSED and r.closed_at]
    if not closed:
        return None, []
    first = min(closed, key=lambda r: cast(dt.datetime, r.closed_at))  # only raises with a closing moment
    filed_on: dict = {}
    for statement in facts.statements:
        if statement.kind == "actual" and statement.period in REPORTED_PERIODS:
            day = timezone.localdate(statement.filed_at)
            key = (statement.fiscal_year, statement.period)
            filed_on[key] = min(filed_on.get(key, day), day)
    duties = duties_of_issuer(
        issuer_id=facts.issuer.pk,
        first_closed_on=timezone.localdate(first.closed_at),
        filed_on=filed_on,
        today=timezone.localdate(facts.as_of),
    )
    return first, [duty for duty in duties if duty.overdue and duty.period == period]


def _finding(facts: IssuerFacts, duty: ReportDuty, *, rule: str, severity: str, first) -> Finding:
    name = f"{duty.period} {duty.fiscal_year}" if duty.period == StatementPeriod.H1 else f"FY{duty.fiscal_year}"
    ended = "year end" if duty.period == StatementPeriod.FY else "June 30"
    return Finding(
        rule=rule,
        severity=severity,
        score=score((timezone.localdate(facts.as_of) - duty.due_on).days),
        subject=Subject.issuer(facts.issuer),
        evidence={
            "summary": f"The actual {name} statement was due on {duty.due_on.isoformat()} and is not filed.",
            "fiscal_year": duty.fiscal_year,
            **({"period": duty.period} if duty.period != StatementPeriod.FY else {}),
            "comparisons": [
                {
                    "figure": f"{name} actual statement",
                    "expected": f"filed by {duty.due_on.isoformat()}",
                    "actual": "not filed",
                    "threshold": f"{duty.days_allowed} days after {ended}",
                    "breached": True,
                }
            ],
            "records": [offering_record(first.offering)],
        },
    )


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    first, overdue = _overdue_duties(facts, period=StatementPeriod.FY)
    return [_finding(facts, duty, rule=CODE, severity=Severity.HIGH, first=first) for duty in overdue]


def check_interim(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    first, overdue = _overdue_duties(facts, period=StatementPeriod.H1)
    return [_finding(facts, duty, rule=INTERIM_CODE, severity=Severity.MEDIUM, first=first) for duty in overdue]
