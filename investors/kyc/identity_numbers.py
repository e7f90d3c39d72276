"""Resident identity-card numbers at rest: encrypted, found again by a keyed hash, shown masked."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernets() -> list[Fernet]:
    """settings.FIELD_ENCRYPTION_KEYS, newest first: the first encrypts, any decrypts."""
    return [Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS]


def encrypt(number: str) -> str:
    return MultiFernet(_fernets()).encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    """The number, whichever configured key encrypted it; InvalidToken when none did."""
    return MultiFernet(_fernets()).decrypt(token.encode()).decode()


def is_encrypted_with_current_key(token: str) -> bool:
    try:
        _fernets()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def lookup_hash(number: str) -> str:
    """Equal numbers give equal hashes, so duplicates are found without decrypting every row."""
    return hmac.new(settings.IDENTITY_HASH_KEY, number.upper().encode(), hashlib.sha256).hexdigest()


SHOWN_DIGITS = 4


def mask(number: str) -> str:
    """Only the last four characters (the order code and the check digit).

    The first six digits are the region and the next eight the birth date: a viewer who also knows the birth date
    must still face every region code of that year, about 3,000, of which the check digit keeps about one in eleven.
    Showing any region digit would shrink that to a handful, which is why the mask used to be reversible."""
    return "*" * (len(number) - SHOWN_DIGITS) + number[-SHOWN_DIGITS:]
