"""Checks of text that every app's models, forms, serializers and services share, so that a rule on what a field
may hold is written once."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (newline, carriage return, tab, NUL, ...) and the Unicode line and paragraph separators: a
# title or a name holding one breaks email headers and page layouts.
LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def validate_single_line(value: str) -> None:
    if any(unicodedata.category(character) in LINE_BREAKING_CATEGORIES for character in value or ""):
        raise ValidationError(
            _("Use one line of text, without line breaks, tabs or other control characters."), code="single_line"
        )


def validate_free_text_length(value: str) -> None:
    """Free text (descriptions, summaries, updates, notes) is at most FREE_TEXT_MAX_CHARS characters."""
    limit = settings.FREE_TEXT_MAX_CHARS
    if len(value or "") > limit:
        raise ValidationError(
            _("Keep this to %(limit)s characters at most (it has %(length)s).")
            % {"limit": limit, "length": len(value)},
            code="too_long",
        )


SINGLE_LINE = [validate_single_line]
FREE_TEXT = [validate_free_text_length]
