"""Work that a committed change owes to the rest of the platform, written in the change's own transaction."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    # An event of kernel.events.EVENTS, handed to its listeners.
    EVENT = "event", _("Event")
    # One Celery task, sent by its registered name.
    TASK = "task", _("Task")


class OutboxMessage(models.Model):
    """One event or task. Sent after its transaction commits and again by the relay until `sent_at` is set, so it is
    delivered at least once; what receives it must be idempotent (every task and listener is)."""

    kind = models.CharField(max_length=8, choices=MessageKind.choices)
    name = models.CharField(max_length=100)
    # An event's keyword arguments, or a task's positional arguments under "args".
    payload = models.JSONField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} #{self.pk}"
