"""The us_reg_cf 12-month limit under real PostgreSQL concurrency: one investor's racing subscriptions, to one
offering or to several, never take the investor past the limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from investors.models import Subscription
from kernel.errors import DomainError
from tests.support.concurrency import outcomes, race
from tests.support.regimes import us_investor, us_offering

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]

LIMIT = Decimal("2500.00")  # us_investor's default figures


def test_two_racing_subscriptions_to_two_offerings_never_pass_the_12_month_limit():
    investor = us_investor()

    answers = race([(investor, us_offering()), (investor, us_offering())], "1500.00")

    accepted, refused = outcomes(answers)
    assert len(accepted) == 1 and refused == ["limit_exceeded"]
    [refusal] = [answer for answer in answers if isinstance(answer, DomainError)]
    assert refusal.details["already_invested"] == "1500.00"
    assert Subscription.objects.filter(investor=investor).aggregate(total=Sum("amount"))["total"] == Decimal("1500.00")


def test_many_racing_subscriptions_of_one_investor_stop_exactly_at_the_limit():
    investor = us_investor()
    offerings = [us_offering() for _ in range(8)]

    answers = race([(investor, offering) for offering in offerings], "500.00")

    accepted, refused = outcomes(answers)
    assert len(accepted) == 5 and refused == ["limit_exceeded"] * 3
    assert Subscription.objects.filter(investor=investor).aggregate(total=Sum("amount"))["total"] == LIMIT
