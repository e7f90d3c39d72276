"""The email outbox: one row per (recipient, notification), written in the transaction of the change it reports and
sent after commit. Kernel machinery: every domain app may use it, and it knows none of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EmailStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("email status", "Pending")
    SENT = "sent", pgettext_lazy("email status", "Sent")
    # Every attempt failed: staff see it and may send it again.
    FAILED = "failed", pgettext_lazy("email status", "Failed")


class OutgoingEmail(models.Model):
    # What the email is about, e.g. `subscription:12:confirmed`; with the recipient, it is sent at most once.
    notification = models.CharField(_("notification"), max_length=120)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    address = models.EmailField(_("address"))
    subject = models.CharField(pgettext_lazy("email", "subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # When the recipient opened their notifications page with this one on it; null while unread.
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "recipient"], name="one_email_per_notification_and_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The unread count in every page's menu.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="email_unread_by_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.address} ({self.status})"
