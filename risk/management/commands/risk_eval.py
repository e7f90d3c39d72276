"""`manage.py risk_eval PATH... [--json FILE]`: replay risk scenarios and compare the review's conclusions with what
each scenario expects (risk/scenarios/SCHEMA.md). Exits 1 when any scenario fails.

Each scenario runs in a scratch database of its own (emptied between scenarios), never in the platform's own, with
Celery tasks run in this process. A fake Stripe server is started for the run if none answers at STRIPE_API_BASE."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import current_app as celery_app
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings

from risk.replay import ScenarioError, load, replay, scenario_files, summary, summary_line

FAKE_STRIPE_RUNNER = Path(settings.BASE_DIR) / "scripts" / "fake_stripe.py"
READY_LINE = re.compile(r"fake Stripe ready at (http://\S+)")


class Command(BaseCommand):
    help = "Replay risk scenarios (files or folders of *.json) and report which conclusions match."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="scenario files or folders")
        parser.add_argument("--json", dest="json_path", help="also write the results as JSON to this file")

    def handle(self, *args, paths: list[str], json_path: str | None = None, **options) -> None:
        try:
            scenarios = [load(path) for path in scenario_files(paths)]
        except ScenarioError as error:
            raise CommandError(str(error)) from error
        if not scenarios:
            raise CommandError("no scenario files found")
        outcomes = []
        with (
            _stripe_server(),
            _scratch_database(),
            _tasks_in_this_process(),
            _quiet_logs(),
            override_settings(
                # Scratch accounts in a scratch database: no mail leaves, and no time goes into hashing passwords.
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ),
        ):
            for scenario in scenarios:
                call_command("flush", interactive=False, verbosity=0)
                outcome = replay(scenario)
                outcomes.append(outcome)
                self.stdout.write(outcome.line())
        figures = summary(outcomes)
        self.stdout.write(summary_line(figures))
        if json_path:
            Path(json_path).write_text(
                json.dumps(
                    {"scenarios": [o.as_dict() for o in outcomes], "summary": figures}, ensure_ascii=False, indent=2
                ),
                encoding="utf-8",
            )
        if figures["passed"] < figures["scenarios"]:
            sys.exit(1)


@contextmanager
def _scratch_database() -> Iterator[None]:
    connection = connections["default"]
    if connection.vendor != "sqlite":
        # A name of this run's own, so that two runs (or a test run) never drop each other's database.
        connection.settings_dict["TEST"] = {
            **connection.settings_dict.get("TEST", {}),
            "NAME": f"risk_eval_{os.getpid()}",
        }
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


@contextmanager
def _tasks_in_this_process() -> Iterator[None]:
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = was_eager


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Each task and Stripe call logs a line; the report is the scenario lines."""
    loggers = [logging.getLogger(name) for name in ("celery", "stripe")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _answers(base_url: str) -> bool:
    try:
        urllib.request.urlopen(f"{base_url}/v1/balance", timeout=2)
    except urllib.error.HTTPError:
        return True  # it answered, if only to refuse
    except (urllib.error.URLError, OSError):
        return False
    return True


@contextmanager
def _stripe_server() -> Iterator[None]:
    if _answers(settings.STRIPE_API_BASE):
        yield
        return
    server = subprocess.Popen(
        [sys.executable, str(FAKE_STRIPE_RUNNER), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        ready = READY_LINE.search(server.stdout.readline() or "")
        if ready is None:
            raise CommandError(
                f"no Stripe server answers at {settings.STRIPE_API_BASE}, and the fake one did not start"
            )
        with override_settings(STRIPE_API_BASE=ready.group(1)):
            yield
    finally:
        server.terminate()
        server.wait(timeout=10)
