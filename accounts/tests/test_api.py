"""Accounts over the REST API: registering, getting a token (with lockout after repeated failures), and `me/`."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from accounts.models import ApiToken, User
from accounts.tests.factories import PASSWORD, InvestorFactory, IssuerUserFactory, StaffFactory
from accounts.tokens import key_digest
from investors.tests.factories import KycProfileFactory, SuitabilityAssessmentFactory
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def registration(**overrides):
    return {
        "username": "lihua",
        "email": "lihua@example.com",
        "password": "Quiet-river-2719",
        "role": "investor",
    } | overrides


# Register -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["investor", "issuer"])
def test_register_creates_the_account_and_answers_with_its_token(api_client, role):
    response = api_client.post(REGISTER, registration(role=role), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "username", "role", "token"}
    user = User.objects.get(pk=body["id"])
    assert (user.username, user.role, user.email) == ("lihua", role, "lihua@example.com")
    assert body["username"] == "lihua" and body["role"] == role
    assert ApiToken.objects.get(user=user).digest == key_digest(body["token"])
    assert user.check_password("Quiet-river-2719")
    assert not user.is_staff


def test_registered_token_authenticates_later_requests(api_client):
    token = api_client.post(REGISTER, registration(), format="json").json()["token"]

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response.json()["username"] == "lihua"


@pytest.mark.parametrize(
    "password",
    ["short1A!", "password123", "83920174650", "lihua-lihua"],
    ids=["too-short", "common", "numeric", "like-username"],
)
def test_register_with_a_weak_password_is_refused(api_client, password):
    response = api_client.post(REGISTER, registration(password=password, username="lihua-lihua"), format="json")

    assert_validation_error(response, "password")
    assert User.objects.count() == 0
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("taken", ["lihua", "LiHua"])
def test_register_with_a_taken_username_is_refused_whatever_its_case(api_client, taken):
    existing = InvestorFactory(username=taken)

    response = api_client.post(REGISTER, registration(username="lihua"), format="json")

    assert_validation_error(response, "username")
    assert list(User.objects.all()) == [existing]
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("role", ["staff", "admin", "", "INVESTOR"])
def test_register_with_a_role_other_than_investor_or_issuer_is_refused(api_client, role):
    response = api_client.post(REGISTER, registration(role=role), format="json")

    assert_validation_error(response, "role")
    assert User.objects.count() == 0


def test_register_reports_every_missing_field_at_once(api_client):
    response = api_client.post(REGISTER, {}, format="json")

    assert_validation_error(response, "username", "email", "password", "role")
    assert User.objects.count() == 0


def test_register_with_a_malformed_email_is_refused(api_client):
    response = api_client.post(REGISTER, registration(email="not-an-address"), format="json")

    assert_validation_error(response, "email")
    assert User.objects.count() == 0


def test_register_cannot_make_a_staff_user(api_client):
    response = api_client.post(REGISTER, registration(is_staff=True, is_superuser=True), format="json")

    assert response.status_code == 201
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser


# Token ----------------------------------------------------------------------------------------------------------


def test_token_for_right_credentials_is_a_new_token_of_the_user(api_client):
    user = InvestorFactory()

    response = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    assert ApiToken.objects.get(user=user).digest == key_digest(response.json()["token"])


@pytest.mark.parametrize("username_known", [True, False], ids=["wrong-password", "unknown-user"])
def test_token_for_wrong_credentials_is_refused_with_invalid_credentials(api_client, username_known):
    user = InvestorFactory()
    username = user.username if username_known else "nobody"

    response = api_client.post(TOKEN, {"username": username, "password": "not-the-password"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "fields" not in response.json()["error"]
    assert ApiToken.objects.count() == 0


def test_token_without_a_password_is_a_validation_error(api_client):
    response = api_client.post(TOKEN, {"username": "someone"}, format="json")

    assert_validation_error(response, "password")


def test_token_for_an_inactive_user_is_refused(api_client):
    user = InvestorFactory(is_active=False)

    response = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


def test_token_after_the_failure_limit_is_throttled_even_with_the_right_password(api_client):
    user = InvestorFactory()
    wrong = {"username": user.username, "password": "not-the-password"}
    limit = settings.AXES_FAILURE_LIMIT

    before_limit = [api_client.post(TOKEN, wrong, format="json").status_code for _ in range(limit - 1)]
    at_limit = api_client.post(TOKEN, wrong, format="json")
    right = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert before_limit == [400] * (limit - 1)
    assert at_limit.status_code == 429
    assert right.status_code == 429
    assert right.json() == {"error": {"code": "throttled", "message": right.json()["error"]["message"]}}
    assert right.json()["error"]["message"]
    assert ApiToken.objects.count() == 0


def test_token_failures_below_the_limit_do_not_lock(api_client):
    user = InvestorFactory()
    wrong = {"username": user.username, "password": "not-the-password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api_client.post(TOKEN, wrong, format="json")

    response = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    assert ApiToken.objects.get(user=user).digest == key_digest(response.json()["token"])


def test_token_success_resets_the_failure_count(api_client):
    user = InvestorFactory()
    wrong = {"username": user.username, "password": "not-the-password"}
    right = {"username": user.username, "password": PASSWORD}
    limit = settings.AXES_FAILURE_LIMIT

    for _ in range(limit - 1):
        api_client.post(TOKEN, wrong, format="json")
    success = api_client.post(TOKEN, right, format="json")
    for _ in range(limit - 1):
        api_client.post(TOKEN, wrong, format="json")
    after_reset = api_client.post(TOKEN, right, format="json")

    assert success.status_code == 200
    assert after_reset.status_code == 200


def test_token_lockout_of_one_username_leaves_other_users_alone(api_client):
    locked, other = InvestorFactory(), InvestorFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN, {"username": locked.username, "password": "nope"}, format="json")

    response = api_client.post(TOKEN, {"username": other.username, "password": PASSWORD}, format="json")

    assert AccessAttempt.objects.filter(username=locked.username).exists()
    assert response.status_code == 200


# me/ ------------------------------------------------------------------------------------------------------------


def test_me_for_a_new_investor_shows_kyc_not_submitted_and_no_risk_level(api_client):
    user = InvestorFactory()
    api_client.force_authenticate(user)

    response = api_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "role": "investor",
        "is_staff": False,
        "kyc_status": "not_submitted",
        "qualified": False,
        "risk_level": None,
    }


def test_me_shows_kyc_status_qualification_and_latest_risk_level(api_client):
    user = InvestorFactory()
    KycProfileFactory(user=user, status="verified", qualified=True)
    SuitabilityAssessmentFactory(user=user, risk_level="C5", score=36)
    api_client.force_authenticate(user)

    body = api_client.get(ME).json()

    assert (body["kyc_status"], body["qualified"], body["risk_level"]) == ("verified", True, "C5")


def test_me_for_issuer_and_staff_shows_their_role_and_staff_flag(api_client):
    issuer, staff = IssuerUserFactory(), StaffFactory()

    api_client.force_authenticate(issuer)
    issuer_body = api_client.get(ME).json()
    api_client.force_authenticate(staff)
    staff_body = api_client.get(ME).json()

    assert (issuer_body["role"], issuer_body["is_staff"]) == ("issuer", False)
    assert (staff_body["id"], staff_body["is_staff"]) == (staff.pk, True)
    assert set(staff_body) == {"id", "username", "role", "is_staff", "kyc_status", "qualified", "risk_level"}


def test_me_without_authentication_is_refused_with_the_contract_error_body(api_client):
    response = api_client.get(ME)

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "not_authenticated"), ({"HTTP_AUTHORIZATION": f"Token {'0' * 40}"}, "authentication_failed")],
    ids=["no-credentials", "unknown-token"],
)
def test_me_without_valid_authentication_answers_401(api_client, headers, code):
    response = api_client.get(ME, **headers)

    assert response.json()["error"]["code"] == code
    assert response.status_code == 401


def test_me_with_an_unknown_token_is_refused_with_authentication_failed(api_client):
    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {'0' * 40}")

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "username" not in response.json()


@pytest.mark.parametrize("username", ["li hua", "li/hua", "<b>lihua</b>"])
def test_register_with_characters_a_username_cannot_have_is_refused(api_client, username):
    response = api_client.post(REGISTER, registration(username=username), format="json")

    assert User.objects.count() == 0
    assert_validation_error(response, "username")
