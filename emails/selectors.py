from __future__ import annotations

from django.db.models import QuerySet

from emails.models import OutgoingEmail


def email_of(*, notification: str, recipient_id: int) -> OutgoingEmail | None:
    """The outbox row of one notification to one recipient, whatever its status; None if none was recorded."""
    return OutgoingEmail.objects.filter(notification=notification, recipient_id=recipient_id).first()


def notifications_of(recipient) -> QuerySet[OutgoingEmail]:
    """Everything the platform has told one user by email, newest first, whether or not the mail got through."""
    return OutgoingEmail.objects.filter(recipient=recipient).only(
        "subject", "body", "status", "created_at", "sent_at", "read_at"
    )


def unread_notification_count(recipient) -> int:
    return OutgoingEmail.objects.filter(recipient=recipient, read_at__isnull=True).count()
