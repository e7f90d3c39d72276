"""Updates to investors, and the term changes they carry: recorded term by term with old and new values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory, IssuerUserFactory
from projects.models import OfferingStatus, OfferingUpdate, TermChange
from projects.tests.factories import OfferingFactory, assert_nothing_posted, live_offering, offering_snapshot

pytestmark = pytest.mark.django_db

NEW_USES = [
    {"category": "product development", "amount": "500000.00"},
    {"category": "hiring", "amount": "500000.00"},
]


def url(managed_offering):
    return f"/api/v1/offerings/{managed_offering.pk}/updates/"


def post_new_price(api_client, managed_offering):
    """An update titled "Repriced" that raises the price per share from 10.00 to 20.00."""
    return api_client.post(
        url(managed_offering),
        {"title": "Repriced", "body": "x", "changes": {"price_per_share": "20.00"}},
        format="json",
    )


@pytest.fixture
def managed_offering(api_client):
    running = live_offering()
    api_client.force_authenticate(running.issuer.owner)
    return running


def test_update_without_changes_is_published(api_client, managed_offering):
    response = api_client.post(url(managed_offering), {"title": "Q3 news", "body": "We shipped."}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["material_change"], body["changes"], body["term_changes"]) == ("Q3 news", False, {}, [])
    assert OfferingUpdate.objects.get().posted_by == managed_offering.issuer.owner


def test_changing_security_price_and_use_of_funds_records_each_change_and_applies_it(api_client, managed_offering):
    changes = {"security": "existing_shares", "price_per_share": "20.00", "use_of_funds": NEW_USES}

    response = api_client.post(
        url(managed_offering),
        {"title": "New terms", "body": "Repriced.", "material_change": True, "changes": changes},
        format="json",
    )

    assert response.status_code == 201, response.json()
    recorded = {change.term: (change.old_value, change.new_value) for change in TermChange.objects.all()}
    assert recorded == {
        "security": ("new_shares", "existing_shares"),
        "price_per_share": ("10.00", "20.00"),
        "use_of_funds": (
            [
                {"category": "product development", "amount": "600000.00"},
                {"category": "marketing", "amount": "400000.00"},
            ],
            NEW_USES,
        ),
    }
    assert all(change.update_id == response.json()["id"] for change in TermChange.objects.all())
    managed_offering.refresh_from_db()
    assert managed_offering.security == "existing_shares"
    assert managed_offering.price_per_share == Decimal("20.00")
    assert managed_offering.use_of_funds == NEW_USES
    assert {item["term"] for item in response.json()["term_changes"]} == {"security", "price_per_share", "use_of_funds"}


def test_changing_the_closing_time_is_recorded(api_client, managed_offering):
    new_close = (managed_offering.closes_at + dt.timedelta(days=7)).replace(microsecond=0)

    response = api_client.post(
        url(managed_offering),
        {"title": "Extended", "body": "One more week.", "changes": {"closes_at": new_close.isoformat()}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    managed_offering.refresh_from_db()
    assert managed_offering.closes_at == new_close
    assert TermChange.objects.get().term == "closes_at"


def test_a_change_to_the_current_value_records_no_term_change(api_client, managed_offering):
    response = api_client.post(
        url(managed_offering),
        {"title": "Same", "body": "No change.", "changes": {"price_per_share": "10.00"}},
        format="json",
    )

    assert response.status_code == 201
    assert TermChange.objects.count() == 0


@pytest.mark.parametrize("term", ["title", "target_amount", "max_amount", "min_investment", "opens_at", "issuer"])
def test_changing_a_term_that_updates_cannot_change_is_refused(api_client, managed_offering, term):
    before = offering_snapshot(managed_offering)

    response = api_client.post(
        url(managed_offering), {"title": "Sneaky", "body": "Changed.", "changes": {term: "1.00"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert f"changes.{term}" in response.json()["error"]["fields"]
    assert offering_snapshot(managed_offering) == before
    assert_nothing_posted()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price_per_share": "0"}, "price_per_share"),
        ({"security": "bonds"}, "security"),
        ({"use_of_funds": [{"category": "all", "amount": "1.00"}]}, "use_of_funds"),
        ({"closes_at": "next week"}, "changes.closes_at"),
    ],
    ids=["zero-price", "unknown-security", "uses-not-adding-up", "unreadable-date"],
)
def test_a_change_to_an_invalid_value_is_refused_and_nothing_is_stored(api_client, managed_offering, changes, field):
    before = offering_snapshot(managed_offering)

    response = api_client.post(
        url(managed_offering), {"title": "Bad", "body": "Bad.", "changes": changes}, format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert offering_snapshot(managed_offering) == before
    assert_nothing_posted()


def test_updates_on_a_draft_are_refused_even_without_changes(api_client):
    draft = OfferingFactory()
    api_client.force_authenticate(draft.issuer.owner)
    before = offering_snapshot(draft)

    response = api_client.post(url(draft), {"title": "Hello", "body": "x"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert offering_snapshot(draft) == before
    assert_nothing_posted()


@pytest.mark.parametrize("status", ["draft", "in_review", "closing", "closed", "failed"])
def test_term_changes_outside_approved_live_or_suspended_are_refused_and_change_nothing(api_client, status):
    offering = OfferingFactory(status=status)
    api_client.force_authenticate(offering.issuer.owner)
    before = offering_snapshot(offering)

    response = post_new_price(api_client, offering)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert offering_snapshot(offering) == before
    assert_nothing_posted()


@pytest.mark.parametrize("status", ["approved", "suspended"])
def test_term_changes_are_allowed_while_approved_or_suspended(api_client, status):
    offering = OfferingFactory(status=status)
    api_client.force_authenticate(offering.issuer.owner)

    response = post_new_price(api_client, offering)

    assert response.status_code == 201, response.json()
    assert TermChange.objects.get().term == "price_per_share"
    offering.refresh_from_db()
    assert offering.price_per_share == Decimal("20.00")


@pytest.mark.parametrize("who", ["investor", "other-issuer"])
def test_only_the_companys_manager_may_post_updates(api_client, who):
    offering = live_offering()
    api_client.force_authenticate(InvestorFactory() if who == "investor" else IssuerUserFactory())
    before = offering_snapshot(offering)

    response = api_client.post(
        url(offering), {"title": "Fake", "body": "x", "changes": {"price_per_share": "20.00"}}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert offering_snapshot(offering) == before
    assert_nothing_posted()


@pytest.mark.parametrize("body", [{"body": "x"}, {"title": "x"}, {"title": " ", "body": "x"}])
def test_update_without_title_or_body_is_refused(api_client, managed_offering, body):
    response = api_client.post(url(managed_offering), body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert_nothing_posted()


def test_anyone_can_read_a_public_offerings_updates_with_their_term_changes(api_client, managed_offering):
    assert post_new_price(api_client, managed_offering).status_code == 201
    api_client.force_authenticate(None)

    body = api_client.get(url(managed_offering)).json()

    assert body["count"] == 1
    [change] = body["results"][0]["term_changes"]
    assert (change["term"], change["old_value"], change["new_value"]) == ("price_per_share", "10.00", "20.00")


@pytest.mark.parametrize(
    "changes",
    [{"price_per_share": "1e30"}, {"use_of_funds": [{"category": "everything", "amount": "1e30"}]}],
    ids=["price", "use-of-funds-amount"],
)
def test_a_change_to_an_absurdly_large_amount_is_a_validation_error(managed_offering, changes):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(managed_offering.issuer.owner)
    before = offering_snapshot(managed_offering)

    response = client.post(url(managed_offering), {"title": "Huge", "body": "x", "changes": changes}, format="json")

    assert offering_snapshot(managed_offering) == before
    assert_nothing_posted()
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_news_without_changed_terms_can_be_posted_after_the_offering_closed(api_client):
    offering = OfferingFactory(
        status=OfferingStatus.CLOSED,
        opens_at=timezone.now() - dt.timedelta(days=60),
        closes_at=timezone.now() - dt.timedelta(days=30),
    )
    api_client.force_authenticate(offering.issuer.owner)

    response = api_client.post(url(offering), {"title": "Q3 results", "body": "Revenue up 12%."}, format="json")

    assert response.status_code == 201, response.json()
    assert OfferingUpdate.objects.filter(offering=offering, title="Q3 results").exists()
