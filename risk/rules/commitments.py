"""commitment_unfunded: an announced commitment (lead investor, the platform itself, an insider) that is not backed
by that party's paid subscriptions when the offering closes (Hongli Energy's platform announced CNY 10 M of its own
that never came)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from investors.models import BACKING_STATUSES
from projects.models import AFTER_DEADLINE_STATUSES, BEFORE_DEADLINE_STATUSES
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, offering_record, ratio
from risk.selectors import IssuerFacts

CODE = "commitment_unfunded"


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    window = dt.timedelta(days=policy.commitment_window_days)
    for raise_ in facts.offerings:
        offering = raise_.offering
        near_deadline = offering.status in BEFORE_DEADLINE_STATUSES and facts.as_of >= offering.closes_at - window
        if not raise_.commitments or not (near_deadline or offering.status in AFTER_DEADLINE_STATUSES):
            continue
        paid_by: defaultdict[int, Decimal] = defaultdict(Decimal)
        for subscription in raise_.paid_subscriptions:
            if subscription.status in BACKING_STATUSES:
                paid_by[subscription.investor_id] += subscription.amount
        promised: defaultdict[tuple[str, int | None], Decimal] = defaultdict(Decimal)
        for commitment in raise_.commitments:
            # A commitment that names no investor account cannot be backed by anyone's payment.
            promised[(commitment.by, commitment.investor_id)] += commitment.amount
        shortfalls = []
        for (party, investor_id), amount in sorted(promised.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            paid = paid_by[investor_id] if investor_id else Decimal("0")
            if paid < amount:
                shortfalls.append(
                    comparison(
                        f"{party} commitment"
                        + (f" (investor {investor_id})" if investor_id else " (no account named)"),
                        amount,
                        paid,
                        "paid at least the announced amount",
                        breached=True,
                        party=party,
                        investor=investor_id,
                    )
                )
        if not shortfalls:
            continue
        announced = sum((Decimal(item["expected"]) for item in shortfalls), Decimal("0"))
        missing = sum((Decimal(item["expected"]) - Decimal(item["actual"]) for item in shortfalls), Decimal("0"))
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.CRITICAL,
                score=ratio(missing, announced),
                subject=Subject.offering(offering),
                evidence={
                    "summary": (
                        f"Announced commitments of {announced} {offering.currency} are short by {missing} "
                        f"{offering.currency} at the deadline of {offering.closes_at.isoformat()}."
                    ),
                    "comparisons": shortfalls,
                    "records": [offering_record(offering)],
                },
            )
        )
    return findings
