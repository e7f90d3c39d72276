"""Staff roles: what each decision needs, the same answer through the API, the services and the admin, four eyes
that are two reviewers, and conflicts of interest. (Every endpoint and page for every role: test_access_matrix.py.)"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import (
    InvestorFactory,
    KycOfficerFactory,
    OfferingReviewerFactory,
    RiskAnalystFactory,
    StaffFactory,
    SuperuserFactory,
    SupportFactory,
)
from investors.kyc import services as investor_services
from investors.models import Holding, KycDecision, KycProfile, KycStatus, Subscription, SubscriptionStatus
from investors.tests.factories import KycProfileFactory
from kernel import permissions
from kernel.errors import PermissionRefused
from projects import services as project_services
from projects.models import AnnouncedCommitment, CommitmentParty, OfferingStatus
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory, offering_state
from risk import services as risk_services
from risk.models import Case, CaseEvent, CaseStatus
from tests.support.clients import api_as

pytestmark = pytest.mark.django_db


def assert_denied(response) -> None:
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied"), response.json()


# The roles the migration creates ---------------------------------------------------------------------------------


def test_the_data_migration_creates_each_role_with_exactly_its_permissions():
    # Run on its own: a test that empties the database (transaction=True) removes what migrations wrote.
    Group.objects.all().delete()
    migration = importlib.import_module("risk.migrations.0002_roles_staff_groups")
    state = MigrationExecutor(connection).loader.project_state(("risk", "0002_roles_staff_groups"))
    migration.create_roles(state.apps, connection.schema_editor())

    groups = {group.name: group for group in Group.objects.prefetch_related("permissions__content_type")}

    assert set(groups) == {"Offering reviewer", "KYC officer", "Risk analyst", "Support"}
    for name, expected in permissions.ROLE_PERMISSIONS.items():
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in groups[name].permissions.all()}
        if name == permissions.SUPPORT:
            assert all(codename.partition(".")[2].startswith("view_") for codename in granted)
            assert {permissions.VIEW_CASE, permissions.VIEW_SUBSCRIPTION, "investors.view_kycprofile"} <= granted
            assert permissions.VIEW_IDENTITY_NUMBER not in granted
        else:
            assert granted == set(expected)


# Four eyes are two reviewers -------------------------------------------------------------------------------------


@pytest.fixture
def tied_in_review():
    return OfferingFactory(status=OfferingStatus.IN_REVIEW, issuer=IssuerFactory(tied=True))


def test_two_staff_without_the_reviewer_role_cannot_make_four_eyes(tied_in_review):
    before = offering_state(tied_in_review)

    for staff in (SupportFactory(), RiskAnalystFactory()):
        assert_denied(api_as(staff).post(f"/api/v1/offerings/{tied_in_review.pk}/approve/", {}, format="json"))

    assert offering_state(tied_in_review) == before


def test_a_reviewer_and_a_staff_member_without_the_role_leave_it_in_review(tied_in_review):
    project_services.offering_approve(offering=tied_in_review, by=OfferingReviewerFactory())
    before = offering_state(tied_in_review)

    with pytest.raises(PermissionRefused):
        project_services.offering_approve(offering=tied_in_review, by=SupportFactory())

    assert offering_state(tied_in_review) == before
    assert tied_in_review.status == OfferingStatus.IN_REVIEW


def test_an_approval_by_a_reviewer_who_since_lost_the_role_no_longer_counts(tied_in_review):
    former = OfferingReviewerFactory()
    project_services.offering_approve(offering=tied_in_review, by=former)
    former.groups.clear()

    project_services.offering_approve(offering=tied_in_review, by=OfferingReviewerFactory())
    tied_in_review.refresh_from_db()
    assert tied_in_review.status == OfferingStatus.IN_REVIEW

    project_services.offering_approve(offering=tied_in_review, by=OfferingReviewerFactory())
    tied_in_review.refresh_from_db()
    assert tied_in_review.status == OfferingStatus.APPROVED


# KYC --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def held_duplicate():
    """A submission whose identity number is already verified on another account: held for staff."""
    KycProfileFactory(serial=41, status=KycStatus.VERIFIED)
    return KycProfileFactory(serial=41, review_reason="Already verified on another account.")


@pytest.mark.parametrize("staff_factory", [OfferingReviewerFactory, RiskAnalystFactory, SupportFactory])
@pytest.mark.parametrize("verdict", ["approve", "reject"])
def test_only_the_kyc_officer_decides_a_held_duplicate_identity(held_duplicate, staff_factory, verdict):
    before = KycProfile.objects.values().get(pk=held_duplicate.pk)

    response = api_as(staff_factory()).post(
        f"/api/v1/kyc/{held_duplicate.user_id}/{verdict}/", {"reason": "Looks fine."}, format="json"
    )

    assert_denied(response)
    assert KycProfile.objects.values().get(pk=held_duplicate.pk) == before
    assert not KycDecision.objects.filter(kyc=held_duplicate).exists()


def test_a_kyc_officer_cannot_verify_their_own_kyc():
    officer = KycOfficerFactory(role=Role.INVESTOR)
    own = KycProfileFactory(user=officer, review_reason="The provider asked for a manual review.")
    before = KycProfile.objects.values().get(pk=own.pk)

    response = api_as(officer).post(f"/api/v1/kyc/{officer.pk}/approve/", {}, format="json")

    assert_denied(response)
    assert response.json()["error"]["details"] == {"conflict": "own_kyc"}
    assert KycProfile.objects.values().get(pk=own.pk) == before


# Risk cases: conflicts of interest ---------------------------------------------------------------------------------


def company_with_a_case():
    """A company whose filed figures cannot all be true, screened: an open case about it."""
    company = IssuerFactory()
    FinancialStatementFactory(issuer=company, revenue=Decimal("100.00"), net_profit=Decimal("500.00"))
    risk_services.screen_issuer(issuer_id=company.pk, as_of=timezone.now())
    return company, Case.objects.get(issuer=company)


def paid_subscription(investor, offering, **fields) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        investor=investor, offering=offering, amount=Decimal("10000.00"), currency="CNY", shares=1000,
        idempotency_key=f"k{investor.pk}", request_digest="-", payment_method="pm_card_visa", created_at=now,
        reserved_until=now, paid_at=now, **{"status": SubscriptionStatus.PAID} | fields,
    )  # fmt: skip


def owns_the_company(analyst, company):
    company.owner = analyst
    company.save()


def declared_insider(analyst, company):
    paid_subscription(analyst, OfferingFactory(issuer=company, status=OfferingStatus.LIVE), insider_of_issuer=True)


def holds_its_shares(analyst, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.CLOSED)
    subscription = paid_subscription(analyst, offering, status=SubscriptionStatus.SETTLED)
    Holding.objects.create(
        subscription=subscription, investor=analyst, offering=offering, shares=1000, amount=Decimal("10000.00"),
        currency="CNY", acquired_at=timezone.now(),
    )  # fmt: skip


def named_insider_commitment(analyst, company):
    AnnouncedCommitment.objects.create(
        offering=OfferingFactory(issuer=company), by=CommitmentParty.ISSUER_INSIDER, investor=analyst,
        amount=Decimal("1000.00"),
    )  # fmt: skip


@pytest.mark.parametrize("interest", [owns_the_company, declared_insider, holds_its_shares, named_insider_commitment])
def test_an_analyst_with_an_interest_in_the_company_cannot_resolve_its_case(interest):
    company, case = company_with_a_case()
    analyst = RiskAnalystFactory(role=Role.INVESTOR)
    interest(analyst, company)
    events = CaseEvent.objects.count()

    response = api_as(analyst).post(
        f"/api/v1/risk/cases/{case.pk}/resolve/", {"outcome": "cleared", "note": "Fine."}, format="json"
    )

    assert_denied(response)
    assert response.json()["error"]["details"] == {"conflict": "interest_in_subject"}
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and CaseEvent.objects.count() == events


def test_an_analyst_cannot_resolve_a_case_about_their_own_account():
    analyst = RiskAnalystFactory(role=Role.INVESTOR)
    KycProfileFactory(serial=52, status=KycStatus.VERIFIED)
    own = KycProfileFactory(serial=52, user=analyst)
    investor_services.kyc_check_identity(kyc_id=own.pk)
    risk_services.screen_investor(investor_id=analyst.pk)
    case = Case.objects.get(investor=analyst)

    with pytest.raises(PermissionRefused):
        risk_services.case_resolve(case=case, by=analyst, outcome="cleared", note="It is me.")

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_another_analyst_with_no_interest_resolves_it():
    _company, case = company_with_a_case()

    risk_services.case_resolve(case=case, by=RiskAnalystFactory(), outcome="cleared", note="Refiled correctly.")

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


@pytest.mark.parametrize("staff_factory", [SupportFactory, OfferingReviewerFactory, StaffFactory])
def test_only_the_risk_analyst_cancels_and_refunds_from_a_case(staff_factory):
    offering = OfferingFactory(status=OfferingStatus.LIVE, summary="本项目保本保收益。")
    risk_services.screen_issuer(issuer_id=offering.issuer_id)
    case = Case.objects.get(offering=offering)
    before = offering_state(offering)

    with pytest.raises(PermissionRefused):
        risk_services.case_offerings_cancel(case=case, by=staff_factory(), reason="Fraud.")

    assert offering_state(offering) == before


# The admin answers as the services do ------------------------------------------------------------------------------


def test_a_support_member_reads_the_risk_queue_in_the_admin_but_has_no_resolve_action(client):
    _company, case = company_with_a_case()
    client.force_login(SupportFactory())

    listing = client.get(reverse("admin:risk_case_changelist"))
    client.post(
        reverse("admin:risk_case_changelist"),
        {"action": "resolve_cleared", "_selected_action": [case.pk], "reason": "Fine.", "apply": "1"},
    )

    assert listing.status_code == 200
    assert b"resolve_cleared" not in listing.content
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_admin_approve_action_by_an_owner_reviewer_is_refused_by_the_service(client):
    reviewer = OfferingReviewerFactory()
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW, issuer=IssuerFactory(owner=reviewer))
    client.force_login(reviewer)
    before = offering_state(offering)

    response = client.post(
        reverse("admin:projects_offering_changelist"),
        {"action": "approve_selected_offerings", "_selected_action": [offering.pk]},
        follow=True,
    )

    assert "manage" in " ".join(str(message) for message in response.context["messages"])
    assert offering_state(offering) == before


def test_a_superuser_holds_every_role():
    superuser = SuperuserFactory()

    assert all(
        permissions.holds_permission(superuser, permission)
        for permission in (permissions.REVIEW_OFFERING, permissions.REVIEW_KYC, permissions.RESOLVE_CASE)
    )


def test_a_role_without_staff_status_grants_nothing():
    investor = InvestorFactory()
    investor.groups.add(permissions.role_group(permissions.OFFERING_REVIEWER))

    assert not permissions.holds_permission(investor, permissions.REVIEW_OFFERING)
