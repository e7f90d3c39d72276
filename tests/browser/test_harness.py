"""Without Chromium the browser journeys are skipped with the reason, and under CI=true that skip fails the run."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.parametrize(
    ("ci", "expected_exit_code", "expected_outcome"),
    [("", pytest.ExitCode.OK, "1 skipped"), ("true", pytest.ExitCode.TESTS_FAILED, "1 error")],
)
def test_missing_chromium_is_a_skip_locally_and_a_failure_under_ci(tmp_path, ci, expected_exit_code, expected_outcome):
    test_file = tmp_path / "test_needs_a_browser.py"
    test_file.write_text("import pytest\n\n@pytest.mark.browser\ndef test_needs_a_browser():\n    pass\n")
    env = {
        **os.environ,
        "CI": ci,
        "CHROMIUM_BINARY": str(tmp_path / "no-chromium"),
        "DATABASE_URL": "sqlite://:memory:",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }

    inner = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(settings.BASE_DIR / "pytest.ini"),
         "--rootdir", str(settings.BASE_DIR), "-p", "no:cacheprovider", str(test_file)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )

    assert inner.returncode == expected_exit_code, inner.stdout + inner.stderr
    assert expected_outcome in inner.stdout
    assert f"needs {tmp_path / 'no-chromium'}" in inner.stdout
