"""The `reporting_delinquent` and `interim_report_missing` rules (risk/rules/reporting.py) at, just under and just over
their thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from investors.models import SubscriptionStatus
from projects.models import (
    OfferingStatus,
)
from risk.policy import current_policy
from risk.rules import reporting
from risk.selectors import IssuerFacts
from risk.tests.rules.facts import (
    at,
    company,
    make_offering,
    make_statement,
    make_subscription,
    make_user,
    only,
    raise_of,
    reporting_facts,
    run,
    severities,
)


# Closed in 2025: the actual FY2025 statement is due 120 days after 31 December 2025, on 30 April 2026.
@pytest.mark.parametrize(
    "as_of, expected",
    [
        (at(2026, 4, 30, 0, 1), []),
        (at(2026, 4, 30, 23, 59), []),
        (at(2026, 5, 1, 0, 1), ["high"]),
        (at(2026, 9, 1), ["high"]),
    ],
    ids=["due-day-morning", "due-day-night", "day-after", "months-after"],
)
def test_reporting_actual_fy_due_120_days_after_year_end(as_of, expected):
    assert severities(run(reporting, reporting_facts(as_of=as_of))) == expected


def test_reporting_due_date_is_counted_on_the_platform_calendar():
    # 16:30 UTC on 30 April is already 1 May in Shanghai.
    as_of = dt.datetime(2026, 4, 30, 16, 30, tzinfo=dt.UTC)

    assert severities(run(reporting, reporting_facts(as_of=as_of))) == ["high"]


def test_reporting_filed_actual_fy_is_fine():
    filed = make_statement(2025, kind="actual", filed_at=at(2026, 4, 1))

    assert run(reporting, reporting_facts(as_of=at(2026, 9, 1), statements=[filed])) == []


def test_reporting_historical_figures_do_not_stand_in_for_the_actual_report():
    historical = make_statement(2025, kind="historical", filed_at=at(2026, 4, 1))

    assert severities(run(reporting, reporting_facts(as_of=at(2026, 9, 1), statements=[historical]))) == ["high"]


def test_reporting_each_later_year_is_due_too():
    filed_2025 = make_statement(2025, kind="actual", filed_at=at(2026, 4, 1))

    finding = only(run(reporting, reporting_facts(as_of=at(2027, 5, 1), statements=[filed_2025])))

    assert finding.evidence["fiscal_year"] == 2026
    assert "2027-04-30" in finding.evidence["comparisons"][0]["expected"]


@pytest.mark.parametrize("status", [OfferingStatus.FAILED, OfferingStatus.CLOSING, OfferingStatus.LIVE])
def test_reporting_no_duty_without_a_closed_offering(status):
    assert run(reporting, reporting_facts(as_of=at(2026, 9, 1), status=status)) == []


def test_reporting_changed_due_days_move_the_boundary(settings):
    facts = reporting_facts(as_of=at(2026, 5, 1, 0, 1))

    assert severities(run(reporting, facts)) == ["high"]
    settings.ANNUAL_REPORT_DUE_DAYS = 150
    assert run(reporting, facts) == []


# Closed on 7 April 2025: the actual H1 2025 statement is due 60 days after 30 June 2025, on 29 August 2025.
def interim_report_facts(*, as_of: dt.datetime, closed_at: dt.datetime = at(2025, 4, 7), statements=()) -> IssuerFacts:
    offering = make_offering(status=OfferingStatus.CLOSED)
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(
        raise_of(offering, subscriptions=subscriptions, closed_at=closed_at), statements=statements, as_of=as_of
    )


def check_interim_report(facts, policy=None) -> list:
    return reporting.check_interim(facts, policy or current_policy())


@pytest.mark.parametrize(
    "as_of, expected",
    [(at(2025, 8, 29, 23, 59), []), (at(2025, 8, 30, 0, 1), ["medium"]), (at(2025, 12, 1), ["medium"])],
    ids=["due-day-night", "day-after", "months-after"],
)
def test_interim_report_h1_due_60_days_after_june_30(as_of, expected):
    assert severities(check_interim_report(interim_report_facts(as_of=as_of))) == expected


@pytest.mark.parametrize("filed_day", [59, 60], ids=["day-59", "day-60"])
def test_interim_report_filed_in_time_is_fine(filed_day):
    filed = make_statement(2025, "H1", "actual", filed_at=at(2025, 6, 30) + dt.timedelta(days=filed_day))

    assert check_interim_report(interim_report_facts(as_of=at(2025, 12, 1), statements=[filed])) == []


@pytest.mark.parametrize("period, kind", [("Q2", "actual"), ("H1", "historical"), ("FY", "actual")])
def test_interim_report_other_statements_do_not_stand_in(period, kind):
    other = make_statement(2025, period, kind, filed_at=at(2025, 8, 1))

    findings = check_interim_report(interim_report_facts(as_of=at(2025, 9, 1), statements=[other]))

    assert severities(findings) == ["medium"]
    assert findings[0].evidence["period"] == "H1" and findings[0].evidence["fiscal_year"] == 2025


@pytest.mark.parametrize(
    "closed_at, expected",
    [(at(2025, 6, 29), ["medium"]), (at(2025, 6, 30, 20), []), (at(2025, 7, 2), [])],
    ids=["day-before-june-30", "on-june-30", "after-june-30"],
)
def test_interim_report_only_for_a_june_30_after_the_close(closed_at, expected):
    assert severities(check_interim_report(interim_report_facts(as_of=at(2025, 9, 1), closed_at=closed_at))) == expected


def test_interim_report_does_not_count_as_the_annual_one():
    facts = interim_report_facts(as_of=at(2025, 12, 1))

    assert run(reporting, facts) == [] and severities(check_interim_report(facts)) == ["medium"]


def test_interim_report_changed_due_days_move_the_boundary(settings):
    facts = interim_report_facts(as_of=at(2025, 8, 20))

    assert check_interim_report(facts) == []
    settings.RISK_POLICY = {**settings.RISK_POLICY, "interim_report_due_days": "45"}
    assert severities(check_interim_report(facts)) == ["medium"]
