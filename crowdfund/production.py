"""What a process started with DJANGO_DEBUG=false refuses to run with.

The development values below are public: they are in this repository. A deployment that kept one would let anyone
sign sessions (the secret key), read a database dump's identity numbers (the field key), match them (the hash key),
or forge a Stripe `payment_intent.succeeded` and have a subscription marked paid with nothing charged (the webhook
secret). The demo identity provider verifies everyone. The settings read this module's values as their development
defaults and call `refuse_unsafe_production` when DEBUG is off, so that `manage.py`, the WSGI application and the
Celery worker all stop before they serve anything.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
# Equal to the keys that earlier versions derived from the development secret key, so that a development database
# filled by them still decrypts and still finds its duplicates. Constants now: no key is derived from SECRET_KEY.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "rr8-BTuiwLhFNJ-nfmzNKRMsxM6_dKpHKs4nc5aNjEY="
DEVELOPMENT_IDENTITY_HASH_KEY = bytes.fromhex("f399dd1e0e30abdffea8bd7b48a51dee0331effa7fe04e1ed95af040d0132214")
DEVELOPMENT_WEBHOOK_SECRET = "whsec_michou_local"
DEMO_IDENTITY_PROVIDER = "investors.kyc.identity.DemoIdentityProvider"
# A keyed hash of identity numbers is only as strong as its key: the numbers themselves are few enough to try all.
MINIMUM_HASH_KEY_LENGTH = 32


def unsafe_production_settings(
    *,
    secret_key: str,
    field_encryption_keys: list[str],
    identity_hash_key: bytes,
    webhook_secret: str,
    identity_provider: str,
    demo: bool,
) -> list[str]:
    """One line per problem, each naming the environment variable to set."""
    problems = []
    if secret_key in ("", DEVELOPMENT_SECRET_KEY):
        problems.append("DJANGO_SECRET_KEY is missing or the public development key.")
    if not field_encryption_keys or DEVELOPMENT_FIELD_ENCRYPTION_KEY in field_encryption_keys:
        problems.append("FIELD_ENCRYPTION_KEY is missing or contains the public development key.")
    elif not all(_is_fernet_key(key) for key in field_encryption_keys):
        problems.append("FIELD_ENCRYPTION_KEY must be comma-separated Fernet keys (32 url-safe base64-encoded bytes).")
    if identity_hash_key == DEVELOPMENT_IDENTITY_HASH_KEY:
        problems.append("IDENTITY_HASH_KEY is missing.")
    elif len(identity_hash_key) < MINIMUM_HASH_KEY_LENGTH:
        problems.append(f"IDENTITY_HASH_KEY must be at least {MINIMUM_HASH_KEY_LENGTH} characters.")
    if webhook_secret in ("", DEVELOPMENT_WEBHOOK_SECRET):
        problems.append("STRIPE_WEBHOOK_SECRET is missing or the public development secret.")
    if identity_provider == DEMO_IDENTITY_PROVIDER and not demo:
        problems.append(
            "IDENTITY_PROVIDER is the demo provider, which verifies everyone: name a real provider "
            "(or investors.kyc.identity.ManualReviewIdentityProvider), or set MICHOU_DEMO=true for a demo deployment."
        )
    return problems


def refuse_unsafe_production(**values) -> None:
    problems = unsafe_production_settings(**values)
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with DEBUG off (DJANGO_DEBUG is not true): "
            + " ".join(problems)
            + " For development, set DJANGO_DEBUG=true (make run does)."
        )


def proxy_ssl_header(value: list[str]) -> tuple[str, str] | None:
    """DJANGO_SECURE_PROXY_SSL_HEADER, e.g. `HTTP_X_FORWARDED_PROTO,https`: the header, as Django's request.META
    names it, that the proxy in front sets, and its value on HTTPS requests."""
    if not value:
        return None
    if len(value) != 2 or not value[0].startswith("HTTP_"):
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER must be the header's META name and its HTTPS value, "
            "e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    return value[0], value[1]


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key)
    except ValueError:
        return False
    return True
