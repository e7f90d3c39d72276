"""Rate limits beyond django-axes' (username, address) lockout: logins per username from any address, logins per
address for any username, registrations per address and subscription attempts per user, each answered with the
contract's 429 `throttled`, on the API and the web pages."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, User
from accounts.tests.factories import PASSWORD, InvestorFactory
from investors.models import Subscription

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"
SUBSCRIPTIONS = "/api/v1/subscriptions/"


@pytest.fixture
def rates(settings):
    """Set some throttle rates for one test (the others keep their configured values)."""

    def set_rates(**rates: str) -> None:
        configured = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = configured | {"DEFAULT_THROTTLE_RATES": configured["DEFAULT_THROTTLE_RATES"] | rates}

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["message"]


def attempt(api_client, username, password, address):
    return api_client.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def test_logins_for_one_username_from_many_addresses_are_throttled(api_client, rates):
    rates(login_username="3/hour")
    user = InvestorFactory()
    failures = [attempt(api_client, user.username, "wrong-password", f"10.0.0.{n}").status_code for n in range(3)]

    response = attempt(api_client, user.username, PASSWORD, "10.0.0.99")

    assert failures == [400, 400, 400]
    assert_throttled(response)
    assert not ApiToken.objects.exists()


def test_username_limit_counts_every_spelling_of_the_username(api_client, rates):
    rates(login_username="2/hour")
    user = InvestorFactory(username="admin")
    attempt(api_client, "admin", "wrong-password", "10.0.0.1")
    attempt(api_client, "ＡＤＭＩＮ", "wrong-password", "10.0.0.2")

    assert_throttled(attempt(api_client, user.username, PASSWORD, "10.0.0.3"))


def test_username_limit_leaves_other_usernames_alone(api_client, rates):
    rates(login_username="2/hour")
    locked, other = InvestorFactory(), InvestorFactory()
    for n in range(3):
        attempt(api_client, locked.username, "wrong-password", f"10.0.0.{n}")

    assert attempt(api_client, other.username, PASSWORD, "10.0.0.1").status_code == 200


def test_logins_from_one_address_for_many_usernames_are_throttled(api_client, rates):
    rates(login_address="3/hour")
    user = InvestorFactory()
    for n in range(3):
        attempt(api_client, f"nobody{n}", "wrong-password", "10.0.0.7")

    assert_throttled(attempt(api_client, user.username, PASSWORD, "10.0.0.7"))
    assert attempt(api_client, user.username, PASSWORD, "10.0.0.8").status_code == 200


def test_forwarded_for_header_does_not_give_a_fresh_address(api_client, rates):
    rates(login_address="2/hour")
    for n in range(2):
        api_client.post(
            TOKEN, {"username": f"nobody{n}", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )

    response = api_client.post(
        TOKEN, {"username": "nobody9", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="192.0.2.9"
    )

    assert_throttled(response)


def test_web_login_is_throttled_per_username(client, rates):
    rates(login_username="2/hour")
    user = InvestorFactory()
    for n in range(2):
        client.post(
            reverse("accounts:login"), {"username": user.username, "password": "wrong"}, REMOTE_ADDR=f"10.1.0.{n}"
        )

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.1.0.9"
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def registration(n: int) -> dict:
    return {
        "username": f"newcomer{n}",
        "email": f"n{n}@example.com",
        "password": "Quiet-river-2719",
        "role": "investor",
    }


def test_registrations_from_one_address_are_throttled(api_client, rates):
    rates(register="2/hour")
    created = [api_client.post(REGISTER, registration(n), format="json").status_code for n in range(2)]

    response = api_client.post(REGISTER, registration(9), format="json")

    assert created == [201, 201]
    assert_throttled(response)
    assert not User.objects.filter(username="newcomer9").exists()


def test_web_registrations_from_one_address_are_throttled(client, rates):
    rates(register="1/hour")
    form = registration(0) | {"password_confirm": "Quiet-river-2719"}
    client.post(reverse("accounts:register"), form)
    client.logout()

    response = client.post(reverse("accounts:register"), registration(1) | {"password_confirm": "Quiet-river-2719"})

    assert response.status_code == 429
    assert not User.objects.filter(username="newcomer1").exists()


def test_subscription_attempts_are_throttled_per_investor(api_client, rates):
    rates(subscribe="2/minute")
    investor, other = InvestorFactory(), InvestorFactory()
    api_client.force_authenticate(investor)
    tries = [api_client.post(SUBSCRIPTIONS, {}, format="json").status_code for _ in range(2)]

    response = api_client.post(SUBSCRIPTIONS, {}, format="json")
    api_client.force_authenticate(other)
    others_try = api_client.post(SUBSCRIPTIONS, {}, format="json")

    assert tries == [400, 400]
    assert_throttled(response)
    assert others_try.status_code == 400
    assert not Subscription.objects.exists()


def test_web_subscription_attempts_are_throttled_per_investor(client, rates):
    from projects.tests.factories import OfferingFactory

    rates(subscribe="1/minute")
    investor = InvestorFactory()
    offering = OfferingFactory(status="live")
    client.force_login(investor)
    form = {"amount": "1000.00", "payment_method": "pm_card_visa"}
    first = client.post(
        reverse("investors:subscribe", args=[offering.pk]), form | {"idempotency_key": "a"}, follow=True
    )

    response = client.post(
        reverse("investors:subscribe", args=[offering.pk]), form | {"idempotency_key": "b"}, follow=True
    )

    assert not any("Too many" in message.message for message in first.context["messages"])
    assert any(
        message.level_tag == "error" and "Too many" in message.message for message in response.context["messages"]
    )
    assert not Subscription.objects.exists()


def test_schema_documents_the_429_answers(api_client):
    import yaml

    paths = yaml.safe_load(api_client.get("/api/v1/schema/").content)["paths"]

    for path in (TOKEN, REGISTER, SUBSCRIPTIONS):
        assert "429" in paths[path]["post"]["responses"], path
