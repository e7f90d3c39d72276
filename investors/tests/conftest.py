"""Fixtures shared by the investors app's tests."""

import pytest

from accounts.tests.factories import InvestorFactory


@pytest.fixture
def investor(api_client):
    """A new investor the API client is signed in as. The web-page tests define their own `investor`, signed in to
    the browser client instead."""
    user = InvestorFactory()
    api_client.force_authenticate(user)
    return user
