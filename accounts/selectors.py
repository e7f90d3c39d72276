"""Reads of accounts: which API tokens are alive."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken


def _alive() -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(expires_at__gt=timezone.now())


def token_for_key(key: str) -> ApiToken | None:
    """The live token `key` stands for, with its user; None when unknown, expired or issued under an old password."""
    token = _alive().select_related("user").filter(digest=tokens.key_digest(key)).first()
    if token is None or token.password_digest != tokens.password_digest(token.user):
        return None
    return token


def tokens_of(user) -> QuerySet[ApiToken]:
    return _alive().filter(user=user, password_digest=tokens.password_digest(user))
