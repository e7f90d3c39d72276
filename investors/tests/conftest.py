"""Fixtures shared by the investors app's tests."""

import pytest

from accounts.tests.factories import InvestorFactory


@pytest.fixture
def investor(api_client):
    """A new investor the API client is signed in as (the web-page tests sign one in to the browser client instead:
    `web_investor`, `eligible_web_investor`)."""
    user = InvestorFactory()
    api_client.force_authenticate(user)
    return user
