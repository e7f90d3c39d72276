"""The `shill_subscriptions` rule (risk/rules/shill.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from risk.rules import shill
from risk.tests.rules.facts import (
    OLD,
    SHARED,
    SUBSCRIBED_AT,
    YOUNG,
    _ids,
    company,
    make_offering,
    make_subscription,
    make_user,
    only,
    policy_with,
    raise_of,
    run,
    shill_facts,
)


@pytest.mark.parametrize(
    "ring, others, flagged",
    [
        (("100000.00", "100000.00"), "800000.00", True),  # 20.00% of 1,000,000
        (("100000.00", "99999.99"), "800000.01", False),  # a cent under 20%
        (("100000.00", "99900.00"), "800100.00", False),  # 19.99%
        (("150000.00", "150000.00"), "700000.00", True),
    ],
    ids=["at-20pct", "cent-under-20pct", "19.99pct", "30pct"],
)
def test_shill_ring_of_young_linked_accounts_at_share_of_paid_amount(ring, others, flagged):
    findings = run(shill, shill_facts(linked_amounts=ring, others=others))

    assert bool(findings) is flagged, [finding.evidence["summary"] for finding in findings]


@pytest.mark.parametrize("share", ["ip", "card", "phone"])
def test_shill_any_shared_identifier_links_accounts(share):
    finding = only(run(shill, shill_facts(linked_amounts=("150000", "150000"), others="700000", share=share)))

    assert finding.severity == "high"
    assert finding.score == Decimal("0.3000")
    assert all(item["shares_with_others"] == [share] for item in finding.evidence["subscriptions"])


def test_shill_household_of_old_accounts_sharing_ip_and_phone_is_not_a_ring():
    offering = make_offering()
    household = []
    for amount in ("300000", "300000", "400000"):
        investor = make_user(joined=OLD, phone=SHARED["phone"])
        household.append(
            make_subscription(
                investor, offering, amount, paid_at=SUBSCRIBED_AT, ip=SHARED["ip"], card=f"fp_{next(_ids)}"
            )
        )
    facts = company(raise_of(offering, subscriptions=household), as_of=SUBSCRIBED_AT)

    assert run(shill, facts) == []


@pytest.mark.parametrize(
    "insiders, others, flagged",
    [(("200000.00",), "800000.00", True), (("199000.00",), "801000.00", False), (("100000", "100000"), "800000", True)],
    ids=["insider-20pct", "insider-19.9pct", "two-insiders-20pct"],
)
def test_shill_insiders_money_counts_whatever_the_account_age(insiders, others, flagged):
    assert bool(run(shill, shill_facts(insider_amounts=insiders, others=others))) is flagged


@pytest.mark.parametrize(
    "age, flagged",
    [
        (dt.timedelta(days=7), False),
        (dt.timedelta(days=7) - dt.timedelta(minutes=1), True),
        (dt.timedelta(days=30), False),
    ],
    ids=["exactly-7-days", "7-days-less-a-minute", "30-days"],
)
def test_shill_account_age_under_7_days(age, flagged):
    facts = shill_facts(linked_amounts=("250000", "250000"), others="500000", joined=SUBSCRIBED_AT - age)

    assert bool(run(shill, facts)) is flagged


def test_shill_old_accounts_linked_to_young_ones_are_not_counted():
    facts = shill_facts(linked_amounts=("100000",), linked_old_amounts=("500000",), others="400000")

    assert run(shill, facts) == []  # the young linked account is 10% of the money


@pytest.mark.parametrize(
    "ring, flagged",
    [(("100000", "100000"), True), (("75000", "75000"), False)],
    ids=["20pct-of-target", "15pct-of-target-50pct-of-paid"],
)
def test_shill_before_the_target_is_reached_the_share_is_of_the_target(ring, flagged):
    facts = shill_facts(linked_amounts=ring, others="150000", target="1000000")

    findings = run(shill, facts)

    assert bool(findings) is flagged
    if flagged:
        assert "of 1000000.00 CNY" in only(findings).evidence["summary"]


def test_shill_one_account_paying_twice_with_its_own_card_is_not_a_ring():
    offering = make_offering()
    investor = make_user(joined=YOUNG)
    own = [
        make_subscription(investor, offering, "300000", paid_at=SUBSCRIBED_AT, card="fp_own", ip="192.0.2.9")
        for _ in range(2)
    ]
    facts = company(raise_of(offering, subscriptions=own), as_of=SUBSCRIBED_AT)

    assert run(shill, facts) == []


def test_shill_changed_share_and_age_move_the_boundaries(settings):
    ring_of_eight_day_old_accounts = shill_facts(
        linked_amounts=("150000", "150000"), others="700000", joined=SUBSCRIBED_AT - dt.timedelta(days=8)
    )
    ring_at_25pct = shill_facts(linked_amounts=("125000", "125000"), others="750000")

    assert run(shill, ring_of_eight_day_old_accounts) == []
    assert run(shill, ring_at_25pct) != []
    policy = policy_with(settings, shill_account_age_days=10, shill_paid_share="0.30")
    assert run(shill, ring_of_eight_day_old_accounts, policy) != []
    assert run(shill, ring_at_25pct, policy) == []
