"""Every public scenario, replayed through the platform's services with Celery tasks run in the test process."""

from __future__ import annotations

import pytest

from risk.replay import load, replay
from risk.tests.support import SCENARIOS


def test_the_public_scenarios_are_all_copied_into_the_project():
    assert len(SCENARIOS) >= 24
    assert {path.stem[:3] for path in SCENARIOS} >= {f"p{n:02d}" for n in range(1, 25)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario_reaches_the_expected_conclusion(path, fake_stripe):
    outcome = replay(load(path))

    assert outcome.passed, outcome.line()
