"""Companies are screened in batches after events about them: events coalesce per company, an event during a
screening is screened by one more, and a batch concludes exactly what screening each company alone concludes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import OfferingStatus
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory
from risk import issuer_screening, listeners, services
from risk.models import Case, CaseEvent, PendingIssuerScreening, Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(monkeypatch):
    """A broker queue the test drains by hand, and the batches it screened ({issuer: as_of} each)."""

    class Worker:
        queue: list[str] = []
        batches: list[dict[int, dt.datetime]] = []
        during_screening = None

        def run_all(self):
            while self.queue:
                self.queue.pop(0)
                issuer_screening.pending_issuers_screen()

    fake = Worker()
    fake.queue, fake.batches = [], []
    monkeypatch.setattr(issuer_screening, "task_send_on_commit", lambda task: fake.queue.append(task))
    real_screen = services.screen_issuers

    def screen_issuers(as_of_by_issuer):
        fake.batches.append(dict(as_of_by_issuer))
        if fake.during_screening:
            action, fake.during_screening = fake.during_screening, None
            action()
        return real_screen(as_of_by_issuer)

    monkeypatch.setattr(services, "screen_issuers", screen_issuers)
    return fake


def filed(issuer, at):
    listeners.issuer_event(issuer_id=issuer.pk, occurred_at=at)


def impossible_statement(issuer, year):
    return FinancialStatementFactory(
        issuer=issuer, fiscal_year=year, revenue=Decimal("1000000.00"), net_profit=Decimal("2000000.00")
    )


def test_many_companies_filing_at_once_are_screened_in_one_batch_each_as_of_its_last_event(worker):
    issuers = [IssuerFactory() for _ in range(5)]
    start = timezone.now()
    for number, issuer in enumerate(issuers):
        impossible_statement(issuer, 2024)
        filed(issuer, start)
        filed(issuer, start + dt.timedelta(seconds=number))

    worker.run_all()

    assert worker.batches == [{issuer.pk: start + dt.timedelta(seconds=n) for n, issuer in enumerate(issuers)}]
    assert sorted(Signal.objects.values_list("subject_id", flat=True)) == sorted(issuer.pk for issuer in issuers)
    assert not PendingIssuerScreening.objects.exists()


def test_an_event_arriving_while_its_company_is_screened_is_screened_by_one_more_run(worker):
    issuer = IssuerFactory()
    first = timezone.now()
    later = first + dt.timedelta(seconds=1)
    filed(issuer, first)
    worker.during_screening = lambda: [impossible_statement(issuer, 2024), filed(issuer, later)]

    worker.run_all()

    assert worker.batches == [{issuer.pk: first}, {issuer.pk: later}]
    assert Signal.objects.get().subject_id == issuer.pk, "the statement filed during the first run was screened"
    assert not PendingIssuerScreening.objects.exists()


def test_more_companies_than_a_batch_are_all_screened(worker, monkeypatch):
    monkeypatch.setattr(issuer_screening, "BATCH", 2)
    issuers = [IssuerFactory() for _ in range(5)]
    now = timezone.now()
    for issuer in issuers:
        filed(issuer, now)

    worker.run_all()

    assert sorted(pk for batch in worker.batches for pk in batch) == sorted(issuer.pk for issuer in issuers)
    assert not PendingIssuerScreening.objects.exists()


def test_a_screening_whose_worker_died_is_taken_again_once_lost(worker):
    issuer = IssuerFactory()
    now = timezone.now()
    filed(issuer, now)
    worker.queue.clear()
    PendingIssuerScreening.objects.update(claimed_at=now)  # claimed by a worker that then died

    assert not issuer_screening.lost_screenings_resend(now=now), "within the lease the running screening is trusted"
    assert issuer_screening.lost_screenings_resend(now=now + issuer_screening.LOST_AFTER * 2)
    issuer_screening.pending_issuers_screen(now=now + issuer_screening.LOST_AFTER * 2)

    assert worker.batches == [{issuer.pk: now}]
    assert not PendingIssuerScreening.objects.exists()


def conclusions():
    signals = sorted(
        Signal.objects.values_list("subject_type", "subject_id", "rule", "severity", "fingerprint", "created_at")
    )
    cases = sorted(Case.objects.values_list("subject_type", "subject_id", "severity", "status"))
    events = sorted(CaseEvent.objects.values_list("case__subject_type", "case__subject_id", "action", "at"))
    return signals, cases, events


def test_a_batch_concludes_what_screening_each_company_alone_concludes():
    now = timezone.now()
    issuers = []
    for number in range(3):
        issuer = IssuerFactory(platform_stake_pct=Decimal("60.00") if number == 1 else Decimal("0"))
        impossible_statement(issuer, 2024)
        OfferingFactory(issuer=issuer, status=OfferingStatus.LIVE)
        issuers.append(issuer)
    as_of = {issuer.pk: now + dt.timedelta(minutes=n) for n, issuer in enumerate(issuers)}

    for issuer in issuers:
        services.screen_issuer(issuer_id=issuer.pk, as_of=as_of[issuer.pk])
    alone = conclusions()
    CaseEvent.objects.all().delete()
    Signal.objects.all().delete()
    Case.objects.all().delete()
    services.screen_issuers(as_of)

    assert alone[0], "the companies raise signals"
    assert conclusions() == alone
