"""The `terms_changed` rule (risk/rules/terms.py) at, just under and just over its thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from risk.rules import terms
from risk.selectors import IssuerFacts
from risk.tests.rules.facts import (
    PAID_AT,
    company,
    figures,
    make_offering,
    make_subscription,
    make_term_change,
    make_user,
    only,
    raise_of,
    run,
)


def terms_facts(*changes: tuple[str, dt.datetime], paid: bool = True) -> IssuerFacts:
    offering = make_offering()
    subscriptions = [make_subscription(make_user(), offering, "50000", paid_at=PAID_AT)] if paid else []
    term_changes = [make_term_change(offering, term, changed_at=changed_at) for term, changed_at in changes]
    return company(raise_of(offering, subscriptions=subscriptions, term_changes=term_changes))


BEFORE_PAYMENT = PAID_AT - dt.timedelta(minutes=1)
AFTER_PAYMENT = PAID_AT + dt.timedelta(minutes=1)


@pytest.mark.parametrize("term", ["security", "price_per_share", "use_of_funds"])
def test_terms_change_before_the_first_payment_is_not_flagged(term):
    assert run(terms, terms_facts((term, BEFORE_PAYMENT))) == []


@pytest.mark.parametrize("term", ["security", "price_per_share", "use_of_funds"])
def test_terms_change_after_the_first_payment_is_flagged_even_if_not_declared_material(term):
    finding = only(run(terms, terms_facts((term, AFTER_PAYMENT))))

    assert finding.severity == "high"
    change = finding.evidence["comparisons"][0]
    assert (change["figure"], change["expected"], change["actual"]) == (term, "old", "new")
    assert change["material_change_declared"] is False


@pytest.mark.parametrize("term", ["summary", "title", "risk_factors", "closes_at"])
def test_terms_change_of_other_fields_after_payment_is_not_flagged(term):
    assert run(terms, terms_facts((term, AFTER_PAYMENT))) == []


def test_terms_change_with_no_paid_subscription_is_not_flagged():
    assert run(terms, terms_facts(("security", AFTER_PAYMENT), paid=False)) == []


def test_terms_only_changes_after_the_first_payment_are_listed():
    facts = terms_facts(("price_per_share", BEFORE_PAYMENT), ("security", AFTER_PAYMENT), ("summary", AFTER_PAYMENT))

    assert figures(only(run(terms, facts))) == ["security"]
