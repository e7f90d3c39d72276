"""The periodic jobs: every task the beat schedule sends is one that a worker knows, so none is dropped unknown."""

import pytest
from django.conf import settings

from crowdfund.celery import app


def scheduled_tasks_unknown_to_celery(schedule: dict) -> set[str]:
    # As a worker does when it starts: import every app's tasks module, which registers its tasks.
    app.loader.import_default_modules()
    return {entry["task"] for entry in schedule.values()} - set(app.tasks)


def test_every_scheduled_task_is_registered_with_celery():
    assert settings.CELERY_BEAT_SCHEDULE
    assert scheduled_tasks_unknown_to_celery(settings.CELERY_BEAT_SCHEDULE) == set()


@pytest.mark.parametrize("name", ["investors.lapse_reconfirmation", "projects.remind_annual_report"])
def test_a_misspelt_task_name_is_caught(name):
    assert scheduled_tasks_unknown_to_celery({"job": {"task": name, "schedule": 60.0}}) == {name}
