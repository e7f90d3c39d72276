"""The staff audit log: one row per decision, never changed, each row's hash covering its content and the hash of
the row before it, so that a removed or altered row breaks the chain (`manage.py verify_audit_log`)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit entries are never changed.")

    def delete(self):
        raise AppendOnly("Audit entries are never removed.")


class AuditEntry(models.Model):
    """Who decided what about which record, and when. The actor and the subject are copied as they were (no foreign
    keys): the entry outlives both, and nothing cascades into the log. On PostgreSQL a trigger refuses UPDATE and
    DELETE on this table whatever the code does."""

    at = models.DateTimeField(_("at"))
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    actor = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    details = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit entries are never removed.")
