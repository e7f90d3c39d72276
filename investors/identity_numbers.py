"""Resident identity-card numbers at rest: encrypted, found again by a keyed hash, shown masked."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _derived_key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY or base64.urlsafe_b64encode(_derived_key("identity-encryption")).decode()
    return Fernet(key)


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def lookup_hash(number: str) -> str:
    """Equal numbers give equal hashes, so duplicates are found without decrypting every row."""
    key = settings.IDENTITY_HASH_KEY.encode() if settings.IDENTITY_HASH_KEY else _derived_key("identity-hash")
    return hmac.new(key, number.upper().encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
