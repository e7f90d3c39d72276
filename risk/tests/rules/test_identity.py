"""The `identity_duplicate` rule (risk/rules/identity.py) at, just under and just over its thresholds."""

from __future__ import annotations

import pytest

from investors.models import KycStatus
from risk.rules import identity
from risk.selectors import InvestorFacts
from risk.tests.rules.facts import at, make_user, only, run, severities


def identity_facts(*, status, twins: int = 1, with_kyc: bool = True) -> InvestorFacts:
    account = make_user(kyc_status=status, id_hash="hash-of-110101198005171234")
    others = [make_user(kyc_status=KycStatus.VERIFIED, id_hash="hash-of-110101198005171234") for _ in range(twins)]
    return InvestorFacts(
        investor=account,
        as_of=at(2025, 5, 1),
        kyc=account.kyc if with_kyc else None,
        verified_twins=[other.kyc for other in others],
    )


@pytest.mark.parametrize(
    "status, twins, expected",
    [
        (KycStatus.PENDING, 1, ["high"]),
        (KycStatus.REJECTED, 1, ["high"]),
        (KycStatus.PENDING, 2, ["high"]),
        (KycStatus.VERIFIED, 1, []),
        (KycStatus.PENDING, 0, []),
    ],
    ids=["pending-with-verified-twin", "rejected-with-twin", "two-twins", "this-account-verified", "no-twin"],
)
def test_identity_number_verified_on_another_account(status, twins, expected):
    assert severities(run(identity, identity_facts(status=status, twins=twins))) == expected


def test_identity_without_a_kyc_submission_is_not_judged():
    assert run(identity, identity_facts(status=KycStatus.PENDING, with_kyc=False)) == []


def test_identity_evidence_names_the_verified_account():
    facts = identity_facts(status=KycStatus.PENDING)

    finding = only(run(identity, facts))

    twin = facts.verified_twins[0]
    assert twin.user.username in finding.evidence["summary"]
    assert {"type": "kyc", "id": twin.pk, "label": twin.user.username} in finding.evidence["records"]
    assert finding.subject.id == facts.investor.pk
