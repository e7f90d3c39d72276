"""Writes that race: two requests at the same moment, each in its own database connection, on PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import OfferingReviewerFactory
from kernel.errors import DomainError
from projects import services
from projects.models import FinancialStatement, OfferingStatus, OfferingTransition
from projects.tests.factories import IssuerFactory, OfferingFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start every call at once in its own thread (so its own connection); return results or raised errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each racer got
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_filings_of_the_same_period_at_once_get_versions_1_and_2():
    issuer = IssuerFactory()
    figures = {
        "fiscal_year": timezone.localdate().year - 1, "period": "FY", "kind": "historical", "revenue": "10.00",
        "net_profit": "1.00", "total_assets": "5.00", "total_liabilities": "2.00",
    }  # fmt: skip

    outcomes = run_together(
        *[lambda: services.financial_statement_file(issuer=issuer, by=issuer.owner, **figures) for _ in range(2)]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    versions = sorted(FinancialStatement.objects.filter(issuer=issuer).values_list("version", flat=True))
    assert versions == [1, 2]
    assert FinancialStatement.objects.get(version=2).supersedes == FinancialStatement.objects.get(version=1)


def test_two_staff_approving_a_four_eyes_offering_at_once_approve_it_once():
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW, issuer=IssuerFactory(tied=True))
    first, second = OfferingReviewerFactory(), OfferingReviewerFactory()

    outcomes = run_together(
        lambda: services.offering_approve(offering=offering, by=first),
        lambda: services.offering_approve(offering=offering, by=second),
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.APPROVED
    assert offering.approvals.count() == 2
    assert OfferingTransition.objects.filter(offering=offering, to_status="approved").count() == 1


def test_two_submissions_at_once_submit_once():
    offering = OfferingFactory()
    owner = offering.issuer.owner

    outcomes = run_together(*[lambda: services.offering_submit(offering=offering, by=owner) for _ in range(2)])

    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refusals) == 1 and isinstance(refusals[0], DomainError), outcomes
    assert refusals[0].code == "invalid_transition"
    assert OfferingTransition.objects.filter(offering=offering).count() == 1


def test_opening_job_run_twice_at_once_opens_each_offering_once():
    due = OfferingFactory.create_batch(
        3, status=OfferingStatus.APPROVED, opens_at=timezone.now() - dt.timedelta(minutes=1)
    )

    outcomes = run_together(services.offerings_open_due, services.offerings_open_due)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(outcomes[0] + outcomes[1]) == sorted(o.pk for o in due)
    for offering in due:
        assert OfferingTransition.objects.filter(offering=offering).count() == 1
