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


SHOWN_DIGITS = 4


def mask(number: str) -> str:
    """Only the last four characters (the order code and the check digit).

    The first six digits are the region and the next eight the birth date: a viewer who also knows the birth date
    must still face every region code of that year, about 3,000, of which the check digit keeps about one in eleven.
    Showing any region digit would shrink that to a handful, which is why the mask used to be reversible."""
    return "*" * (len(number) - SHOWN_DIGITS) + number[-SHOWN_DIGITS:]
