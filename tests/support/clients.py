"""API clients signed in as someone."""

from __future__ import annotations

from rest_framework.test import APIClient


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
