"""identity_duplicate: one person behind several accounts, which lets a ring pass as many investors and gets around
per-investor limits."""

from __future__ import annotations

from investors.models import KycStatus
from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, score
from risk.selectors import InvestorFacts

CODE = "identity_duplicate"


def check(facts: InvestorFacts, policy: Policy) -> list[Finding]:
    kyc = facts.kyc
    if kyc is None or kyc.status == KycStatus.VERIFIED or not facts.verified_twins:
        return []
    return [
        Finding(
            rule=CODE,
            severity=Severity.HIGH,
            score=score(len(facts.verified_twins)),
            subject=Subject.investor(facts.investor),
            evidence={
                "summary": (
                    f"The identity number {kyc.id_number_masked} is already verified on "
                    + ", ".join(twin.user.username for twin in facts.verified_twins)
                    + "."
                ),
                "comparisons": [],
                "records": [{"type": "kyc", "id": kyc.pk, "label": facts.investor.username}]
                + [{"type": "kyc", "id": twin.pk, "label": twin.user.username} for twin in facts.verified_twins],
            },
        )
    ]
