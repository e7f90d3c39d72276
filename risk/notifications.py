"""Telling investors that staff confirmed a material risk finding about an offering they put money into."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from emails.services import email_enqueue, email_render, in_site_language
from investors.models import PAID_IN_STATUSES
from projects.models import Offering
from risk.models import Case, CaseEvent, SubjectType
from risk.selectors import investors_of_offerings


@in_site_language
def material_finding_emails(*, case_id: int) -> int:
    """Record one email per investor and offering in the email outbox, in the caller's transaction (the case's
    resolution), to be sent after commit; returns how many were recorded now. Running it again records none: the
    outbox holds each (notification, recipient) once, so a failure halfway never mails anyone twice."""
    with transaction.atomic():
        case = Case.objects.select_for_update(no_key=True).get(pk=case_id)
        if case.events.filter(action="investors_notified").exists():
            return 0
        offerings = (
            Offering.objects.filter(pk=case.offering_id)
            if case.subject_type == SubjectType.OFFERING
            else Offering.objects.filter(issuer_id=case.issuer_id)
        )
        recipients = investors_of_offerings(offerings, statuses=PAID_IN_STATUSES)
        rules = sorted({signal.rule for signal in case.signals.all()})
        for investor, offering in recipients:
            email_enqueue(
                notification=f"risk_finding:{case.pk}:{offering.pk}",
                recipient=investor,
                **email_render(
                    "risk/emails/material_finding.txt",
                    {"offering": offering.title, "rules": ", ".join(rules), "note": case.resolution_note},
                ),
            )
        CaseEvent.objects.create(
            case=case, at=timezone.now(), action="investors_notified", detail={"emails": len(recipients)}
        )
        return len(recipients)
