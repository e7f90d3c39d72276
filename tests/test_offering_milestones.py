"""Investors hear once when an offering they paid into reaches half of its target, and once when it reaches all of
it; through real payments against the fake Stripe server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from investors.subscriptions import milestones
from projects.models import OfferingMilestone
from tests.test_money_flow import eligible_investor, live_offering, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe", "english")]


def pay(offering, amount: str):
    investor = eligible_investor()
    response = subscribe(investor, offering, amount, key=f"{investor.pk}")
    assert response.status_code == 201, response.json()
    return investor


def milestone_subjects() -> list[str]:
    return [message.subject for message in mail.outbox if "reached" in message.subject]


def test_half_and_full_target_are_each_announced_once_to_the_investors_paid_in_at_the_time():
    offering = live_offering(target_amount=Decimal("100000.00"))
    first = pay(offering, "49000.00")
    assert milestone_subjects() == []  # 49 %

    second = pay(offering, "1000.00")  # exactly 50 %
    fifty = [m for m in mail.outbox if "reached 50%" in m.subject]
    assert sorted(m.to[0] for m in fifty) == sorted([first.email, second.email])

    pay(offering, "1000.00")  # 51 %: nothing new
    assert len(milestone_subjects()) == 2

    pay(offering, "48990.00")  # 99.99 %
    assert len(milestone_subjects()) == 2
    pay(offering, "1000.00")  # 100.99 %: all five investors hear it
    full = [m for m in mail.outbox if "reached its target" in m.subject]
    assert len(full) == 5
    assert list(OfferingMilestone.objects.filter(offering=offering).values_list("percent", flat=True)) == [50, 100]


def test_running_the_announcement_again_sends_nothing():
    offering = live_offering(target_amount=Decimal("100000.00"))
    pay(offering, "60000.00")
    sent = len(mail.outbox)

    assert milestones.offering_milestones_announce(offering_id=offering.pk) == []
    assert milestones.offering_milestones_announce(offering_id=offering.pk) == []
    assert len(mail.outbox) == sent


def test_a_payment_that_reaches_the_whole_target_at_once_sends_one_email_and_records_both():
    offering = live_offering(target_amount=Decimal("100000.00"))
    investor = pay(offering, "100000.00")

    assert milestone_subjects() == [f"{offering.title} reached its target"]
    assert mail.outbox[-1].to == [investor.email]
    assert OfferingMilestone.objects.filter(offering=offering).count() == 2


def test_falling_below_half_and_rising_again_does_not_announce_it_twice():
    offering = live_offering(target_amount=Decimal("100000.00"))
    investor = pay(offering, "50000.00")
    client = APIClient()
    client.force_authenticate(investor)
    client.post(f"/api/v1/subscriptions/{investor.subscriptions.get().pk}/cancel/")

    pay(offering, "50000.00")

    assert len([s for s in milestone_subjects() if "50%" in s]) == 1
