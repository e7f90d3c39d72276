"""Fixtures shared by every test folder of the project."""

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """DRF keeps request counts for its rate limits in the process-wide cache; each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files a test uploads go to its own folder, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def english(settings):
    """Messages and emails in English, the source language, so that assertions read as the source strings; the
    Chinese catalogue translates them for everyone else."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Web pages in English, so that assertions read as the source strings; a test that wants Chinese sets the
    language cookie, which wins over the header."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
