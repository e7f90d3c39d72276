"""Staff's queue in Django admin: open cases by severity, the evidence side by side, and resolving with a note."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import SuperuserFactory
from investors.models import Subscription, SubscriptionStatus
from ledger.models import AccountKind
from ledger.selectors import balance
from projects.models import OfferingStatus
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory
from risk import services
from risk.models import Case, CaseStatus
from risk.tests.support import near_deadline_offering
from tests.support.money import eligible_investor, subscribe_and_charge

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(SuperuserFactory())
    return client


@pytest.fixture
def two_cases():
    issuer = IssuerFactory(related_to_platform=True, related_party_note="Group holds 5%.")
    services.screen_issuer(issuer_id=issuer.pk)  # medium: platform_conflict
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW, summary="稳赚不赔，零风险。")
    FinancialStatementFactory(issuer=offering.issuer, revenue=Decimal("100.00"), net_profit=Decimal("900.00"))
    services.screen_issuer(issuer_id=offering.issuer_id)  # high: misleading_claims and financial_inconsistency
    return Case.objects.get(subject_type="issuer", subject_id=issuer.pk), Case.objects.get(subject_type="offering")


def test_the_queue_lists_open_cases_most_severe_first(staff_client, two_cases):
    medium, high = two_cases

    page = staff_client.get(reverse("admin:risk_case_changelist")).content.decode()

    row = 'name="_selected_action" value="{}"'
    assert page.index(row.format(high.pk)) < page.index(row.format(medium.pk))
    assert "misleading_claims" in page and "platform_conflict" in page


def test_a_case_page_lays_out_the_evidence_with_links_to_the_records(staff_client):
    issuer = IssuerFactory()
    statement = FinancialStatementFactory(issuer=issuer, revenue=Decimal("1000.00"), net_profit=Decimal("5000.00"))
    services.screen_issuer(issuer_id=issuer.pk)

    page = staff_client.get(reverse("admin:risk_case_change", args=[Case.objects.get().pk])).content.decode()

    assert "net_profit vs revenue" in page and "1000.00" in page and "5000.00" in page
    assert reverse("admin:projects_financialstatement_change", args=[statement.pk]) in page
    assert reverse("admin:projects_issuer_change", args=[issuer.pk]) in page


def test_staff_resolve_from_the_queue_only_with_a_note(staff_client, two_cases):
    _, high = two_cases
    url = reverse("admin:risk_case_changelist")
    action = "resolve_cleared"

    asked = staff_client.post(url, {"action": action, "_selected_action": [high.pk]})
    assert "reason" in asked.content.decode()
    staff_client.post(url, {"action": action, "_selected_action": [high.pk], "apply": "1", "reason": ""})
    high.refresh_from_db()
    assert (high.status, high.outcome, high.resolution_note, high.resolved_by_id) == (CaseStatus.OPEN, "", "", None)
    assert not high.events.filter(action="resolved").exists()

    staff_client.post(
        url,
        {
            "action": action,
            "_selected_action": [high.pk],
            "apply": "1",
            "reason": "Wording withdrawn; figures corrected.",
        },
    )

    high.refresh_from_db()
    assert (high.status, high.outcome, high.resolution_note) == (
        "resolved",
        "cleared",
        "Wording withdrawn; figures corrected.",
    )
    assert high.events.filter(action="resolved", by__isnull=False).exists()


def test_staff_cancel_the_offering_of_a_case_and_refund_its_investors_only_with_a_reason(
    staff_client, fake_stripe, django_capture_on_commit_callbacks
):
    offering = near_deadline_offering()
    assert subscribe_and_charge(eligible_investor(), offering, "10000.00", key="before-the-finding").status_code == 201
    services.screen_issuer(issuer_id=offering.issuer_id)
    url = reverse("admin:risk_case_changelist")
    action = {"action": "cancel_offerings_and_refund", "_selected_action": [Case.objects.get().pk], "apply": "1"}

    staff_client.post(url, {**action, "reason": ""})

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SUSPENDED
    assert Subscription.objects.get().status == SubscriptionStatus.PAID
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("10000.00")

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {**action, "reason": "The platform's commitment was never paid."})

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED
    assert Subscription.objects.get().status == SubscriptionStatus.REFUNDED
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
