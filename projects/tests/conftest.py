"""Fixtures shared by the projects app's tests."""

import pytest

from projects.tests.factories import IssuerFactory


@pytest.fixture
def issuer(api_client):
    """A company whose manager the API client is signed in as."""
    company = IssuerFactory()
    api_client.force_authenticate(company.owner)
    return company
