"""terms_changed: the security, price or use of funds changed after investors paid, whatever the issuer called the
change (Hongli Energy switched from new shares to insiders' old shares after the money came in)."""

from __future__ import annotations

from projects.services import MATERIAL_TERMS
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score
from risk.selectors import IssuerFacts

CODE = "terms_changed"


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    for raise_ in facts.offerings:
        first_paid_at = raise_.first_paid_at
        if first_paid_at is None:
            continue
        changes = [
            change
            for change in raise_.term_changes
            if change.term in MATERIAL_TERMS and change.changed_at > first_paid_at
        ]
        if not changes:
            continue
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.HIGH,
                score=score(len(changes)),
                subject=Subject.offering(raise_.offering),
                evidence={
                    "summary": (
                        "Terms investors paid for were changed after the first paid subscription: "
                        + ", ".join(change.term for change in changes)
                        + ". Paid subscriptions must be reconfirmed."
                    ),
                    "first_paid_at": first_paid_at.isoformat(),
                    "comparisons": [
                        {
                            "figure": change.term,
                            "expected": change.old_value,
                            "actual": change.new_value,
                            "threshold": "unchanged after investors paid",
                            "changed_at": change.changed_at.isoformat(),
                            "material_change_declared": change.update.material_change,
                            "breached": True,
                        }
                        for change in changes
                    ],
                    "records": [offering_record(raise_.offering)]
                    + [
                        {"type": "offering_update", "id": change.update_id, "label": change.update.title}
                        for change in changes
                    ],
                },
            )
        )
    return findings
