"""What an offering's public page holds besides its terms: the questions asked in public, and the data room."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects.models.offerings import Offering


class OfferingQuestion(models.Model):
    """A question a signed-in investor asked in public about an offering, and the issuer's one answer. Staff hide
    abuse: a hidden question stays on record (who hid it, when, why) but leaves every public list."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"), validators=FREE_TEXT)
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True, validators=FREE_TEXT)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.TextField(_("why hidden"), blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["offering", "hidden_at"])]

    def __str__(self) -> str:
        return f"{self.offering}: {self.text[:60]}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class DocumentKind(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    AUDIT_REPORT = "audit_report", _("Audit report")
    ARTICLES = "articles", _("Articles of association")
    OTHER = "other", _("Other")


class OfferingDocument(models.Model):
    """A PDF in an offering's data room, uploaded by the company. Staff withdraw one rather than delete it: a
    withdrawn document leaves every list and cannot be downloaded, but stays on record with who withdrew it and why."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    # Stored under MEDIA_ROOT with a generated name; never reachable by URL, only through the download view.
    file = models.FileField(_("file"), upload_to="offering-documents/%Y/%m/")
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["offering", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.offering}: {self.title}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
