"""The periodic and on-commit tasks run by a real Celery worker over Redis, against the test database."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory
from investors.kyc import services as investor_services
from investors.models import KycProfile, KycStatus
from projects import tasks as project_tasks
from projects.models import Offering, OfferingStatus
from projects.tests.factories import OfferingFactory


def wait_for(condition, worker, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not finish in {seconds} s; its log:\n{worker.log()}")


def test_worker_opens_an_approved_offering_whose_time_has_come(celery_worker_process):
    due = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=timezone.now() - dt.timedelta(minutes=1))
    not_yet = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=timezone.now() + dt.timedelta(hours=1))

    project_tasks.open_due_offerings.delay()

    wait_for(lambda: Offering.objects.get(pk=due.pk).status == OfferingStatus.LIVE, celery_worker_process)
    assert Offering.objects.get(pk=not_yet.pk).status == OfferingStatus.APPROVED
    assert due.transitions.filter(to_status=OfferingStatus.LIVE).count() == 1


def test_worker_verifies_a_kyc_submission_sent_on_commit(celery_worker_process):
    investor = InvestorFactory()

    kyc = investor_services.kyc_submit(
        user=investor,
        real_name="梁秀英",
        id_number="440100196001081725",
        date_of_birth=dt.date(1960, 1, 8),
        phone="19483460688",
        annual_income="2500000.00",
        financial_assets="20000000.00",
    )

    assert kyc.status == KycStatus.PENDING
    wait_for(lambda: KycProfile.objects.get(pk=kyc.pk).status == KycStatus.VERIFIED, celery_worker_process)
    assert KycProfile.objects.get(pk=kyc.pk).qualified
