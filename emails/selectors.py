from __future__ import annotations

from emails.models import OutgoingEmail


def email_of(*, notification: str, recipient_id: int) -> OutgoingEmail | None:
    """The outbox row of one notification to one recipient, whatever its status; None if none was recorded."""
    return OutgoingEmail.objects.filter(notification=notification, recipient_id=recipient_id).first()
