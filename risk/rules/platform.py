"""platform_conflict: the platform's own group stands behind the issuer. Disclosed ties need a second reviewer; a
large stake is a conflict in itself; a company in the group's portfolio that declares no tie is concealing one."""

from __future__ import annotations

from decimal import Decimal

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, score
from risk.selectors import IssuerFacts

CODE = "platform_conflict"


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    issuer, entry = facts.issuer, facts.portfolio_entry
    declared_stake = issuer.platform_stake_pct or Decimal("0")
    declared = issuer.related_to_platform or declared_stake > 0
    registry_stake = entry.stake_pct if entry is not None and entry.stake_pct is not None else None
    stake = max(declared_stake, registry_stake or Decimal("0"))
    if entry is not None and not declared:
        severity, summary = Severity.CRITICAL, "The company is in the platform group's portfolio but declares no tie."
    elif stake >= policy.platform_stake_high_pct:
        severity, summary = Severity.HIGH, f"The platform group holds {stake}% of the company."
    elif declared or entry is not None:
        severity, summary = Severity.MEDIUM, "The company is tied to the platform; a second staff approver is required."
    else:
        return []
    return [
        Finding(
            rule=CODE,
            severity=severity,
            score=score(stake / 100),
            subject=Subject.issuer(issuer),
            evidence={
                "summary": summary,
                "comparisons": [
                    comparison(
                        "platform stake %",
                        declared_stake,
                        registry_stake,
                        f"high from {policy.platform_stake_high_pct}%",
                        declared_tie=issuer.related_to_platform,
                        in_portfolio_registry=entry is not None,
                    )
                ],
                "records": [{"type": "issuer", "id": issuer.pk, "label": issuer.legal_name}]
                + ([{"type": "portfolio_company", "id": entry.pk, "label": entry.uscc}] if entry else []),
            },
        )
    ]
