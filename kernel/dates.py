"""Calendar arithmetic the rules share, in the platform's local time (settings.TIME_ZONE)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

WEEKEND = (5, 6)  # Saturday, Sunday


def business_days_after(moment: dt.datetime, days: int) -> dt.datetime:
    """The same local time of day, `days` business days (Monday to Friday) after `moment`. Public holidays count as
    business days here; staff give a later deadline around them."""
    local = timezone.localtime(moment)
    day = local.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() not in WEEKEND:
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)), local.tzinfo)
