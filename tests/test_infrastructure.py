"""The test harness keeps its promises: each marked service is really there, and a missing one is a skip on a
developer's machine but a failure under CI."""

import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from crowdfund.celery import app as celery_app


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_marked_test_runs_on_the_postgresql_test_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database_name,) = cursor.fetchone()

    assert connection.vendor == "postgresql"
    assert database_name.startswith("test_")


@pytest.mark.redis
def test_redis_marked_test_reaches_redis_at_the_settings_url():
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_real_worker_runs_a_task_sent_through_the_broker(celery_worker_process):
    # `celery.accumulate` is one of Celery's built-in tasks: the worker counts it in its stats once it has run it,
    # which shows the message went from this process through Redis to the worker, not eagerly.
    assert celery_app.conf.task_always_eager is False
    celery_app.send_task("celery.accumulate", args=(1, 2))

    deadline = time.monotonic() + 30
    executed = {}
    while time.monotonic() < deadline and "celery.accumulate" not in executed:
        stats = celery_app.control.inspect(destination=[celery_worker_process.hostname], timeout=1).stats() or {}
        executed = stats.get(celery_worker_process.hostname, {}).get("total", {})
        time.sleep(0.2)

    assert executed == {"celery.accumulate": 1}, celery_worker_process.log()


# An explicit SQLite DATABASE_URL and an unreachable REDIS_URL: the inner run probes and starts nothing.
UNAVAILABLE = {"DATABASE_URL": "sqlite://:memory:", "REDIS_URL": "redis://127.0.0.1:1/0"}


def run_marked_test(tmp_path, marker: str, **env: str) -> subprocess.CompletedProcess:
    """Runs one empty test with `marker` in an inner pytest, the way `make test` would."""
    test_file = tmp_path / f"test_needs_{marker}.py"
    test_file.write_text(f"import pytest\n\n@pytest.mark.{marker}\ndef test_needs_{marker}():\n    pass\n")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(settings.BASE_DIR / "pytest.ini"),
            "--rootdir",
            str(settings.BASE_DIR),
            "-p",
            "no:cacheprovider",
            str(test_file),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, **UNAVAILABLE, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SKIPPED_LOCALLY_FAILED_UNDER_CI = pytest.mark.parametrize(
    ("ci", "expected_exit_code", "expected_outcome"),
    [("", pytest.ExitCode.OK, "1 skipped"), ("true", pytest.ExitCode.TESTS_FAILED, "1 error")],
)


@SKIPPED_LOCALLY_FAILED_UNDER_CI
def test_missing_service_is_a_skip_locally_and_a_failure_under_ci(tmp_path, ci, expected_exit_code, expected_outcome):
    inner = run_marked_test(tmp_path, "postgres", CI=ci)

    assert inner.returncode == expected_exit_code, inner.stdout + inner.stderr
    assert expected_outcome in inner.stdout
    assert "needs PostgreSQL, but the test database is sqlite (DATABASE_URL from the environment)" in inner.stdout


@SKIPPED_LOCALLY_FAILED_UNDER_CI
def test_missing_chromium_is_a_skip_locally_and_a_failure_under_ci(tmp_path, ci, expected_exit_code, expected_outcome):
    inner = run_marked_test(tmp_path, "browser", CI=ci, CHROMIUM_BINARY=str(tmp_path / "no-chromium"))

    assert inner.returncode == expected_exit_code, inner.stdout + inner.stderr
    assert expected_outcome in inner.stdout
    assert f"needs {tmp_path / 'no-chromium'}" in inner.stdout
