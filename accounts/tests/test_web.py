"""Registering, logging in and out, and resetting a password on the web pages."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, IssuerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def registration(**overrides):
    return {
        "username": "lihua",
        "email": "lihua@example.com",
        "role": "investor",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    } | overrides


def test_new_investor_registers_is_logged_in_and_sent_to_kyc(client):
    response = client.post(reverse("accounts:register"), registration(), follow=True)

    user = User.objects.get(username="lihua")
    assert user.role == Role.INVESTOR
    assert response.redirect_chain[-1][0] == reverse("investors:kyc")
    assert response.context["user"] == user
    assertContains(response, "Welcome to Michou.")


def test_new_issuer_is_sent_to_register_a_company(client):
    response = client.post(reverse("accounts:register"), registration(role="issuer"))

    assert response.url == reverse("projects:issuer_create")
    assert User.objects.get(username="lihua").role == Role.ISSUER


def test_a_common_password_is_refused_with_the_validators_message_and_no_account_is_made(client):
    response = client.post(
        reverse("accounts:register"), registration(password="password123", password_confirm="password123")
    )

    assert "This password is too common." in response.context["form"].errors["password"]
    assertContains(response, "This password is too common.")
    assert not User.objects.filter(username="lihua").exists()
    assert "_auth_user_id" not in client.session


def test_a_taken_username_is_refused(client):
    UserFactory(username="lihua")

    response = client.post(reverse("accounts:register"), registration(email="other@example.com"))

    assertContains(response, "This username is taken.")
    assert User.objects.filter(username="lihua").count() == 1
    assert not User.objects.filter(email="other@example.com").exists()
    assert "_auth_user_id" not in client.session


def test_user_logs_in_and_out(client):
    user = IssuerUserFactory()

    logged_in = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert logged_in.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_login_with_a_429_page(client):
    user = UserFactory()
    wrong = {"username": user.username, "password": "not-the-password"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assertContains(client.post(reverse("accounts:login"), wrong), "Please enter a correct username and password")

    locked = client.post(reverse("accounts:login"), wrong)

    assert locked.status_code == 429
    assertContains(locked, "Too many failed logins. Try again later.", status_code=429)
    still_locked = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_sets_a_new_password(client, mailoutbox):
    user = UserFactory(email="lihua@example.com")

    sent = client.post(reverse("accounts:password_reset"), {"email": "lihua@example.com"}, follow=True)

    assertContains(sent, "Check your email")
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "Amber-harbour-5531"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assertContains(done, "Your new password is saved.")
    user.refresh_from_db()
    assert user.check_password(new_password)
