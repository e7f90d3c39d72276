"""Checks of the values issuers type in, shared by every service that accepts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as uscc_checker

from kernel.errors import FieldErrors
from kernel.validators import FREE_TEXT, SINGLE_LINE


def normalize_uscc(value: str, errors: FieldErrors) -> str | None:
    try:
        return uscc_checker.validate(value or "")
    except stdnum_errors.InvalidChecksum:
        errors.add("uscc", _("The check digit of this unified social credit code is wrong."))
    except stdnum_errors.InvalidLength:
        errors.add("uscc", _("A unified social credit code has 18 characters."))
    except stdnum_errors.ValidationError:
        errors.add("uscc", _("This is not a valid unified social credit code."))
    return None


def add_validator_errors(
    value: Any, field: str, errors: FieldErrors, validators: Iterable[Callable[[Any], None]]
) -> None:
    """Run Django validators (kernel/validators.py) on `value`, adding their messages to `field`."""
    for validator in validators:
        try:
            validator(value)
        except DjangoValidationError as refusal:
            for message in refusal.messages:
                errors.add(field, message)


def check_single_line(value: str, field: str, errors: FieldErrors, *, max_length: int | None) -> None:
    """A title or a name: one line, at most its column's length (a CharField's `max_length`, which Django types as
    optional although every CharField has one)."""
    length_limit = [] if max_length is None else [MaxLengthValidator(max_length)]
    add_validator_errors(value, field, errors, [*SINGLE_LINE, *length_limit])


def check_free_text(value: str, field: str, errors: FieldErrors) -> None:
    add_validator_errors(value, field, errors, FREE_TEXT)


EARLIEST_FOUNDING = dt.date(1900, 1, 1)


def validate_founded_on(value: dt.date) -> None:
    """A company was founded in 1900 or later, and not after today."""
    if value < EARLIEST_FOUNDING:
        raise DjangoValidationError(_("Enter a founding date in 1900 or later."), code="too_early")
    if value > timezone.localdate():
        raise DjangoValidationError(_("The founding date cannot be in the future."), code="in_future")


def check_offering_window(terms: dict[str, Any], errors: FieldErrors, *, now: dt.datetime) -> None:
    """An offering opens at most OFFERING_MAX_LEAD_DAYS from now and closes at most OFFERING_MAX_OPEN_DAYS after it
    opens. A date outside the window is refused and set to None in `terms`, so that no later check computes with it
    (a date near year 9999 overflows on the first day added to it)."""
    opens_at, closes_at = terms.get("opens_at"), terms.get("closes_at")
    lead_days, open_days = settings.OFFERING_MAX_LEAD_DAYS, settings.OFFERING_MAX_OPEN_DAYS
    if opens_at and opens_at - now > dt.timedelta(days=lead_days):
        errors.add("opens_at", _("An offering can open at most %(days)s days from now.") % {"days": lead_days})
        terms["opens_at"] = None
    if closes_at and closes_at - (opens_at or now) > dt.timedelta(days=open_days):
        errors.add(
            "closes_at", _("An offering can stay open at most %(days)s days after it opens.") % {"days": open_days}
        )
        terms["closes_at"] = None
