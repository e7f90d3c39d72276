"""The public scenarios once more, with every task going through Redis to a real Celery worker, as in production."""

from __future__ import annotations

import json
import time

import pytest
import redis
from celery.signals import after_task_publish
from django.conf import settings
from django.core.management import call_command

from risk.replay import load, replay
from risk.tests.support import SCENARIOS

IDLE_CHECKS = 2
WAIT_SECONDS = 60


def waiter(worker):
    """Returns once the worker's queue is empty and none of its messages is unacknowledged (tasks are acknowledged
    after they finish), seen twice in a row: a task that sends another sends it before it is acknowledged."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def in_flight() -> int:
        unacked = (json.loads(raw) for raw in broker.hvals("unacked"))
        return broker.llen(worker.queue) + sum(1 for message in unacked if message[-1] == worker.queue)

    # Only what this process sends can make work: the worker's own tasks come from those. Nothing sent since the
    # worker was last seen idle means nothing to wait for.
    sent = []

    def count_sent(**_) -> None:
        sent.append(1)

    after_task_publish.connect(count_sent, weak=False)

    def wait_for_tasks() -> None:
        if not sent:
            return
        sent.clear()
        deadline, idle = time.monotonic() + WAIT_SECONDS, 0
        while idle < IDLE_CHECKS:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the worker did not finish its tasks in {WAIT_SECONDS} s; its log:\n{worker.log()[-5000:]}"
                )
            idle = idle + 1 if in_flight() == 0 else 0
            time.sleep(0.01)

    wait_for_tasks.stop = lambda: after_task_publish.disconnect(count_sent)
    return wait_for_tasks


def test_every_public_scenario_passes_with_a_real_worker(fake_stripe, celery_worker_process):
    wait_for_tasks = waiter(celery_worker_process)
    failures = []
    try:
        for path in SCENARIOS:
            outcome = replay(load(path), wait_for_tasks=wait_for_tasks)
            if not outcome.passed:
                failures.append(outcome.line())
            call_command("flush", interactive=False, verbosity=0)
    finally:
        wait_for_tasks.stop()

    assert failures == []
    assert "risk.screen_offering" in celery_worker_process.log(), "the screenings must have run in the worker"
