"""What one issuer types cannot break the platform for everybody: dates stay in a sane window, single-line fields
hold one line, free text has a length limit, and an offering's page shows its updates a page at a time."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import SuperuserFactory
from projects.models import Issuer, Offering, OfferingUpdate
from projects.tests.factories import (
    IssuerFactory,
    OfferingFactory,
    assert_nothing_posted,
    company_fields,
    live_offering,
    offering_payload,
    offering_snapshot,
)
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

OFFERINGS = "/api/v1/offerings/"
YEAR_10000 = "9999-12-31T23:59:59-12:00"


def updates_url(managed_offering):
    return f"{OFFERINGS}{managed_offering.pk}/updates/"


@pytest.fixture
def managed_offering(api_client):
    running = live_offering()
    api_client.force_authenticate(running.issuer.owner)
    return running


# Dates -------------------------------------------------------------------------------------------------------------


def test_update_moving_the_deadline_past_year_9999_is_refused_and_the_site_still_lists_the_offering(
    api_client, client, managed_offering
):
    before = offering_snapshot(managed_offering)

    response = api_client.post(
        updates_url(managed_offering),
        {"title": "Forever", "body": "Never closes.", "changes": {"closes_at": YEAR_10000}},
        format="json",
    )

    assert_validation_error(response, "closes_at")
    assert offering_snapshot(managed_offering) == before
    assert_nothing_posted()
    assert client.get("/").status_code == 200
    assert client.get("/offerings/").status_code == 200
    assert api_client.get(OFFERINGS).status_code == 200


def test_update_moving_the_deadline_beyond_the_longest_window_is_refused(api_client, managed_offering, settings):
    settings.OFFERING_MAX_OPEN_DAYS = 90
    too_late = managed_offering.opens_at + dt.timedelta(days=90, minutes=1)
    before = offering_snapshot(managed_offering)

    response = api_client.post(
        updates_url(managed_offering),
        {"title": "Later", "body": "x", "changes": {"closes_at": too_late.isoformat()}},
        format="json",
    )

    assert_validation_error(response, "closes_at")
    assert offering_snapshot(managed_offering) == before
    assert_nothing_posted()


def test_update_moving_the_deadline_to_the_end_of_the_longest_window_is_accepted(
    api_client, managed_offering, settings
):
    settings.OFFERING_MAX_OPEN_DAYS = 90
    last = (managed_offering.opens_at + dt.timedelta(days=90)).replace(microsecond=0)

    response = api_client.post(
        updates_url(managed_offering),
        {"title": "Later", "body": "x", "changes": {"closes_at": last.isoformat()}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    managed_offering.refresh_from_db()
    assert managed_offering.closes_at == last


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        (lambda now: {"opens_at": now + dt.timedelta(days=1), "closes_at": now + dt.timedelta(days=400)}, "closes_at"),
        (lambda now: {"opens_at": now + dt.timedelta(days=400), "closes_at": now + dt.timedelta(days=430)}, "opens_at"),
        (
            lambda now: {"opens_at": now + dt.timedelta(days=1), "closes_at": dt.datetime.fromisoformat(YEAR_10000)},
            "closes_at",
        ),
    ],
    ids=["open-too-long", "opens-too-far-ahead", "year-10000"],
)
def test_offering_created_with_dates_outside_the_window_is_refused(api_client, issuer, dates, field):
    payload = offering_payload(issuer) | {key: value.isoformat() for key, value in dates(timezone.now()).items()}

    response = api_client.post(OFFERINGS, payload, format="json")

    assert_validation_error(response, field)
    assert Offering.objects.count() == 0


def test_draft_edited_to_a_deadline_outside_the_window_is_refused(api_client, issuer):
    draft = OfferingFactory(issuer=issuer)
    before = offering_snapshot(draft)

    response = api_client.patch(f"{OFFERINGS}{draft.pk}/", {"closes_at": YEAR_10000}, format="json")

    assert_validation_error(response, "closes_at")
    assert offering_snapshot(draft) == before


def test_web_form_refuses_a_deadline_outside_the_window(client):
    company = IssuerFactory()
    client.force_login(company.owner)
    opens = timezone.localtime() + dt.timedelta(days=1)
    form = {
        "title": "Lantern",
        "summary": "s",
        "security": "new_shares",
        "price_per_share": "10.00",
        "pre_money_valuation": "20000000.00",
        "target_amount": "1000000.00",
        "max_amount": "1500000.00",
        "min_investment": "1000.00",
        "risk_factors": "r",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": "9999-12-31T23:59",
        "use_of_funds-TOTAL_FORMS": "1",
        "use_of_funds-INITIAL_FORMS": "0",
        "use_of_funds-0-category": "all",
        "use_of_funds-0-amount": "1000000.00",
        "announced_commitments-TOTAL_FORMS": "0",
        "announced_commitments-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("projects:offering_create", args=[company.pk]), form)

    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert Offering.objects.count() == 0


@pytest.mark.parametrize("founded_on", ["1899-12-31", "0001-01-01"])
def test_company_founded_before_1900_is_refused(api_client, founded_on):
    from accounts.tests.factories import IssuerUserFactory

    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post("/api/v1/issuers/", company_fields(founded_on=founded_on), format="json")

    assert_validation_error(response, "founded_on")
    assert Issuer.objects.count() == 0


def test_admin_cannot_give_a_company_a_founding_date_outside_the_window(client):
    client.force_login(SuperuserFactory())
    company = IssuerFactory()
    url = reverse("admin:projects_issuer_change", args=[company.pk])
    form = {
        "legal_name": company.legal_name,
        "industry": company.industry,
        "founded_on": "1066-10-14",
        "description": company.description,
        "website": "",
        "platform_stake_pct": "0",
        "related_party_note": "",
    }

    response = client.post(url, form)

    assert response.status_code == 200
    assert "founded_on" in response.context["adminform"].form.errors
    company.refresh_from_db()
    assert company.founded_on == dt.date(2015, 3, 1)


# Single-line fields -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Seed\nround", "Seed\r\nBcc: x@example.com", "Seed\tround", "Seed\u2028round"])
def test_update_title_with_a_control_character_is_refused(api_client, managed_offering, title):
    response = api_client.post(updates_url(managed_offering), {"title": title, "body": "News."}, format="json")

    assert_validation_error(response, "title")
    assert_nothing_posted()


def test_offering_title_with_a_newline_is_refused(api_client, issuer):
    response = api_client.post(OFFERINGS, offering_payload(issuer, title="Seed\nround"), format="json")

    assert_validation_error(response, "title")
    assert Offering.objects.count() == 0


@pytest.mark.parametrize("field", ["legal_name", "industry"])
def test_company_name_or_industry_with_a_newline_is_refused(api_client, field):
    from accounts.tests.factories import IssuerUserFactory

    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post("/api/v1/issuers/", company_fields(**{field: "Lantern\nLtd"}), format="json")

    assert_validation_error(response, field)
    assert Issuer.objects.count() == 0


def test_use_of_funds_category_with_a_newline_is_refused(api_client, issuer):
    uses = [
        {"category": "product\ndevelopment", "amount": "600000.00"},
        {"category": "marketing", "amount": "400000.00"},
    ]

    response = api_client.post(OFFERINGS, offering_payload(issuer, use_of_funds=uses), format="json")

    assert_validation_error(response, "use_of_funds.0.category")
    assert Offering.objects.count() == 0


def test_web_update_form_refuses_a_title_with_a_newline(client):
    running = live_offering()
    client.force_login(running.issuer.owner)

    response = client.post(
        reverse("projects:offering_update_post", args=[running.pk]), {"title": "New\nterms", "body": "x"}
    )

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert_nothing_posted()


def test_multi_line_text_keeps_its_line_breaks(api_client, managed_offering):
    response = api_client.post(
        updates_url(managed_offering), {"title": "News", "body": "Line one.\nLine two."}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert OfferingUpdate.objects.get().body == "Line one.\nLine two."


# Length limits ----------------------------------------------------------------------------------------------------


def test_a_two_megabyte_update_is_refused(api_client, managed_offering):
    response = api_client.post(
        updates_url(managed_offering), {"title": "Essay", "body": "x" * 2_000_000}, format="json"
    )

    assert_validation_error(response, "body")
    assert_nothing_posted()


def test_update_body_at_the_limit_is_accepted_and_one_over_is_refused(api_client, managed_offering, settings):
    settings.FREE_TEXT_MAX_CHARS = 50

    accepted = api_client.post(updates_url(managed_offering), {"title": "At", "body": "x" * 50}, format="json")
    refused = api_client.post(updates_url(managed_offering), {"title": "Over", "body": "x" * 51}, format="json")

    assert accepted.status_code == 201, accepted.json()
    assert_validation_error(refused, "body")
    assert list(OfferingUpdate.objects.values_list("title", flat=True)) == ["At"]


@pytest.mark.parametrize("field", ["summary", "risk_factors"])
def test_offering_text_over_the_limit_is_refused(api_client, issuer, settings, field):
    settings.FREE_TEXT_MAX_CHARS = 50

    response = api_client.post(OFFERINGS, offering_payload(issuer, **{field: "x" * 51}), format="json")

    assert_validation_error(response, field)
    assert Offering.objects.count() == 0


@pytest.mark.parametrize("field", ["description", "related_party_note"])
def test_company_text_over_the_limit_is_refused(api_client, settings, field):
    from accounts.tests.factories import IssuerUserFactory

    settings.FREE_TEXT_MAX_CHARS = 50
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post("/api/v1/issuers/", company_fields(**{field: "x" * 51}), format="json")

    assert_validation_error(response, field)
    assert Issuer.objects.count() == 0


def test_web_update_form_refuses_a_body_over_the_limit(client, settings):
    settings.FREE_TEXT_MAX_CHARS = 50
    running = live_offering()
    client.force_login(running.issuer.owner)

    response = client.post(
        reverse("projects:offering_update_post", args=[running.pk]), {"title": "T", "body": "x" * 51}
    )

    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert_nothing_posted()


# Paginated updates ------------------------------------------------------------------------------------------------


def test_offering_page_shows_its_updates_a_page_at_a_time(client):
    running = live_offering()
    start = timezone.now() - dt.timedelta(days=1)
    for number in range(25):
        OfferingUpdate.objects.create(
            offering=running,
            title=f"Update number {number:02d}",
            body="x",
            posted_by=running.issuer.owner,
            posted_at=start + dt.timedelta(minutes=number),
        )

    first = client.get(reverse("projects:offering_detail", args=[running.pk]))
    last = client.get(reverse("projects:offering_detail", args=[running.pk]), {"updates_page": 3})

    assertContains(first, "Update number 24")
    assertContains(first, "Update number 15")
    assertNotContains(first, "Update number 14")
    assertContains(first, "updates_page=2")
    assertContains(last, "Update number 00")
    assertNotContains(last, "Update number 05")
