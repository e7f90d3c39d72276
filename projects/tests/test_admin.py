"""The admin: offering decisions go through the audited services; filed statements cannot be touched."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.tests.factories import InvestorFactory, StaffFactory, SuperuserFactory
from investors.models import Subscription, SubscriptionStatus
from kernel.dates import business_days_after
from projects.models import FinancialStatement, OfferingApproval, OfferingStatus, OfferingTransition
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory, offering_state

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/projects/offering/"


@pytest.fixture
def superuser(client):
    user = SuperuserFactory()
    client.force_login(user)
    return user


def test_approve_action_approves_through_the_service(client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    response = client.post(CHANGELIST, {"action": "approve_selected_offerings", "_selected_action": [offering.pk]})

    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.APPROVED
    transition = OfferingTransition.objects.get(offering=offering)
    assert (transition.from_status, transition.to_status, transition.by) == ("in_review", "approved", superuser)
    assert OfferingApproval.objects.get(offering=offering).by == superuser


def test_approve_action_reports_a_refusal_and_changes_nothing(client, superuser):
    draft = OfferingFactory(status=OfferingStatus.DRAFT)
    before = offering_state(draft)

    response = client.post(
        CHANGELIST, {"action": "approve_selected_offerings", "_selected_action": [draft.pk]}, follow=True
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any(draft.title in message for message in messages), messages
    assert offering_state(draft) == before


def test_approve_action_applies_four_eyes_too(client, superuser):
    tied = OfferingFactory(status=OfferingStatus.IN_REVIEW, issuer=IssuerFactory(tied=True))

    client.post(CHANGELIST, {"action": "approve_selected_offerings", "_selected_action": [tied.pk]})
    client.post(CHANGELIST, {"action": "approve_selected_offerings", "_selected_action": [tied.pk]})

    tied.refresh_from_db()
    assert tied.status == OfferingStatus.IN_REVIEW
    assert list(tied.approvals.values_list("by", flat=True)) == [superuser.pk]


def test_reject_action_first_asks_for_a_reason_and_changes_nothing(client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)
    before = offering_state(offering)

    response = client.post(CHANGELIST, {"action": "reject_selected_offerings", "_selected_action": [offering.pk]})

    assert response.status_code == 200
    assert "admin/reason_form.html" in [template.name for template in response.templates]
    assert b'name="reason"' in response.content
    assert offering_state(offering) == before


def test_reject_action_with_a_reason_rejects_through_the_service(client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    response = client.post(
        CHANGELIST,
        {
            "action": "reject_selected_offerings",
            "_selected_action": [offering.pk],
            "apply": "1",
            "reason": "Projections are not credible.",
        },
    )

    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.REJECTED
    transition = OfferingTransition.objects.get(offering=offering)
    assert (transition.to_status, transition.by, transition.reason) == (
        "rejected",
        superuser,
        "Projections are not credible.",
    )


def test_reject_action_with_a_blank_reason_asks_again_and_changes_nothing(client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)
    before = offering_state(offering)

    response = client.post(
        CHANGELIST,
        {"action": "reject_selected_offerings", "_selected_action": [offering.pk], "apply": "1", "reason": "  "},
    )

    assert response.status_code == 200
    assert response.context["reason_missing"] is True
    assert offering_state(offering) == before


def test_close_early_action_under_cn_brings_the_deadline_forward_with_notice_and_keeps_the_offering_live(
    client, superuser, django_capture_on_commit_callbacks
):
    now = timezone.now()
    offering = OfferingFactory(
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        raised_amount=Decimal("1000000.00"),
        reserved_amount=Decimal("1000000.00"),
    )
    investor = InvestorFactory()
    Subscription.objects.create(
        investor=investor,
        offering=offering,
        amount=Decimal("1000000.00"),
        currency="CNY",
        shares=100000,
        status=SubscriptionStatus.PAID,
        idempotency_key="k",
        request_digest="-",
        payment_method="pm_card_visa",
        created_at=now,
        reserved_until=now,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "close_offerings_early", "_selected_action": [offering.pk]})

    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.LIVE
    assert business_days_after(now, 5) <= offering.closes_at <= business_days_after(timezone.now(), 5)
    assert [message.to for message in mail.outbox if "closes early" in message.subject] == [[investor.email]]


def test_staff_without_the_change_permission_cannot_run_the_approve_action(client):
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_offering"))
    client.force_login(viewer)
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)
    before = offering_state(offering)

    listing = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "approve_selected_offerings", "_selected_action": [offering.pk]})

    assert listing.status_code == 200
    assert b"approve_selected_offerings" not in listing.content
    assert offering_state(offering) == before


def test_offering_change_form_is_read_only(client, superuser):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    response = client.post(
        reverse("admin:projects_offering_change", args=[offering.pk]), {"status": "approved", "title": "Edited"}
    )

    assert response.status_code == 403
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW


# Financial statements -----------------------------------------------------------------------------------------------


def test_statement_admin_lists_and_shows_statements(client, superuser):
    statement = FinancialStatementFactory()

    listing = client.get("/admin/projects/financialstatement/")
    detail = client.get(reverse("admin:projects_financialstatement_change", args=[statement.pk]))

    assertContains(listing, statement.issuer.legal_name)
    assertContains(detail, statement.issuer.legal_name)
    assertContains(detail, "5000000.00")


def test_statement_admin_cannot_add(client, superuser):
    response = client.post(reverse("admin:projects_financialstatement_add"), {"fiscal_year": 2020})

    assert response.status_code == 403
    assert FinancialStatement.objects.count() == 0


def test_statement_admin_cannot_change(client, superuser):
    statement = FinancialStatementFactory()

    response = client.post(
        reverse("admin:projects_financialstatement_change", args=[statement.pk]), {"revenue": "1.00"}
    )

    assert response.status_code == 403
    statement.refresh_from_db()
    assert str(statement.revenue) == "5000000.00"


def test_statement_admin_cannot_delete(client, superuser):
    statement = FinancialStatementFactory()

    single = client.post(reverse("admin:projects_financialstatement_delete", args=[statement.pk]), {"post": "yes"})
    bulk = client.post(
        "/admin/projects/financialstatement/",
        {"action": "delete_selected", "_selected_action": [statement.pk], "post": "yes"},
    )

    assert single.status_code == 403
    assert bulk.status_code in (200, 302)
    assert FinancialStatement.objects.filter(pk=statement.pk).exists()
