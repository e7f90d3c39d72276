"""API tokens: each login makes one, they expire, a new password or a logout revokes them, and the owner lists and
revokes them under me/tokens/."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD, InvestorFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
TOKENS = "/api/v1/me/tokens/"


def log_in(api_client, user) -> str:
    response = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def me(api_client, key: str):
    return api_client.get(ME, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def user():
    return InvestorFactory()


def test_each_login_makes_a_token_and_every_one_works(api_client, user):
    first, second = log_in(api_client, user), log_in(api_client, user)

    assert first != second
    assert me(api_client, first).status_code == 200
    assert me(api_client, second).status_code == 200


def test_only_a_hash_of_the_key_is_stored(api_client, user):
    key = log_in(api_client, user)

    stored = ApiToken.objects.values().get()
    assert key not in str(stored)


def test_token_expires_after_the_configured_time(api_client, user, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    key = log_in(api_client, user)

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, seconds=1)):
        expired = me(api_client, key)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=59)):
        alive = me(api_client, key)

    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "authentication_failed"
    assert alive.status_code == 200


def test_password_reset_revokes_every_token(api_client, client, user, mailoutbox):
    key = log_in(api_client, user)
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(form, {"new_password1": "Amber-harbour-5531", "new_password2": "Amber-harbour-5531"})

    assert me(api_client, key).status_code == 401


def test_password_change_revokes_every_token(api_client, user):
    key = log_in(api_client, user)

    user.set_password("Amber-harbour-5531")
    user.save()

    assert me(api_client, key).status_code == 401
    assert api_client.get(TOKENS, HTTP_AUTHORIZATION=f"Token {log_in_with(api_client, user)}").json()["count"] == 1


def log_in_with(api_client, user, password="Amber-harbour-5531") -> str:
    return api_client.post(TOKEN, {"username": user.username, "password": password}, format="json").json()["token"]


def test_logout_revokes_the_token_used_and_leaves_the_others(api_client, user):
    used, other = log_in(api_client, user), log_in(api_client, user)

    response = api_client.post(LOGOUT, HTTP_AUTHORIZATION=f"Token {used}")

    assert response.status_code == 204
    assert me(api_client, used).status_code == 401
    assert me(api_client, other).status_code == 200


def test_owner_lists_their_tokens_without_the_keys(api_client, user):
    first, second = log_in(api_client, user), log_in(api_client, user)
    log_in(api_client, InvestorFactory())

    body = api_client.get(TOKENS, HTTP_AUTHORIZATION=f"Token {second}").json()

    assert body["count"] == 2
    assert {row["current"] for row in body["results"]} == {True, False}
    assert set(body["results"][0]) == {"id", "prefix", "created_at", "expires_at", "current"}
    assert first not in str(body) and second not in str(body)
    assert {row["prefix"] for row in body["results"]} == {first[:8], second[:8]}


def test_owner_revokes_one_token(api_client, user):
    keep, revoke = log_in(api_client, user), log_in(api_client, user)
    target = next(
        row["id"]
        for row in api_client.get(TOKENS, HTTP_AUTHORIZATION=f"Token {keep}").json()["results"]
        if row["prefix"] == revoke[:8]
    )

    response = api_client.delete(f"{TOKENS}{target}/", HTTP_AUTHORIZATION=f"Token {keep}")

    assert response.status_code == 204
    assert me(api_client, revoke).status_code == 401
    assert me(api_client, keep).status_code == 200


def test_nobody_revokes_another_users_token(api_client, user):
    victim_key = log_in(api_client, user)
    victim_token = ApiToken.objects.get(user=user)
    attacker_key = log_in(api_client, InvestorFactory())

    response = api_client.delete(f"{TOKENS}{victim_token.pk}/", HTTP_AUTHORIZATION=f"Token {attacker_key}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert me(api_client, victim_key).status_code == 200


def test_schema_documents_the_token_endpoints(api_client):
    import yaml

    paths = yaml.safe_load(api_client.get("/api/v1/schema/").content)["paths"]

    assert "get" in paths["/api/v1/me/tokens/"]
    assert {"204", "404"} <= set(paths["/api/v1/me/tokens/{id}/"]["delete"]["responses"])
    assert "204" in paths["/api/v1/auth/logout/"]["post"]["responses"]
