"""Emails to issuers about their duties, recorded in the email outbox with the reminder and sent after commit."""

from __future__ import annotations

from django.utils.translation import gettext as _

from emails.services import email_enqueue, in_site_language
from projects import selectors
from projects.models import ReportReminder, StatementPeriod


@in_site_language
def report_reminder_email(*, reminder_id: int) -> None:
    reminder = ReportReminder.objects.select_related("issuer__owner").get(pk=reminder_id)
    issuer = reminder.issuer
    duty = next(
        (
            d for d in selectors.report_duties(issuer_ids=[issuer.pk])
            if (d.fiscal_year, d.period) == (reminder.fiscal_year, reminder.period)
        ),
        None,
    )
    if duty is None or duty.status == selectors.DutyStatus.FILED:
        return
    if reminder.period == StatementPeriod.H1:
        subject = _("Half-year report for %(year)s due")
        if duty.overdue:
            body = _(
                "The actual first-half statement of %(issuer)s for %(year)s was due on %(due)s and has not been "
                "filed. File it now: its investors see that it is overdue."
            )
        else:
            body = _(
                "After your successful raise, %(issuer)s must file its actual first-half statement for %(year)s "
                "by %(due)s."
            )
    else:
        subject = _("Annual report for %(year)s due")
        if duty.overdue:
            body = _(
                "The actual full-year statement of %(issuer)s for %(year)s was due on %(due)s and has not been filed. "
                "File it now: until you do, %(issuer)s cannot start a new offering."
            )
        else:
            body = _(
                "After your successful raise, %(issuer)s must file its actual full-year statement for %(year)s by "
                "%(due)s. Until it is filed after that date, %(issuer)s cannot start a new offering."
            )
    email_enqueue(
        notification=f"report_reminder:{reminder.pk}",
        recipient=issuer.owner,
        subject=subject % {"year": reminder.fiscal_year},
        body=body % {"issuer": issuer.legal_name, "year": reminder.fiscal_year, "due": duty.due_on.isoformat()},
    )
