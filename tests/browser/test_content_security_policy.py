"""The main pages satisfy the Content-Security-Policy in a real browser, and still work under it: the `browser`
fixture fails a test on any violation Chromium reports (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest

from accounts.tests.factories import PASSWORD, SuperuserFactory
from tests.support.money import live_offering

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_pages_and_the_api_documentation_load_without_a_policy_violation(browser):
    offering = live_offering()
    browser.start_session_in_english()

    pages = {
        "/": offering.title,
        "/offerings/": offering.title,
        f"/offerings/{offering.pk}/": offering.issuer.legal_name,
        "/accounts/login/": "Log in",
        "/admin/login/": "Django administration",
    }
    for path, expected in pages.items():
        browser.open(path)
        assert expected in browser.text(), path

    browser.open("/api/v1/docs/")
    # Swagger UI built the page from the schema: its start-up script ran, from a file of its own.
    assert "Michou API" in browser.find("#swagger-ui .info .title").text
    assert browser.find_all("#swagger-ui .opblock")


def test_the_admin_works_under_the_policy(browser):
    offering = live_offering()
    browser.log_in(SuperuserFactory(), PASSWORD, path="/admin/login/", form="#login-form")

    pages = (
        "/admin/",
        "/admin/projects/offering/",
        f"/admin/projects/offering/{offering.pk}/change/",
        f"/admin/projects/offering/{offering.pk}/history/",
    )
    for path in pages:
        browser.open(path)
        assert browser.find("#site-name").text, path
    # The admin's own scripts run under the policy: the navigation sidebar's filter box is built by nav_sidebar.js.
    browser.open("/admin/projects/offering/")
    assert browser.find("#nav-filter").is_displayed()
