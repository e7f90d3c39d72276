"""Production defaults that cannot leak: with DJANGO_DEBUG=false (the default) the platform refuses to start on a
development secret, and `check --deploy` is clean under the production settings the README describes.

Each case starts a real process with its own environment, as a deployment would: settings are read once, when the
process starts.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

# What a production deployment sets (README, "Production settings"). The values are made up for the tests.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "t3st-only-9Qm2vXc7Lr4Kp8Zs1Wd6Hy0Bn5Jf3Ta7Ge2Uk9Rx4Vc8Np1Md6Sq0",
    "FIELD_ENCRYPTION_KEY": "Vt0y2D0hX3oN2p1Yw6pP9bXGmH4xQk7sJ8cL5fR1aZE=",
    "IDENTITY_HASH_KEY": "t3st-only-hash-key-Zr8Wq2Lm5Xc9Vb1Nk4Hs7Jd0Fg3Ty6Pu",
    "STRIPE_WEBHOOK_SECRET": "whsec_t3st_only_4f8a2c9e1b7d",
    "IDENTITY_PROVIDER": "investors.kyc.identity.ManualReviewIdentityProvider",
    "DJANGO_ALLOWED_HOSTS": "michou.example",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}
# Variables a developer's shell or the test process (tests/plugin.py) may have set; each case starts without them.
CONTROLLED = {*PRODUCTION_ENV, "MICHOU_DEMO", "DJANGO_SECRET_KEY_FALLBACKS", "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
    name for name in os.environ if name.startswith("DJANGO_SECURE_") or name.startswith("DJANGO_SESSION_")
}
DEV_WEBHOOK_SECRET = "whsec_michou_local"
# The key earlier versions derived from the development secret key, which the repository publishes.
DEV_FIELD_KEY = "rr8-BTuiwLhFNJ-nfmzNKRMsxM6_dKpHKs4nc5aNjEY="
DEMO_PROVIDER = "investors.kyc.identity.DemoIdentityProvider"


def environment(**changes: str | None) -> dict[str, str]:
    """The production environment with `changes` applied; None removes a variable."""
    env = {name: value for name, value in os.environ.items() if name not in CONTROLLED}
    env.update(PRODUCTION_ENV)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(sys.executable, "manage.py", *arguments, env=env)


def assert_refused(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    refusal = result.stderr.strip().splitlines()[-1]
    assert variable in refusal, refusal


def test_production_environment_starts_and_its_deploy_check_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=environment())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_is_off_unless_asked_for_so_a_bare_deployment_refuses_development_secrets():
    result = manage("check", env=environment(DJANGO_DEBUG=None, DJANGO_SECRET_KEY=None))

    assert_refused(result, "DJANGO_SECRET_KEY")
    assert "DJANGO_DEBUG" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", None),
        ("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789"),
        ("FIELD_ENCRYPTION_KEY", None),
        ("FIELD_ENCRYPTION_KEY", DEV_FIELD_KEY),
        ("FIELD_ENCRYPTION_KEY", "not-a-fernet-key"),
        ("IDENTITY_HASH_KEY", None),
        ("IDENTITY_HASH_KEY", "short"),
        ("STRIPE_WEBHOOK_SECRET", None),
        ("STRIPE_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET),
        ("IDENTITY_PROVIDER", None),
        ("IDENTITY_PROVIDER", DEMO_PROVIDER),
        ("DJANGO_SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto"),
    ],
)
def test_production_refuses_to_start_on_a_missing_or_development_value(variable, value):
    assert_refused(manage("check", env=environment(**{variable: value})), variable)


def test_development_field_key_is_refused_even_behind_a_new_key():
    keys = f"{PRODUCTION_ENV['FIELD_ENCRYPTION_KEY']},{DEV_FIELD_KEY}"

    result = manage("check", env=environment(FIELD_ENCRYPTION_KEY=keys))

    assert_refused(result, "FIELD_ENCRYPTION_KEY")


def test_a_demo_deployment_acknowledged_with_michou_demo_may_keep_the_demo_identity_provider():
    result = manage("check", env=environment(IDENTITY_PROVIDER=DEMO_PROVIDER, MICHOU_DEMO="true"))

    assert result.returncode == 0, result.stderr


def test_michou_demo_does_not_excuse_a_development_secret():
    result = manage("check", env=environment(MICHOU_DEMO="true", STRIPE_WEBHOOK_SECRET=DEV_WEBHOOK_SECRET))

    assert_refused(result, "STRIPE_WEBHOOK_SECRET")


def test_every_management_command_refuses_not_only_check():
    result = manage("seed_demo", env=environment(STRIPE_WEBHOOK_SECRET=None))

    assert_refused(result, "STRIPE_WEBHOOK_SECRET")


def test_the_wsgi_application_refuses_to_load():
    result = run(sys.executable, "-c", "import crowdfund.wsgi", env=environment(FIELD_ENCRYPTION_KEY=None))

    assert_refused(result, "FIELD_ENCRYPTION_KEY")


def test_the_celery_worker_refuses_to_start():
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    result = run(celery, "-A", "crowdfund", "worker", "--pool=solo", env=environment(IDENTITY_HASH_KEY=None))

    assert_refused(result, "IDENTITY_HASH_KEY")


def test_development_needs_only_django_debug_true():
    env = environment(DJANGO_DEBUG="true", **{name: None for name in PRODUCTION_ENV if name != "DJANGO_DEBUG"})

    result = manage("check", env=env)

    assert result.returncode == 0, result.stderr


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    policy = {directive.split()[0]: directive.split()[1:] for directive in header.split("; ")}

    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_the_api_documentation_page_has_no_inline_script_or_style(client):
    page = client.get("/api/v1/docs/").content.decode()

    assert "<style" not in page
    assert "<script>" not in page and '<script src="/api/v1/docs/?script=' in page
