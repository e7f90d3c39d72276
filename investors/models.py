from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from projects.models import money_field


class KycStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class KycProfile(models.Model):
    """An investor's identity and means. The identity number is stored encrypted, with a keyed hash for look-ups."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc")
    real_name = models.CharField(_("real name"), max_length=100)
    id_number_encrypted = models.TextField()
    id_number_hash = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("identity number"), max_length=18)
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=20)
    annual_income = money_field(_("average annual income, last 3 years"))
    financial_assets = money_field(_("financial assets"))
    currency = models.CharField(max_length=3, default="CNY")
    status = FSMField(_("status"), max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    # Why a submission waits for staff instead of being verified automatically.
    review_reason = models.TextField(_("why staff must review"), blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    # Qualified-investor status under a regime, with the figures and threshold it rests on.
    qualified = models.BooleanField(_("qualified investor"), default=False)
    qualification_regime = models.CharField(max_length=16, blank=True)
    qualification_evidence = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(excluded_fields=["id_number_encrypted"])

    class Meta:
        permissions = [("view_identity_number", "Can see investors' full identity numbers")]

    def __str__(self) -> str:
        return f"{self.real_name} ({self.id_number_masked})"

    @transition(field=status, source=[KycStatus.PENDING, KycStatus.VERIFIED, KycStatus.REJECTED], target=KycStatus.PENDING)
    def resubmit(self) -> None:
        pass

    @transition(field=status, source=KycStatus.PENDING, target=KycStatus.VERIFIED)
    def verify(self) -> None:
        pass

    @transition(field=status, source=KycStatus.PENDING, target=KycStatus.REJECTED)
    def reject(self) -> None:
        pass


class KycDecision(models.Model):
    """Audit trail of every KYC status change: by whom (none for the provider), when, why."""

    kyc = models.ForeignKey(KycProfile, on_delete=models.CASCADE, related_name="decisions")
    from_status = models.CharField(max_length=16, choices=KycStatus.choices)
    to_status = models.CharField(max_length=16, choices=KycStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class SuitabilityAssessment(models.Model):
    """One completed questionnaire. The latest one gives the investor's risk level."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suitability_assessments")
    version = models.CharField(max_length=16)
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    risk_level = models.CharField(max_length=2)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-taken_at", "-id"]
        get_latest_by = "taken_at"
