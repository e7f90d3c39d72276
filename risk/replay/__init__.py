"""Replaying risk scenarios through the platform's own services and Celery tasks: `scenarios` reads the files and
sums up the outcomes, `story` tells one scenario to the platform. Re-exported here for the command and the tests."""

from risk.replay.scenarios import SCHEMA, Outcome, ScenarioError, load, scenario_files, summary, summary_line
from risk.replay.story import replay

__all__ = ["SCHEMA", "Outcome", "ScenarioError", "load", "replay", "scenario_files", "summary", "summary_line"]
