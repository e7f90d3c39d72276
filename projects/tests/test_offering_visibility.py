"""Who sees which offering, and the list's filters and pagination."""

import pytest

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, StaffFactory, SupportFactory
from projects.models import OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory

pytestmark = pytest.mark.django_db

OFFERINGS = "/api/v1/offerings/"
PUBLIC = {"approved", "live", "suspended", "closing", "closed", "failed"}
PRIVATE = {"draft", "in_review", "rejected", "cancelled"}


@pytest.fixture
def one_of_each():
    """One offering in every status, all of one issuer: {status: offering}."""
    issuer = IssuerFactory()
    return {status.value: OfferingFactory(issuer=issuer, status=status) for status in OfferingStatus}


def listed_statuses(client, query=""):
    body = client.get(f"{OFFERINGS}{query}").json()
    return sorted(item["status"] for item in body["results"])


@pytest.mark.parametrize("viewer", ["anonymous", "investor", "other-issuer"])
def test_outsiders_list_only_offerings_staff_have_approved(api_client, one_of_each, viewer):
    if viewer == "investor":
        api_client.force_authenticate(InvestorFactory())
    elif viewer == "other-issuer":
        api_client.force_authenticate(IssuerUserFactory())

    assert listed_statuses(api_client) == sorted(PUBLIC)


@pytest.mark.parametrize("viewer", ["anonymous", "investor", "other-issuer"])
@pytest.mark.parametrize("status", sorted(PRIVATE))
def test_outsiders_get_404_for_an_unapproved_offering(api_client, one_of_each, viewer, status):
    if viewer == "investor":
        api_client.force_authenticate(InvestorFactory())
    elif viewer == "other-issuer":
        api_client.force_authenticate(IssuerUserFactory())

    response = api_client.get(f"{OFFERINGS}{one_of_each[status].pk}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", sorted(PUBLIC))
def test_anonymous_visitors_see_a_public_offering_in_detail(api_client, one_of_each, status):
    response = api_client.get(f"{OFFERINGS}{one_of_each[status].pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == status


def test_issuer_sees_its_own_unapproved_offerings_besides_public_ones(api_client, one_of_each):
    owner = one_of_each["draft"].issuer.owner
    someone_elses_draft = OfferingFactory()
    api_client.force_authenticate(owner)

    statuses = listed_statuses(api_client)
    detail = api_client.get(f"{OFFERINGS}{one_of_each['draft'].pk}/")
    other_detail = api_client.get(f"{OFFERINGS}{someone_elses_draft.pk}/")

    assert statuses == sorted(PUBLIC | PRIVATE)
    assert detail.status_code == 200
    assert other_detail.status_code == 404


def test_staff_whose_role_reads_offerings_see_every_offering(api_client, one_of_each):
    OfferingFactory()
    api_client.force_authenticate(SupportFactory())

    assert listed_statuses(api_client) == sorted([status.value for status in OfferingStatus] + ["draft"])


def test_staff_without_a_role_see_what_the_public_sees(api_client, one_of_each):
    api_client.force_authenticate(StaffFactory())

    assert listed_statuses(api_client) == sorted(PUBLIC)


def test_detail_has_every_contract_field(api_client):
    offering = OfferingFactory(status=OfferingStatus.LIVE)

    body = api_client.get(f"{OFFERINGS}{offering.pk}/").json()

    contract = {
        "issuer", "title", "summary", "security", "price_per_share", "pre_money_valuation", "target_amount",
        "max_amount", "min_investment", "opens_at", "closes_at", "use_of_funds", "risk_factors",
        "announced_commitments", "status", "raised_amount", "investor_count", "progress_pct", "remaining_amount",
        "risk_hold", "id", "currency",
    }  # fmt: skip
    assert contract <= set(body)


# Filters ------------------------------------------------------------------------------------------------------------


def test_status_filter_keeps_only_that_status(api_client, one_of_each):
    assert listed_statuses(api_client, "?status=live") == ["live"]


def test_status_filter_accepts_several_statuses(api_client, one_of_each):
    assert listed_statuses(api_client, "?status=live&status=closed") == ["closed", "live"]


def test_status_filter_cannot_reveal_unapproved_offerings(api_client, one_of_each):
    assert listed_statuses(api_client, "?status=draft") == []


def test_unknown_status_filter_is_a_validation_error(api_client, one_of_each):
    response = api_client.get(f"{OFFERINGS}?status=secret")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "status" in response.json()["error"]["fields"]


def test_issuer_filter_keeps_only_that_companys_offerings(api_client):
    mine = OfferingFactory(status=OfferingStatus.LIVE)
    OfferingFactory(status=OfferingStatus.LIVE)

    body = api_client.get(f"{OFFERINGS}?issuer={mine.issuer_id}").json()

    assert [item["id"] for item in body["results"]] == [mine.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("teahouse", "title"), ("dumplings", "summary"), ("Lantern", "company"), ("LANTERN", "company")],
)
def test_search_matches_title_summary_or_company_name(api_client, query, expected):
    offerings = {
        "title": OfferingFactory(status=OfferingStatus.LIVE, title="Teahouse expansion"),
        "summary": OfferingFactory(status=OfferingStatus.LIVE, summary="Frozen dumplings for export."),
        "company": OfferingFactory(status=OfferingStatus.LIVE, issuer=IssuerFactory(legal_name="Lantern Tech Ltd")),
    }
    OfferingFactory(status=OfferingStatus.LIVE, title="Unrelated")

    body = api_client.get(f"{OFFERINGS}?search={query}").json()

    assert [item["id"] for item in body["results"]] == [offerings[expected].pk]


def test_search_does_not_reveal_unapproved_offerings(api_client):
    OfferingFactory(status=OfferingStatus.DRAFT, title="Secret teahouse")

    body = api_client.get(f"{OFFERINGS}?search=teahouse").json()

    assert body["count"] == 0


# Pagination ---------------------------------------------------------------------------------------------------------


def test_list_is_paginated_with_count_next_previous_results(api_client):
    OfferingFactory.create_batch(21, status=OfferingStatus.LIVE)

    first = api_client.get(OFFERINGS).json()
    second = api_client.get(first["next"]).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert (first["count"], len(first["results"]), first["previous"]) == (21, 20, None)
    assert first["next"].endswith("page=2")
    assert (second["count"], len(second["results"]), second["next"]) == (21, 1, None)
    assert second["previous"] is not None
    ids = {item["id"] for item in first["results"]} | {item["id"] for item in second["results"]}
    assert len(ids) == 21
