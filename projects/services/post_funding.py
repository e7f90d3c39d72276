"""Duties after funding: reminders of reports due, and the milestones of the target that investors are told of."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from projects import notifications, selectors
from projects.models import OfferingMilestone, ReportReminder


def report_reminders_send(*, today: dt.date | None = None) -> list[int]:
    """Remind each issuer, once per fiscal year and period, of an actual statement (full year, first half) that is
    due soon or overdue. The reminder row and its email (in the outbox, sent after commit) are recorded together;
    running this again sends nothing new."""
    due = (selectors.DutyStatus.REMINDER_DUE, selectors.DutyStatus.OVERDUE)
    recorded = []
    for duty in selectors.report_duties(today=today):
        if duty.status not in due:
            continue
        with transaction.atomic():
            reminder, created = ReportReminder.objects.get_or_create(
                issuer_id=duty.issuer_id,
                fiscal_year=duty.fiscal_year,
                period=duty.period,
                defaults={"sent_at": timezone.now()},
            )
            if created:
                notifications.report_reminder_email(reminder_id=reminder.pk)
                recorded.append(reminder.pk)
    return recorded


def offering_milestones_record(*, offering_id: int) -> list[int]:
    """Record each share of the target (50 %, 100 %) that the money raised has reached for the first time, and
    return those newly reached. Each is recorded once, even if cancellations later take the offering below it.

    Runs after payments that reach a share not yet recorded, so it takes no lock on the offering (payments queue on
    that lock): the unique constraint makes the first of two concurrent runs the only one to record a milestone."""
    new = []
    for percent in selectors.offering_milestones_unrecorded(offering_id=offering_id):
        try:
            with transaction.atomic():
                OfferingMilestone.objects.create(offering_id=offering_id, percent=percent, reached_at=timezone.now())
        except IntegrityError:
            continue
        new.append(percent)
    return new
