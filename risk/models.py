"""Risk cases: the signals the review raised about one subject (an issuer, an offering or an investor), and what
staff decided about them. Signals and audit rows are never edited; a case changes only through its transitions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK: dict[str, int] = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


def highest(severities) -> str | None:
    return max(severities, key=SEVERITY_RANK.__getitem__, default=None)


class SubjectType(models.TextChoices):
    ISSUER = "issuer", _("Issuer")
    OFFERING = "offering", _("Offering")
    INVESTOR = "investor", _("Investor")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Outcome(models.TextChoices):
    CLEARED = "cleared", _("Cleared: no risk after review")
    ACTION_TAKEN = "action_taken", _("Action taken: the finding is confirmed")


class Case(models.Model):
    subject_type = models.CharField(_("subject"), max_length=16, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField()
    # The company every case concerns (for an investor case, none), and the offering for an offering case: filters.
    issuer = models.ForeignKey("projects.Issuer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey("projects.Offering", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(editable=False)
    status = FSMField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        ordering = ["-severity_rank", "opened_at"]
        permissions = [("resolve_case", "Can resolve risk cases")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], condition=Q(status="open"), name="one_open_case_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["status", "severity_rank"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_subject_type_display()} {self.subject_id} ({self.severity})"

    def save(self, *args, **kwargs):
        self.severity_rank = SEVERITY_RANK[self.severity]
        super().save(*args, **kwargs)

    @transition(field=status, source=CaseStatus.OPEN, target=CaseStatus.RESOLVED)
    def resolve(self) -> None:
        pass


class Signal(models.Model):
    """One rule's finding about one subject, with the evidence a person can check. The fingerprint identifies the
    facts: the same facts screened again give the same fingerprint, and a subject never gets one twice."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signals")
    subject_type = models.CharField(max_length=16, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField()
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=4)
    evidence = models.JSONField(_("evidence"))
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("raised at"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "fingerprint"], name="one_signal_per_subject_and_facts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity})"


class CaseEvent(models.Model):
    """The audit trail of a case: opened, signal raised, hold placed or lifted, resolved, investors told."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class PendingPaymentScreening(models.Model):
    """A screening of an offering after its payments is queued or running. During a sale many payments coalesce into
    one: a payment that finds this row only marks it `dirty`, and the running screening then runs once more, so the
    last payment of any burst is screened by a run that started after it (risk/payment_screening.py)."""

    offering = models.OneToOneField("projects.Offering", primary_key=True, on_delete=models.CASCADE, related_name="+")
    # The latest payment to judge as of.
    as_of = models.DateTimeField()
    # A payment arrived after the queued or running screening read its facts.
    dirty = models.BooleanField(default=False)
    # When the screening was sent; one that has not finished long after is taken as lost and sent again.
    queued_at = models.DateTimeField()


class PendingIssuerScreening(models.Model):
    """A company's screening is due: an event about it (a statement filed, its details changed) arrived and no
    screening has read its facts since. Screenings take these rows in batches, each company as of its latest event
    (risk/issuer_screening.py)."""

    issuer = models.OneToOneField("projects.Issuer", primary_key=True, on_delete=models.CASCADE, related_name="+")
    # The latest event to judge as of.
    as_of = models.DateTimeField()
    # An event arrived after the running screening read the company's facts: screen it again.
    dirty = models.BooleanField(default=False)
    # When a screening took the row; one that has not finished long after is taken as lost.
    claimed_at = models.DateTimeField(null=True, blank=True)
