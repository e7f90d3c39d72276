"""The `insufficient_assurance` rule (risk/rules/assurance.py) at, just under and just over its thresholds."""

from __future__ import annotations

import pytest

from projects.models import (
    OfferingStatus,
)
from risk.rules import assurance
from risk.tests.rules.facts import assurance_facts, make_statement, only, policy_with, run, severities


@pytest.mark.parametrize(
    "target, audited, expected",
    [
        ("5000000.00", False, []),
        ("5000000.01", False, ["high"]),
        ("5000000.01", True, []),
        ("5000000.01", None, ["high"]),
        ("4000000.00", None, []),
    ],
    ids=["exactly-5m-unaudited", "cent-over-unaudited", "cent-over-audited", "cent-over-no-fy", "small-no-fy"],
)
def test_assurance_large_target_needs_audited_latest_year(target, audited, expected):
    assert severities(run(assurance, assurance_facts(target=target, audited=audited))) == expected


def test_assurance_the_latest_year_counts_not_an_older_audited_one():
    facts = assurance_facts(target="8000000", audited=False, extra=[make_statement(2023, audited=True)])

    finding = only(run(assurance, facts))

    assert "FY2024" in finding.evidence["summary"]
    assert finding.evidence["comparisons"][0]["expected"] == "5000000"
    assert finding.evidence["comparisons"][0]["actual"] == "8000000.00"


def test_assurance_audited_latest_year_is_enough_even_if_an_older_one_is_not():
    facts = assurance_facts(target="8000000", audited=True, extra=[make_statement(2023, audited=False)])

    assert run(assurance, facts) == []


def test_assurance_an_audited_projection_is_not_assurance():
    facts = assurance_facts(
        target="8000000",
        audited=None,
        extra=[make_statement(2025, kind="projection", audited=True), make_statement(2024, "H1", audited=True)],
    )

    assert severities(run(assurance, facts)) == ["high"]


@pytest.mark.parametrize("status", [OfferingStatus.CLOSED, OfferingStatus.FAILED, OfferingStatus.CANCELLED])
def test_assurance_not_judged_once_the_raise_is_over(status):
    assert run(assurance, assurance_facts(target="8000000", audited=False, status=status)) == []


def test_assurance_changed_target_moves_the_boundary(settings):
    facts = assurance_facts(target="8000000", audited=False)

    assert severities(run(assurance, facts)) == ["high"]
    assert run(assurance, facts, policy_with(settings, assurance_target_amount="10000000")) == []
