"""API keys: made here, stored as digests, and judged the same way by authentication and by the list of tokens."""

from __future__ import annotations

import hashlib
import secrets

KEY_BYTES = 20
PREFIX_LENGTH = 8


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def key_digest(key: str) -> str:
    # Keys are 160 random bits, so an unsalted hash cannot be reversed by guessing.
    return hashlib.sha256(key.encode()).hexdigest()


def password_digest(user) -> str:
    """Changes whenever the user's password does (the stored hash has a fresh salt each time)."""
    return hashlib.sha256(user.password.encode()).hexdigest()
