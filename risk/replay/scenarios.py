"""Scenario files (schema `michou.risk-scenario/1`, see risk/scenarios/SCHEMA.md): finding and loading them, and
what a replay concludes about each, alone and in summary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = "michou.risk-scenario/1"


class ScenarioError(ValueError):
    """The file is not a scenario of this schema."""


@dataclass
class Outcome:
    id: str
    title: str
    passed: bool
    expected_flagged: bool
    flagged: bool
    expected_rules: list[str]
    not_rules: list[str]
    raised_rules: list[str]
    refusals: list[str] = field(default_factory=list)

    def line(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return (
            f"{self.id} {verdict} flagged={'yes' if self.flagged else 'no'}"
            f" (expected {'yes' if self.expected_flagged else 'no'})"
            f" expected=[{','.join(self.expected_rules)}] not=[{','.join(self.not_rules)}]"
            f" raised=[{','.join(self.raised_rules)}] refusals={len(self.refusals)}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


def scenario_files(paths: list[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise ScenarioError(f"{path}: no such file or folder")
    return files


def load(path: Path) -> dict:
    try:
        scenario = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ScenarioError(f"{path}: {error}") from error
    if not isinstance(scenario, dict) or scenario.get("schema") != SCHEMA:
        raise ScenarioError(f"{path}: not a {SCHEMA} file")
    missing = {"id", "evaluate_at", "issuer", "investors", "events", "expect"} - set(scenario)
    if missing:
        raise ScenarioError(f"{path}: missing {', '.join(sorted(missing))}")
    return scenario


def summary(outcomes: list[Outcome]) -> dict:
    should_flag = [o for o in outcomes if o.expected_flagged]
    should_not = [o for o in outcomes if not o.expected_flagged]
    expected_codes = sum(len(o.expected_rules) for o in outcomes)
    raised_codes = sum(len(set(o.expected_rules) & set(o.raised_rules)) for o in outcomes)
    return {
        "scenarios": len(outcomes),
        "passed": sum(o.passed for o in outcomes),
        "flagged_recall": round(sum(o.flagged for o in should_flag) / len(should_flag), 4) if should_flag else 1.0,
        "false_alarm_rate": round(sum(o.flagged for o in should_not) / len(should_not), 4) if should_not else 0.0,
        "rule_recall": round(raised_codes / expected_codes, 4) if expected_codes else 1.0,
    }


def summary_line(figures: dict) -> str:
    return " ".join(f"{name}={value}" for name, value in figures.items())
