"""Registering companies over the API: every check of the input, who may register, and who sees which company."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, StaffFactory, SuperuserFactory, SupportFactory
from projects.models import Issuer
from projects.tests.factories import VALID_USCC, IssuerFactory, company_fields, make_uscc, with_wrong_check_digit
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

ISSUERS = "/api/v1/issuers/"


def company(**overrides):
    return company_fields(related_to_platform=False) | overrides


@pytest.fixture
def issuer_user(api_client):
    user = IssuerUserFactory()
    api_client.force_authenticate(user)
    return user


def test_issuer_registers_a_company_it_then_owns(api_client, issuer_user):
    response = api_client.post(ISSUERS, company(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    issuer = Issuer.objects.get(pk=body["id"])
    assert issuer.owner == issuer_user
    assert body["uscc"] == VALID_USCC
    assert body["platform_stake_pct"] == "0.00"
    assert body["related_to_platform"] is False
    assert body["founded_on"] == "2016-04-01"


def test_credit_code_is_stored_in_upper_case(api_client, issuer_user):
    response = api_client.post(ISSUERS, company(uscc=VALID_USCC.lower()), format="json")

    assert response.status_code == 201
    assert Issuer.objects.get().uscc == VALID_USCC


@pytest.mark.parametrize(
    "uscc",
    [
        with_wrong_check_digit(VALID_USCC),
        VALID_USCC[:-1],
        VALID_USCC + "1",
        "9111010",
        "A1110105FD91AAYF5A",
        "91110105FD91AAYFIA",
        "",
    ],
    ids=["wrong-check-digit", "17-chars", "19-chars", "short", "letter-in-region", "forbidden-letter", "empty"],
)
def test_invalid_credit_code_is_a_field_error_on_uscc(api_client, issuer_user, uscc):
    response = api_client.post(ISSUERS, company(uscc=uscc), format="json")

    assert_validation_error(response, "uscc")
    assert Issuer.objects.count() == 0


def test_wrong_check_digit_message_says_so_in_the_requests_language(api_client, issuer_user):
    response = api_client.post(
        ISSUERS, company(uscc=with_wrong_check_digit(VALID_USCC)), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "check digit" in response.json()["error"]["fields"]["uscc"][0]


@pytest.mark.parametrize("spelling", [VALID_USCC, VALID_USCC.lower()])
def test_credit_code_already_registered_is_refused(api_client, issuer_user, spelling):
    existing = IssuerFactory(uscc=VALID_USCC)

    response = api_client.post(ISSUERS, company(uscc=spelling), format="json")

    assert_validation_error(response, "uscc")
    assert list(Issuer.objects.all()) == [existing]


@pytest.mark.parametrize("stake", ["-0.01", "100.01", "150", "-5"])
def test_platform_stake_outside_0_to_100_is_refused(api_client, issuer_user, stake):
    response = api_client.post(ISSUERS, company(platform_stake_pct=stake, related_to_platform=True), format="json")

    assert_validation_error(response, "platform_stake_pct")
    assert Issuer.objects.count() == 0


@pytest.mark.parametrize("stake", ["0", "100", "12.50"])
def test_platform_stake_from_0_to_100_is_accepted(api_client, issuer_user, stake):
    response = api_client.post(
        ISSUERS,
        company(platform_stake_pct=stake, related_to_platform=stake != "0", related_party_note="group fund"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Issuer.objects.get().platform_stake_pct == Decimal(stake)


def test_platform_stake_without_explanation_is_refused(api_client, issuer_user):
    response = api_client.post(
        ISSUERS, company(platform_stake_pct="5", related_to_platform=False, related_party_note=""), format="json"
    )

    assert_validation_error(response, "related_party_note")
    assert Issuer.objects.count() == 0


def test_founding_date_in_the_future_is_refused(api_client, issuer_user):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = api_client.post(ISSUERS, company(founded_on=tomorrow.isoformat()), format="json")

    assert_validation_error(response, "founded_on")
    assert Issuer.objects.count() == 0


def test_founding_date_today_is_accepted(api_client, issuer_user):
    response = api_client.post(ISSUERS, company(founded_on=timezone.localdate().isoformat()), format="json")

    assert response.status_code == 201, response.json()
    assert Issuer.objects.get().founded_on == timezone.localdate()


def test_missing_required_fields_are_each_reported(api_client, issuer_user):
    response = api_client.post(ISSUERS, {}, format="json")

    assert_validation_error(response, "legal_name", "uscc", "industry", "founded_on", "description")
    assert Issuer.objects.count() == 0


def test_blank_text_fields_are_refused(api_client, issuer_user):
    response = api_client.post(ISSUERS, company(legal_name="   ", description=" "), format="json")

    assert_validation_error(response, "legal_name", "description")
    assert Issuer.objects.count() == 0


def test_investor_cannot_register_a_company(api_client):
    api_client.force_authenticate(InvestorFactory())

    response = api_client.post(ISSUERS, company(), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Issuer.objects.count() == 0


def test_anonymous_cannot_register_a_company(api_client):
    response = api_client.post(ISSUERS, company(), format="json")

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert Issuer.objects.count() == 0


@pytest.mark.parametrize("staff_factory", [StaffFactory, SuperuserFactory])
def test_staff_cannot_register_a_company_as_its_issuer(api_client, staff_factory):
    api_client.force_authenticate(staff_factory())

    response = api_client.post(ISSUERS, company(), format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert Issuer.objects.count() == 0


# Who sees which company -------------------------------------------------------------------------------------------


def test_issuer_lists_only_its_own_companies(api_client, issuer_user):
    mine = IssuerFactory(owner=issuer_user)
    IssuerFactory()

    body = api_client.get(ISSUERS).json()

    assert body["count"] == 1
    assert [item["id"] for item in body["results"]] == [mine.pk]


def test_issuer_gets_404_for_another_issuers_company(api_client, issuer_user):
    other = IssuerFactory()

    response = api_client.get(f"{ISSUERS}{other.pk}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_issuer_sees_its_own_company_in_detail(api_client, issuer_user):
    mine = IssuerFactory(owner=issuer_user)

    response = api_client.get(f"{ISSUERS}{mine.pk}/")

    assert response.status_code == 200
    assert response.json()["uscc"] == mine.uscc


def test_investor_sees_no_company_through_the_issuers_endpoint(api_client):
    company_ = IssuerFactory()
    api_client.force_authenticate(InvestorFactory())

    listed = api_client.get(ISSUERS).json()
    detail = api_client.get(f"{ISSUERS}{company_.pk}/")

    assert listed["count"] == 0
    assert detail.status_code == 404


def test_staff_whose_role_reads_companies_see_every_company(api_client):
    first, second = IssuerFactory(), IssuerFactory()
    api_client.force_authenticate(SupportFactory())

    body = api_client.get(ISSUERS).json()
    detail = api_client.get(f"{ISSUERS}{second.pk}/")

    assert {item["id"] for item in body["results"]} == {first.pk, second.pk}
    assert detail.status_code == 200


def test_staff_without_a_role_see_no_company(api_client):
    company = IssuerFactory()
    api_client.force_authenticate(StaffFactory())

    assert api_client.get(ISSUERS).json()["count"] == 0
    assert api_client.get(f"{ISSUERS}{company.pk}/").status_code == 404


def test_company_list_is_paginated(api_client, issuer_user):
    IssuerFactory.create_batch(3, owner=issuer_user)

    body = api_client.get(ISSUERS).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None


def test_generated_credit_codes_are_valid_and_accepted(api_client, issuer_user):
    response = api_client.post(ISSUERS, company(uscc=make_uscc(424242)), format="json")

    assert response.status_code == 201, response.json()
    assert Issuer.objects.get().uscc == make_uscc(424242)
