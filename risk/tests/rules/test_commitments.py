"""The `commitment_unfunded` rule (risk/rules/commitments.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from investors.models import SubscriptionStatus
from projects.models import (
    CommitmentParty,
    OfferingStatus,
)
from risk.rules import commitments
from risk.tests.rules.facts import CLOSES, COMMITTED, commitment_facts, only, policy_with, run, severities


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (CLOSES - dt.timedelta(days=3), ["critical"]),
        (CLOSES - dt.timedelta(days=3, minutes=1), []),
        (CLOSES - dt.timedelta(days=1), ["critical"]),
    ],
    ids=["3-days-before", "3-days-1-minute-before", "1-day-before"],
)
def test_commitment_judged_from_the_window_before_the_deadline(as_of, expected):
    facts = commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=as_of)

    assert severities(run(commitments, facts)) == expected


@pytest.mark.parametrize("status", [OfferingStatus.IN_REVIEW, OfferingStatus.APPROVED])
def test_commitment_not_judged_before_the_offering_takes_money(status):
    assert run(commitments, commitment_facts(paid=(), status=status, as_of=CLOSES)) == []


@pytest.mark.parametrize(
    "paid, expected",
    [
        ((COMMITTED,), []),
        (("99999.99",), ["critical"]),
        (("60000.00", "40000.00"), []),
        (("60000.00", "39999.99"), ["critical"]),
        (("150000.00",), []),
    ],
    ids=["paid-equal", "cent-short", "two-payments-add-up", "two-payments-cent-short", "paid-more"],
)
def test_commitment_backed_by_paid_subscriptions_of_its_party(paid, expected):
    assert severities(run(commitments, commitment_facts(paid=paid))) == expected


def test_commitment_shortfall_evidence_shows_promised_and_paid():
    finding = only(run(commitments, commitment_facts(paid=("99999.99",))))

    shortfall = finding.evidence["comparisons"][0]
    assert (shortfall["expected"], shortfall["actual"]) == ("100000.00", "99999.99")
    assert shortfall["party"] == "lead"
    assert "100000.00" in finding.evidence["summary"] and "0.01" in finding.evidence["summary"]


def test_commitment_paid_by_another_account_does_not_back_it():
    assert severities(run(commitments, commitment_facts(paid=("500000",), paid_by_someone_else=True))) == ["critical"]


def test_commitment_by_the_platform_naming_no_investor_is_flagged():
    facts = commitment_facts(paid=("500000",), by=CommitmentParty.PLATFORM, name_investor=False)

    finding = only(run(commitments, facts))

    assert finding.severity == "critical"
    assert finding.evidence["comparisons"][0]["investor"] is None
    assert finding.evidence["comparisons"][0]["party"] == "platform"


def test_commitment_not_backed_by_a_subscription_the_investor_cancelled():
    assert severities(run(commitments, commitment_facts(sub_status=SubscriptionStatus.CANCELLED))) == ["critical"]


@pytest.mark.parametrize(
    "status, sub_status",
    [
        (OfferingStatus.CLOSING, SubscriptionStatus.RECONFIRMATION_REQUIRED),
        (OfferingStatus.CLOSED, SubscriptionStatus.SETTLED),
    ],
)
def test_commitment_backed_by_money_in_escrow_or_settled(status, sub_status):
    assert run(commitments, commitment_facts(status=status, sub_status=sub_status)) == []


def test_commitment_paid_in_full_is_not_unfunded_after_the_failed_offering_refunded_it():
    """The lead paid its whole commitment; the raise missed its target and every payment went back, the lead's too.
    The commitment was kept; the refund is the failure's, not the lead's."""
    facts = commitment_facts(
        status=OfferingStatus.FAILED, sub_status=SubscriptionStatus.REFUNDED, as_of=CLOSES + dt.timedelta(days=2)
    )

    assert run(commitments, facts) == []


def test_commitment_never_paid_on_a_failed_offering_is_flagged():
    facts = commitment_facts(paid=(), status=OfferingStatus.FAILED, as_of=CLOSES + dt.timedelta(days=2))

    assert severities(run(commitments, facts)) == ["critical"]


def test_commitment_changed_window_moves_the_boundary(settings):
    facts = commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=CLOSES - dt.timedelta(days=4))

    assert run(commitments, facts) == []
    assert severities(run(commitments, facts, policy_with(settings, commitment_window_days=5))) == ["critical"]
