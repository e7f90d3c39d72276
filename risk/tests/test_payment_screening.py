"""Screenings after payments are coalesced during a sale, and the last payment of a burst is always screened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.tests.factories import OfferingFactory
from risk import listeners, payment_screening, services
from risk.models import PendingPaymentScreening

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(monkeypatch):
    """A broker queue the test drains by hand, and the screenings it ran (offering, as_of)."""

    class Worker:
        queue: list[int] = []
        screened: list[tuple[int, dt.datetime]] = []
        during_screening = None

        def run_all(self):
            while self.queue:
                payment_screening.offering_screen_after_payments(offering_id=self.queue.pop(0))

    fake = Worker()
    fake.queue, fake.screened = [], []
    monkeypatch.setattr(payment_screening, "task_send_on_commit", lambda task, args: fake.queue.append(*args))
    real_screen = services.screen_offering

    def screen_offering(*, offering_id, as_of=None):
        fake.screened.append((offering_id, as_of))
        if fake.during_screening:
            action, fake.during_screening = fake.during_screening, None
            action()
        return real_screen(offering_id=offering_id, as_of=as_of)

    monkeypatch.setattr(services, "screen_offering", screen_offering)
    return fake


def paid(offering, at):
    listeners.subscription_paid(subscription_id=1, offering_id=offering.pk, occurred_at=at)


def test_many_payments_in_a_window_cost_one_screening_as_of_the_last(worker):
    offering = OfferingFactory()
    start = timezone.now()
    moments = [start + dt.timedelta(milliseconds=10 * n) for n in range(50)]

    for moment in moments:
        paid(offering, moment)
    assert worker.queue == [offering.pk]
    worker.run_all()

    assert worker.screened == [(offering.pk, moments[-1])]
    assert not PendingPaymentScreening.objects.exists()


def test_a_payment_arriving_while_a_screening_runs_is_screened_by_one_more_run(worker):
    offering = OfferingFactory()
    first = timezone.now()
    later = first + dt.timedelta(seconds=1)
    paid(offering, first)
    # Three payments land while the first screening is reading its facts.
    worker.during_screening = lambda: [paid(offering, later - dt.timedelta(milliseconds=n)) for n in (2, 1, 0)]

    worker.run_all()

    assert worker.screened == [(offering.pk, first), (offering.pk, later)]
    assert not PendingPaymentScreening.objects.exists()


def test_payments_of_two_offerings_are_screened_separately(worker):
    one, other = OfferingFactory(), OfferingFactory()
    now = timezone.now()

    paid(one, now)
    paid(other, now)
    worker.run_all()

    assert sorted(offering_id for offering_id, _as_of in worker.screened) == sorted([one.pk, other.pk])


def test_a_screening_whose_worker_died_is_sent_again(worker):
    offering = OfferingFactory()
    now = timezone.now()
    paid(offering, now)
    worker.queue.clear()  # the task was lost with its worker

    paid(offering, now + dt.timedelta(seconds=1))
    assert worker.queue == [], "within the lease the running screening is trusted"
    assert payment_screening.lost_screenings_resend(now=now + payment_screening.LOST_AFTER * 2) == 1
    worker.run_all()

    assert worker.screened == [(offering.pk, now + dt.timedelta(seconds=1))]
    assert not PendingPaymentScreening.objects.exists()
