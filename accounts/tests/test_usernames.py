"""Usernames are compared as people read them: compatibility forms (full-width letters) and case do not make a new
name, on the API and the web form, and logging in with such a spelling finds the one account."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, InvestorFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
LOOK_ALIKES = ["ａｄｍｉｎ", "ＡＤＭＩＮ", "Admin", "ａdmin"]


def registration(username: str) -> dict:
    return {"username": username, "email": "other@example.com", "password": "Quiet-river-2719", "role": "investor"}


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_api_refuses_a_look_alike_of_a_taken_username(api_client, english, look_alike):
    InvestorFactory(username="admin")

    response = api_client.post(REGISTER, registration(look_alike), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["username"] == ["This username is taken."]
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_web_form_refuses_a_look_alike_of_a_taken_username(client, look_alike):
    InvestorFactory(username="admin")
    form = registration(look_alike) | {"password_confirm": "Quiet-river-2719"}

    response = client.post(reverse("accounts:register"), form)

    assert "This username is taken." in response.context["form"].errors["username"]
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]
    assert "_auth_user_id" not in client.session


def test_full_width_username_is_stored_in_its_normal_form(api_client):
    response = api_client.post(REGISTER, registration("ｌｉｈｕａ"), format="json")

    assert response.status_code == 201
    assert response.json()["username"] == "lihua"
    assert User.objects.get().username == "lihua"


def test_database_refuses_two_usernames_differing_only_in_case():
    from django.db import IntegrityError, transaction

    InvestorFactory(username="admin")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvestorFactory(username="ADMIN")


@pytest.mark.parametrize("spelling", ["ａｄｍｉｎ", "ADMIN"])
def test_api_login_accepts_another_spelling_of_the_username(api_client, spelling):
    user = InvestorFactory(username="admin")

    response = api_client.post(TOKEN, {"username": spelling, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}").json()["id"] == user.pk


def test_web_login_accepts_the_full_width_spelling(client):
    user = InvestorFactory(username="admin")

    client.post(reverse("accounts:login"), {"username": "ａｄｍｉｎ", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_failed_logins_count_against_one_username_whatever_its_spelling(api_client):
    user = InvestorFactory(username="admin")
    spellings = ["admin", "ADMIN", "ａｄｍｉｎ", "Admin", "aDmin"][: settings.AXES_FAILURE_LIMIT]
    for spelling in spellings:
        api_client.post(TOKEN, {"username": spelling, "password": "not-the-password"}, format="json")

    response = api_client.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 429
