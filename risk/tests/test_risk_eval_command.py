"""`manage.py risk_eval` as someone runs it: its own process, its own scratch database, a report per scenario and a
summary line, JSON on request, and a failing exit status when a scenario fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def risk_eval(*arguments: str, stripe: str) -> subprocess.CompletedProcess:
    # The command makes a scratch database beside the one it is given; give it the test run's server.
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return subprocess.run(
        [sys.executable, "manage.py", "risk_eval", *arguments],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DATABASE_URL": database, "STRIPE_API_BASE": stripe, "CELERY_TASK_ALWAYS_EAGER": "false"},
    )


@pytest.mark.django_db
def test_risk_eval_reports_each_scenario_and_the_summary_and_writes_json(fake_stripe, tmp_path):
    report = tmp_path / "report.json"

    run = risk_eval(
        str(SCENARIOS / "p05-lead-never-paid.json"),
        str(SCENARIOS / "p03-honest-miss.json"),
        "--json",
        str(report),
        stripe=fake_stripe,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert lines[0].startswith("p05-lead-never-paid pass flagged=yes") and "raised=[commitment_unfunded]" in lines[0]
    assert lines[1].startswith("p03-honest-miss pass flagged=no")
    assert lines[-1] == "scenarios=2 passed=2 flagged_recall=1.0 false_alarm_rate=0.0 rule_recall=1.0"
    written = json.loads(report.read_text())
    assert written["summary"]["passed"] == 2 and [s["id"] for s in written["scenarios"]] == [
        "p05-lead-never-paid",
        "p03-honest-miss",
    ]


@pytest.mark.django_db
def test_risk_eval_exits_non_zero_when_a_conclusion_differs_from_the_expectation(fake_stripe, tmp_path):
    scenario = json.loads((SCENARIOS / "p17-clean-growth.json").read_text())
    scenario["expect"] = {"flagged": True, "rules": ["misleading_claims"], "not_rules": []}
    wrong = tmp_path / "clean-but-expected-flagged.json"
    wrong.write_text(json.dumps(scenario, ensure_ascii=False))

    run = risk_eval(str(wrong), stripe=fake_stripe)

    assert run.returncode == 1
    assert "p17-clean-growth FAIL flagged=no (expected yes)" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == (
        "scenarios=1 passed=0 flagged_recall=0.0 false_alarm_rate=0.0 rule_recall=0.0"
    )


def test_risk_eval_refuses_a_file_that_is_not_a_scenario(tmp_path):
    stray = tmp_path / "notes.json"
    stray.write_text('{"hello": "world"}')

    run = subprocess.run(
        [sys.executable, "manage.py", "risk_eval", str(stray)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode != 0 and "not a michou.risk-scenario/1 file" in run.stderr
