"""The `platform_conflict` rule (risk/rules/platform.py) at, just under and just over its thresholds."""

from __future__ import annotations

import pytest

from risk.rules import platform
from risk.tests.rules.facts import only, platform_facts, policy_with, run, severities


@pytest.mark.parametrize(
    "related, stake, registry, expected",
    [
        (False, "0", False, []),
        (True, "0", False, ["medium"]),
        (False, "8", False, ["medium"]),
        (True, "8", False, ["medium"]),
        (True, "19.99", False, ["medium"]),
        (True, "20", False, ["high"]),
        (False, "20", False, ["high"]),
        (True, "0", None, ["medium"]),
        (True, "5", "25", ["high"]),
        (False, "0", None, ["critical"]),
        (False, "0", "30", ["critical"]),
        (False, "0", "8", ["critical"]),
    ],
    ids=[
        "no-tie",
        "declared-tie",
        "stake-8",
        "tie-and-stake-8",
        "stake-19.99",
        "stake-20",
        "stake-20-no-tie-flag",
        "declared-and-listed",
        "registry-stake-above-declared",
        "listed-undeclared",
        "listed-30-undeclared",
        "listed-8-undeclared",
    ],
)
def test_platform_conflict_severity(related, stake, registry, expected):
    assert severities(run(platform, platform_facts(related=related, stake=stake, registry=registry))) == expected


def test_platform_conflict_evidence_shows_both_stakes_and_threshold():
    finding = only(run(platform, platform_facts(related=True, stake="5", registry="25")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("5.00", "25.00")
    assert "20" in comparison["threshold"]
    assert comparison["in_portfolio_registry"] is True


def test_platform_conflict_changed_stake_threshold_moves_the_boundary(settings):
    facts = platform_facts(related=True, stake="12")

    assert severities(run(platform, facts)) == ["medium"]
    assert severities(run(platform, facts, policy_with(settings, platform_stake_high_pct="10"))) == ["high"]
