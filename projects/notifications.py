"""Emails to issuers about their duties, recorded in the email outbox with the reminder and sent after commit."""

from __future__ import annotations

from emails.services import email_enqueue, email_render, in_site_language
from projects import selectors
from projects.models import ReportReminder, StatementPeriod


@in_site_language
def report_reminder_email(*, reminder_id: int) -> None:
    reminder = ReportReminder.objects.select_related("issuer__owner").get(pk=reminder_id)
    issuer = reminder.issuer
    duty = next(
        (
            d
            for d in selectors.report_duties(issuer_ids=[issuer.pk])
            if (d.fiscal_year, d.period) == (reminder.fiscal_year, reminder.period)
        ),
        None,
    )
    if duty is None or duty.status == selectors.DutyStatus.FILED:
        return
    email_enqueue(
        notification=f"report_reminder:{reminder.pk}",
        recipient=issuer.owner,
        **email_render(
            "projects/emails/report_reminder.txt",
            {
                "half_year": reminder.period == StatementPeriod.H1,
                "overdue": duty.overdue,
                "issuer": issuer.legal_name,
                "year": reminder.fiscal_year,
                "due": duty.due_on.isoformat(),
            },
        ),
    )
