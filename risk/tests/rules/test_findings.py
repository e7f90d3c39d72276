"""What every rule's findings share: fingerprints and evidence."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from projects.models import (
    OfferingStatus,
)
from risk.rules import (
    assurance,
    commitments,
    financials,
    forecast,
    interim,
    performance,
    platform,
    reporting,
    shill,
)
from risk.tests.rules.facts import (
    CLOSES,
    RAISE_YEAR,
    actual_interim,
    assurance_facts,
    at,
    commitment_facts,
    financial_facts,
    forecast_facts,
    fresh,
    interim_facts,
    make_statement,
    only,
    performance_facts,
    platform_facts,
    reporting_facts,
    run,
    shill_facts,
)

# One flagged example per rule, built afresh each call, with the figure that can be moved to change it.
FLAGGED = {
    "performance_deviation": (performance, lambda v="400000": performance_facts(actual_profit=v), "399999.99"),
    "forecast_inconsistent": (forecast, lambda v="35000000": forecast_facts(projected_profit=v), "34000000"),
    "commitment_unfunded": (commitments, lambda v="99999.99": commitment_facts(paid=(v,)), "50000"),
    "platform_conflict": (platform, lambda v="25": platform_facts(related=True, stake=v), "30"),
    "financial_inconsistency": (
        financials,
        lambda v="1000000.01": financial_facts(make_statement(2024, revenue="1000000", net_profit=v)),
        "1000000.02",
    ),
    "insufficient_assurance": (assurance, lambda v="8000000": assurance_facts(target=v), "9000000"),
    "interim_shortfall": (interim, lambda v="249999.99": interim_facts(actual_interim(net_profit=v)), "100000"),
    "shill_subscriptions": (
        shill,
        lambda v="150000": shill_facts(linked_amounts=(v, "150000"), others="700000"),
        "160000",
    ),
}


@pytest.mark.parametrize("code", sorted(FLAGGED))
def test_same_facts_give_the_same_fingerprint_and_a_changed_figure_another(code):
    rule, build, other_value = FLAGGED[code]

    first = only(run(rule, fresh(build)))
    again = only(run(rule, fresh(build)))
    changed = only(run(rule, fresh(build, other_value)))

    assert first.rule == code
    assert first.fingerprint == again.fingerprint
    assert changed.fingerprint != first.fingerprint


@pytest.mark.parametrize("code", sorted(FLAGGED))
def test_evidence_is_plain_json_with_a_summary_and_the_compared_figures(code):
    rule, build, _ = FLAGGED[code]

    evidence = only(run(rule, build())).evidence

    assert json.loads(json.dumps(evidence)) == evidence
    assert isinstance(evidence["summary"], str) and evidence["summary"]
    for comparison in evidence["comparisons"]:
        assert {"figure", "expected", "actual", "threshold"} <= set(comparison)
        assert comparison["threshold"]


def test_performance_evidence_shows_projected_and_actual_figures_and_the_threshold():
    finding = only(run(performance, performance_facts(actual_profit="400000")))

    profit, revenue = finding.evidence["comparisons"]
    assert profit == {
        "figure": "net_profit",
        "expected": "1000000.00",
        "actual": "400000.00",
        "threshold": "at least 50% of projected",
        "breached": True,
    }
    assert (revenue["expected"], revenue["actual"], revenue["breached"]) == ("10000000.00", "10000000.00", False)
    assert finding.evidence["fiscal_year"] == RAISE_YEAR


def test_forecast_evidence_shows_both_years_and_the_multiple():
    finding = only(run(forecast, forecast_facts(base_profit="1000000", projected_profit="2500000")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("1000000.00", "2500000.00")
    assert "2" in comparison["threshold"]
    assert "2.5000×" in finding.evidence["summary"]


def test_shill_evidence_shows_the_share_threshold_and_the_subscriptions():
    finding = only(run(shill, shill_facts(linked_amounts=("150000", "150000"), others="700000")))

    comparison = finding.evidence["comparisons"][0]
    assert (comparison["expected"], comparison["actual"]) == ("0.20", "0.3000")
    assert "300000.00 of 1000000.00 CNY" in finding.evidence["summary"]
    assert [item["amount"] for item in finding.evidence["subscriptions"]] == ["150000.00", "150000.00"]
    assert all(item["account_age_days"] == 3 for item in finding.evidence["subscriptions"])


@pytest.mark.parametrize(
    "rule, build, earlier, later",
    [
        pytest.param(
            reporting,
            lambda as_of: reporting_facts(as_of=as_of),
            at(2026, 5, 2),
            at(2026, 8, 2),
            id="reporting_delinquent",
        ),
        pytest.param(
            commitments,
            lambda as_of: commitment_facts(paid=(), status=OfferingStatus.LIVE, as_of=as_of),
            CLOSES - dt.timedelta(days=2),
            CLOSES - dt.timedelta(days=1),
            id="commitment_unfunded",
        ),
    ],
)
def test_screening_the_same_facts_later_gives_the_same_fingerprint(rule, build, earlier, later):
    assert only(run(rule, fresh(build, earlier))).fingerprint == only(run(rule, fresh(build, later))).fingerprint
