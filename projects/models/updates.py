"""News an offering's investors are sent, and the terms it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects.models.offerings import Offering


class OfferingUpdate(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    body = models.TextField(_("body"), validators=FREE_TEXT)
    material_change = models.BooleanField(_("material change"), default=False)
    changes = models.JSONField(_("changed terms"), default=dict, blank=True)
    # The issuer asks staff to close early at this time; staff decide (projects.services.offering_close_early).
    requested_closes_at = models.DateTimeField(_("early close requested for"), null=True, blank=True)
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TermChange(models.Model):
    """One term of a running offering changed by an update: the old and new value, kept for investors and review."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="term_changes")
    update = models.ForeignKey(OfferingUpdate, on_delete=models.CASCADE, related_name="term_changes")
    term = models.CharField(max_length=32)
    old_value = models.JSONField()
    new_value = models.JSONField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
