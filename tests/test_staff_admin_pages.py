"""The admin start page: what waits for staff, each queue counted and linked, only the queues a role may read, and a
number of queries that does not grow with the queues. A risk case's page: the projection against the actual result,
drawn as on the offering page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import (
    InvestorFactory,
    KycOfficerFactory,
    OfferingReviewerFactory,
    RiskAnalystFactory,
    StaffFactory,
    SuperuserFactory,
)
from investors.models import KycStatus, Refund, RefundReason, RefundStatus, Subscription, SubscriptionStatus
from investors.tests.factories import KycProfileFactory
from projects.models import OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory, raise_that_missed_its_projection
from risk.models import Case, CaseStatus, Severity, SubjectType
from risk.staff_queue import staff_queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

START_PAGE = "/admin/"


def open_case(severity: str, *, days_ago: int = 0) -> Case:
    return Case.objects.create(
        subject_type=SubjectType.INVESTOR, subject_id=Case.objects.count() + 1000, severity=severity,
        opened_at=timezone.now() - dt.timedelta(days=days_ago),
    )  # fmt: skip


def waiting(user) -> dict[str, tuple[int, str]]:
    return {item.label: (item.count, item.note) for item in staff_queue(user=user, now=timezone.now())}


def test_open_cases_are_counted_by_severity_with_their_age():
    open_case(Severity.CRITICAL, days_ago=10)
    open_case(Severity.CRITICAL, days_ago=1)
    open_case(Severity.LOW, days_ago=2)
    resolved = open_case(Severity.HIGH)
    Case.objects.filter(pk=resolved.pk).update(status=CaseStatus.RESOLVED)

    queue = waiting(RiskAnalystFactory())

    assert queue["Open risk cases: Critical"] == (2, "oldest 10 days; 1 open over 7 days")
    assert queue["Open risk cases: High"] == (0, "")
    assert queue["Open risk cases: Low"] == (1, "oldest 2 days")


def test_each_role_sees_the_queues_it_may_read():
    OfferingFactory(status=OfferingStatus.IN_REVIEW)
    KycProfileFactory(status=KycStatus.PENDING)

    reviewer, kyc_officer = waiting(OfferingReviewerFactory()), waiting(KycOfficerFactory())
    analyst = waiting(RiskAnalystFactory())

    assert reviewer["Offerings in review"][0] == 1 and "KYC submissions waiting" not in reviewer
    assert kyc_officer["KYC submissions waiting"][0] == 1 and "Offerings in review" not in kyc_officer
    assert "Open risk cases: Critical" in analyst
    assert not any(label.startswith("Open risk cases") for label in reviewer | kyc_officer)


def test_failed_refunds_wait_as_an_urgent_queue_for_the_risk_analysts_who_settle_them(client):
    offering = OfferingFactory(status=OfferingStatus.FAILED)
    now = timezone.now()
    subscription = Subscription.objects.create(
        investor=InvestorFactory(), offering=offering, amount=Decimal("10000.00"), currency="CNY", shares=1000,
        status=SubscriptionStatus.REFUNDED, idempotency_key="failed-refund", request_digest="failed-refund",
        payment_method="pm_card_visa", created_at=now, reserved_until=now, paid_at=now,
    )  # fmt: skip
    Refund.objects.create(
        subscription=subscription, amount=Decimal("10000.00"), currency="CNY", reason=RefundReason.OFFERING_FAILED,
        status=RefundStatus.FAILED, failure_reason="Charge already refunded.", requested_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    analyst = RiskAnalystFactory()

    [failed] = [item for item in staff_queue(user=analyst, now=now) if item.label == "Failed refunds"]

    assert (failed.count, failed.note, failed.urgent) == (1, "oldest 3 days", True)
    client.force_login(analyst)
    assertContains(client.get(START_PAGE), 'href="/admin/investors/refund/?status__exact=failed"')
    assert "Failed refunds" not in waiting(OfferingReviewerFactory())


def test_start_page_links_each_count_to_its_filtered_list(client):
    open_case(Severity.HIGH, days_ago=3)
    client.force_login(SuperuserFactory())

    page = client.get(START_PAGE)

    assertContains(page, "What waits")
    assertContains(page, 'href="/admin/risk/case/?status__exact=open&amp;severity__exact=high"')
    filtered = client.get("/admin/risk/case/?status__exact=open&severity__exact=high")
    assert filtered.status_code == 200 and filtered.context["cl"].result_count == 1
    for link in (
        "/admin/projects/offering/?status__exact=in_review",
        "/admin/investors/kycprofile/?status__exact=pending",
        "/admin/investors/subscription/?status__exact=payment_failed",
        "/admin/investors/refund/?status__exact=pending",
        "/admin/investors/refund/?status__exact=failed",
        "/admin/investors/reconciliationissue/?resolved__exact=0",
    ):
        assertContains(page, link.replace("&", "&amp;"))
        response = client.get(link)
        assert response.status_code == 200 and "e=1" not in response.get("Location", ""), link


def test_staff_without_a_role_see_no_queue(client):
    open_case(Severity.CRITICAL)
    client.force_login(StaffFactory())

    assertNotContains(client.get(START_PAGE), "What waits")


def test_start_page_queries_do_not_grow_with_the_queues(client):
    def fill(count: int) -> None:
        for index in range(count):
            open_case(list(Severity)[index % 4], days_ago=index)
            OfferingFactory(status=OfferingStatus.IN_REVIEW)
            KycProfileFactory(status=KycStatus.PENDING)

    client.force_login(SuperuserFactory())
    fill(1)
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(START_PAGE).status_code == 200
    fill(12)
    with CaptureQueriesContext(connection) as with_many:
        assert client.get(START_PAGE).status_code == 200

    assert len(with_many) <= len(with_one)


def test_risk_case_page_draws_the_projection_against_the_actual_result(client):
    issuer = IssuerFactory()
    offering = raise_that_missed_its_projection(issuer)
    case = Case.objects.create(
        subject_type=SubjectType.OFFERING, subject_id=offering.pk, offering=offering, issuer=issuer,
        severity=Severity.CRITICAL, opened_at=timezone.now(),
    )  # fmt: skip
    client.force_login(RiskAnalystFactory())

    response = client.get(f"/admin/risk/case/{case.pk}/change/")

    assertContains(response, f'id="case-{case.pk}-profit-chart-caption"')
    assertContains(response, f'id="case-{case.pk}-revenue-chart-caption"')
    assertContains(response, '<rect class="kind-actual negative"')
    assertContains(response, "-176.6%")
    assertContains(response, "Below the review threshold")
    assertContains(response, "css/charts.css")


def test_risk_case_about_an_investor_has_no_figures(client):
    case = open_case(Severity.HIGH)
    client.force_login(RiskAnalystFactory())

    response = client.get(f"/admin/risk/case/{case.pk}/change/")

    assert response.status_code == 200
    assertNotContains(response, "-profit-chart-caption")


@pytest.mark.parametrize(
    ("make", "path", "action", "label"),
    [
        (
            lambda: OfferingFactory(status=OfferingStatus.IN_REVIEW),
            "/admin/projects/offering/",
            "approve_selected_offerings",
            "批准所选的融资项目",
        ),
        (
            lambda: KycProfileFactory(status=KycStatus.PENDING),
            "/admin/investors/kycprofile/",
            "verify_selected_kyc_submissions",
            "核验所选的身份认证申请",
        ),
    ],
    ids=["offering", "kyc"],
)
def test_admin_actions_read_in_chinese_and_post_the_same_name(client, make, path, action, label):
    make()
    client.force_login(SuperuserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get(path)

    assertContains(response, f'<option value="{action}">{label}</option>', html=True)
