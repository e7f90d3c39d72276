"""Issuers tied to the platform through the group's portfolio registry: four-eyes review, the registry's admin with
its history, and the related-party disclosure on the offering's page and in the API."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from accounts.tests.factories import OfferingReviewerFactory, StaffFactory, SuperuserFactory
from projects import services
from projects.models import OfferingApproval, OfferingStatus, PortfolioCompany
from projects.tests.factories import IssuerFactory, OfferingFactory, make_uscc, with_wrong_check_digit

pytestmark = pytest.mark.django_db

REGISTRY = "/admin/projects/portfoliocompany/"


def approve(api_client, user, offering):
    api_client.force_authenticate(user)
    return api_client.post(f"/api/v1/offerings/{offering.pk}/approve/")


def review_state(offering):
    offering.refresh_from_db()
    return offering.status, list(offering.approvals.values_list("by", flat=True)), offering.transitions.count()


@pytest.fixture
def registered_offering():
    """An issuer that declares no tie at all, but whose credit code staff listed in the portfolio registry."""
    issuer = IssuerFactory()
    PortfolioCompany.objects.create(uscc=issuer.uscc, legal_name=issuer.legal_name, stake_pct=Decimal("12.50"))
    return OfferingFactory(issuer=issuer, status=OfferingStatus.IN_REVIEW)


def test_an_issuer_listed_in_the_portfolio_registry_is_tied_to_the_platform(registered_offering):
    issuer = registered_offering.issuer
    assert (issuer.related_to_platform, issuer.platform_stake_pct) == (False, Decimal("0"))

    assert issuer.tied_to_platform
    assert services.approvals_required(registered_offering) == 2


def test_an_issuer_with_no_tie_and_not_in_the_registry_needs_one_approval():
    PortfolioCompany.objects.create(uscc=make_uscc(999_999), legal_name="Someone else")
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    assert not offering.issuer.tied_to_platform
    assert services.approvals_required(offering) == 1


def test_registered_issuers_offering_needs_two_different_staff_approvers(api_client, registered_offering):
    first, second = OfferingReviewerFactory(), OfferingReviewerFactory()

    response = approve(api_client, first, registered_offering)
    assert (response.status_code, response.json()["status"]) == (200, "in_review")

    before = review_state(registered_offering)
    again = approve(api_client, first, registered_offering)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "second_approval_required"
    assert review_state(registered_offering) == before

    response = approve(api_client, second, registered_offering)
    assert (response.status_code, response.json()["status"]) == (200, "approved")
    approvals = OfferingApproval.objects.filter(offering=registered_offering).order_by("at", "id")
    assert [approval.by for approval in approvals] == [first, second]
    assert all(approval.at for approval in approvals)


# The registry's admin ------------------------------------------------------------------------------------------------


def test_staff_add_a_company_to_the_registry_and_its_history_is_kept(client):
    staff = SuperuserFactory()
    client.force_login(staff)
    code = make_uscc(424_242)

    response = client.post(
        f"{REGISTRY}add/", {"uscc": code.lower(), "legal_name": "Lantern Ltd", "stake_pct": "7.50", "note": "Fund II"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    company = PortfolioCompany.objects.get()
    assert (company.uscc, company.stake_pct) == (code, Decimal("7.50"))
    client.post(
        f"{REGISTRY}{company.pk}/change/", {"uscc": code, "legal_name": "Lantern Ltd", "stake_pct": "9.00", "note": ""}
    )
    history = list(company.history.order_by("history_date").values_list("stake_pct", "history_user_id"))
    assert history == [(Decimal("7.50"), staff.pk), (Decimal("9.00"), staff.pk)]
    assert client.get(f"{REGISTRY}{company.pk}/history/").status_code == 200


def test_registry_refuses_a_code_with_a_wrong_check_digit(client):
    client.force_login(SuperuserFactory())

    response = client.post(f"{REGISTRY}add/", {"uscc": with_wrong_check_digit(make_uscc(5)), "stake_pct": "1"})

    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not PortfolioCompany.objects.exists()


def test_registry_search_finds_by_code_and_name(client):
    client.force_login(SuperuserFactory())
    PortfolioCompany.objects.create(uscc=make_uscc(1), legal_name="Lantern Ltd")
    PortfolioCompany.objects.create(uscc=make_uscc(2), legal_name="Harbour Co")

    by_name = client.get(REGISTRY, {"q": "lantern"}).content.decode()
    by_code = client.get(REGISTRY, {"q": make_uscc(2)}).content.decode()

    assert "Lantern Ltd" in by_name and "Harbour Co" not in by_name
    assert "Harbour Co" in by_code and "Lantern Ltd" not in by_code


def test_staff_without_the_registry_permissions_cannot_change_it(client):
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_portfoliocompany"))
    client.force_login(staff)

    response = client.post(f"{REGISTRY}add/", {"uscc": make_uscc(8), "stake_pct": "1"})

    assert response.status_code == 403
    assert not PortfolioCompany.objects.exists()


# Disclosure ----------------------------------------------------------------------------------------------------------


def test_offering_page_and_api_disclose_a_registered_tie_with_the_stake(client, api_client):
    issuer = IssuerFactory(related_party_note="")
    PortfolioCompany.objects.create(uscc=issuer.uscc, stake_pct=Decimal("12.50"))
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.LIVE)

    page = client.get(f"/offerings/{offering.pk}/").content.decode()
    disclosure = api_client.get(f"/api/v1/offerings/{offering.pk}/").json()["related_party_disclosure"]

    assert 'id="related-party-disclosure"' in page
    assert "12.50%" in page and "investment portfolio" in page
    assert disclosure == {
        "tied_to_platform": True,
        "related_to_platform": False,
        "in_platform_portfolio": True,
        "platform_stake_pct": "12.50",
        "note": "",
        "approvals_required": 2,
    }


def test_declared_stake_is_disclosed_when_the_registry_has_none():
    issuer = IssuerFactory(platform_stake_pct=Decimal("3.00"), related_party_note="Group fund.")
    assert issuer.disclosed_stake_pct == Decimal("3.00")


def test_an_untied_offering_shows_no_disclosure(client, api_client):
    offering = OfferingFactory(status=OfferingStatus.LIVE)

    page = client.get(f"/offerings/{offering.pk}/").content.decode()
    disclosure = api_client.get(f"/api/v1/offerings/{offering.pk}/").json()["related_party_disclosure"]

    assert 'id="related-party-disclosure"' not in page
    assert (disclosure["tied_to_platform"], disclosure["approvals_required"]) == (False, 1)
