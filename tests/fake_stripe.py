"""The fake Stripe server (localstripe, through scripts/fake_stripe.py) for tests; a pytest plugin loaded with
`-p tests.fake_stripe`.

Fixtures:
- `fake_stripe_server` (session): the server, started on a free port for the whole run and stopped at its end; the
  value is its base URL. When it cannot start (localstripe missing, say), the tests that use it are skipped with
  the reason; with CI=true they fail instead, so that CI never passes by leaving them out.
- `fake_stripe` (function): what a test asks for. Empties the server's store, points settings.STRIPE_API_BASE at
  it, and sets the STRIPE_API_BASE environment variable too, for processes the test starts afterwards (a Celery
  worker, say). The value is the base URL.
- `fake_stripe_webhook` (function): a function `register(url, *, secret=None)` after which the server posts its
  events (only `payment_intent.succeeded` and `payment_intent.payment_failed` exist) to `url`, about a second after
  the payment, signed with `secret` (default settings.STRIPE_WEBHOOK_SECRET). For `live_server` tests:
  `fake_stripe_webhook(live_server.url + "/payments/stripe/webhook/")`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

RUNNER = Path(__file__).resolve().parent.parent / "scripts" / "fake_stripe.py"
READY_LINE = re.compile(r"fake Stripe ready at (http://\S+)")
START_SECONDS = 20
STOP_SECONDS = 10
# The name the server files our webhook under; registering it again replaces it.
WEBHOOK_NAME = "michou"


@pytest.fixture(scope="session")
def fake_stripe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("localstripe") is None:
        _unavailable("localstripe is not installed; it is in requirements.txt")
    log_path = tmp_path_factory.mktemp("fake_stripe") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(RUNNER), "--port", "0"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        yield _wait_until_ready(process, log_path)
    finally:
        _stop(process)


@pytest.fixture
def fake_stripe(fake_stripe_server: str, settings, monkeypatch: pytest.MonkeyPatch) -> str:
    _send("DELETE", f"{fake_stripe_server}/_config/data")
    settings.STRIPE_API_BASE = fake_stripe_server
    monkeypatch.setenv("STRIPE_API_BASE", fake_stripe_server)
    return fake_stripe_server


@pytest.fixture
def fake_stripe_webhook(fake_stripe: str, settings) -> Iterator[Callable[..., None]]:
    last_url = None

    def register(url: str, *, secret: str | None = None) -> None:
        nonlocal last_url
        _send(
            "POST",
            f"{fake_stripe}/_config/webhooks/{WEBHOOK_NAME}",
            {"url": url, "secret": secret or settings.STRIPE_WEBHOOK_SECRET},
        )
        last_url = url

    yield register
    if last_url is not None:
        # localstripe cannot forget a webhook, and emptying its store keeps them: an empty event list silences it,
        # so that later tests' events do not go to this test's (stopped) server.
        _send(
            "POST",
            f"{fake_stripe}/_config/webhooks/{WEBHOOK_NAME}",
            {"url": last_url, "secret": "silenced", "events": []},
        )


def _wait_until_ready(process: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        ready = READY_LINE.search(log_path.read_text(errors="replace"))
        if ready:
            return ready.group(1)
        if process.poll() is not None:
            _unavailable(f"the fake Stripe server exited with code {process.returncode}:\n{_tail(log_path)}")
        time.sleep(0.05)
    _unavailable(f"the fake Stripe server did not start within {START_SECONDS} s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _send(method: str, url: str, body: dict | None = None) -> None:
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _tail(log_path: Path, lines: int = 20) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(
            f"{reason}\nWith CI=true a missing fake Stripe server fails the run instead of skipping.", pytrace=False
        )
    pytest.skip(reason)
