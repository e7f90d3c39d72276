"""The suitability questionnaire. A new wording or scoring is a new version; answers are kept with their version."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    points: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[Option, ...]


VERSION = "2026.1"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "experience",
        _("How long have you invested in stocks, funds or unlisted equity?"),
        (
            Option("none", _("Never"), 0),
            Option("short", _("Less than 2 years"), 2),
            Option("medium", _("2 to 5 years"), 4),
            Option("long", _("More than 5 years"), 6),
        ),
    ),
    Question(
        "unlisted_equity",
        _("Have you invested in unlisted companies before?"),
        (
            Option("no", _("No"), 0),
            Option("once", _("Once"), 3),
            Option("several", _("Several times"), 6),
        ),
    ),
    Question(
        "loss_tolerance",
        _("If this investment lost all its value, how would it affect you?"),
        (
            Option("severe", _("My living standard would fall seriously"), 0),
            Option("noticeable", _("Noticeably, but I would manage"), 3),
            Option("limited", _("Little: it is money I can afford to lose"), 6),
        ),
    ),
    Question(
        "horizon",
        _("How long can you leave this money invested without selling?"),
        (
            Option("under_1y", _("Less than 1 year"), 0),
            Option("1_3y", _("1 to 3 years"), 2),
            Option("3_5y", _("3 to 5 years"), 4),
            Option("over_5y", _("More than 5 years"), 6),
        ),
    ),
    Question(
        "share_of_assets",
        _("What share of your financial assets will you put into crowdfunded equity?"),
        (
            Option("over_50", _("More than half"), 0),
            Option("20_50", _("20% to 50%"), 2),
            Option("10_20", _("10% to 20%"), 4),
            Option("under_10", _("Less than 10%"), 6),
        ),
    ),
    Question(
        "knowledge",
        _("Which statement fits you best?"),
        (
            Option("guaranteed", _("Equity investments usually return the capital"), 0),
            Option("some_risk", _("Equity can lose value but usually recovers"), 2),
            Option("total_loss", _("Startup equity can be lost entirely and may be impossible to sell"), 6),
        ),
    ),
)

# The lowest score for each level, from the most cautious (C1) to the most risk-tolerant (C5).
LEVEL_THRESHOLDS: tuple[tuple[int, str], ...] = ((30, "C5"), (23, "C4"), (16, "C3"), (8, "C2"), (0, "C1"))
RISK_LEVELS = ("C1", "C2", "C3", "C4", "C5")


def level_for(score: int) -> str:
    return next(level for minimum, level in LEVEL_THRESHOLDS if score >= minimum)
