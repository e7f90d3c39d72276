"""An offering, its lifecycle graph, what each status means, and the record of who moved it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects.models.fields import money_field
from projects.models.issuers import Issuer

if TYPE_CHECKING:  # a commitment belongs to an offering: the import would go round in a circle
    from projects.models.commitments import AnnouncedCommitment


class Security(models.TextChoices):
    NEW_SHARES = "new_shares", _("New shares")
    EXISTING_SHARES = "existing_shares", _("Existing shares")


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    LIVE = "live", _("Live")
    SUSPENDED = "suspended", _("Suspended")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# What each status means, named once; callers use these names and never re-spell a tuple of statuses.
S = OfferingStatus
# Visible to everyone once staff have approved them.
PUBLIC_STATUSES = (S.APPROVED, S.LIVE, S.SUSPENDED, S.CLOSING, S.CLOSED, S.FAILED)
# Not yet approved: the issuer's draft, a rejection to revise, or staff's review. The issuer's guide follows these.
AWAITING_APPROVAL_STATUSES = (S.DRAFT, S.REJECTED, S.IN_REVIEW)
# Not yet open to subscriptions.
NOT_YET_OPEN_STATUSES = (S.DRAFT, S.IN_REVIEW, S.APPROVED)
# Opened and its deadline not yet reached (a suspended one whose hold lifts after the deadline goes to closing):
# investors may still cancel, within the regime's cancel window.
BEFORE_DEADLINE_STATUSES = (S.LIVE, S.SUSPENDED)
# Approved with a deadline ahead: its days left are shown, and an update may still change its terms.
DEADLINE_AHEAD_STATUSES = (S.APPROVED, *BEFORE_DEADLINE_STATUSES)
TERMS_CHANGEABLE_STATUSES = DEADLINE_AHEAD_STATUSES
# Past its deadline: closing, or ended with its outcome known.
AFTER_DEADLINE_STATUSES = (S.CLOSING, S.CLOSED, S.FAILED)
# Opened and not yet ended: the money raised still moves, so it can reach a milestone of its target.
OPENED_NOT_ENDED_STATUSES = (*BEFORE_DEADLINE_STATUSES, S.CLOSING)
# Approved and its outcome not yet known: the scheduled jobs still move it (open, close, settle).
UNDER_WAY_STATUSES = (*DEADLINE_AHEAD_STATUSES, S.CLOSING)
# A raise in progress: from submission until its deadline's outcome is known.
RAISING_STATUSES = (S.IN_REVIEW, *UNDER_WAY_STATUSES)
# Counted against the issuer's cap at its full maximum: a closing offering raises at most what it has reserved.
COUNTS_AGAINST_ISSUER_CAP_STATUSES = (S.IN_REVIEW, *DEADLINE_AHEAD_STATUSES)
# Where settlement looks: a live offering past its deadline, or a closing one.
SETTLEMENT_STATUSES = (S.LIVE, S.CLOSING)
# Where a risk hold suspends the offering (the `suspend` transition's sources).
SUSPENDABLE_STATUSES = (S.LIVE, S.CLOSING)
# Updates can be posted once the offering is submitted, and until long after it ended, unless it was withdrawn.
TAKES_UPDATES_STATUSES = (S.IN_REVIEW, *PUBLIC_STATUSES)
# The `cancel` transition's sources; a risk case on the company can stop those already before staff (not drafts).
CANCELLABLE_STATUSES = (S.DRAFT, S.IN_REVIEW, *DEADLINE_AHEAD_STATUSES)
STOPPABLE_BY_RISK_STATUSES = (S.IN_REVIEW, *DEADLINE_AHEAD_STATUSES)
# Ended: nothing more can be subscribed.
ENDED_STATUSES = (S.CLOSED, S.FAILED, S.CANCELLED)
# Over without raising anything: nothing more is filed for them.
ENDED_UNFUNDED_STATUSES = (S.CANCELLED, S.FAILED)
# Never before the public with money in it, or withdrawn: a risk hold has nothing to stop.
NOTHING_TO_HOLD_STATUSES = (S.DRAFT, S.REJECTED, S.CANCELLED)
del S


class Offering(models.Model):
    """An issuer's raise. Its status changes only through the named transitions below, called from services."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="offerings")
    regime = models.CharField(_("regime"), max_length=16)
    currency = models.CharField(_("currency"), max_length=3)
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    summary = models.TextField(_("summary"), validators=FREE_TEXT)
    security = models.CharField(_("security"), max_length=16, choices=Security.choices)
    price_per_share = money_field(_("price per share"))
    pre_money_valuation = money_field(_("pre-money valuation"))
    target_amount = money_field(_("target amount"))
    max_amount = money_field(_("maximum amount"))
    min_investment = money_field(_("minimum investment"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    use_of_funds = models.JSONField(_("use of funds"), default=list)
    risk_factors = models.TextField(_("risk factors"), validators=FREE_TEXT)
    status = FSMField(_("status"), max_length=16, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT)
    # Set and lifted only by the risk review: a critical case holds the money (no subscriptions, no settlement),
    # a high case on an offering in review holds its approval.
    risk_hold = models.BooleanField(_("risk hold"), default=False)
    approval_hold = models.BooleanField(_("approval held by risk review"), default=False)
    # Capacity taken by subscriptions that are paying or paid; it never exceeds max_amount.
    reserved_amount = money_field(_("reserved amount"), default=Decimal("0"))
    raised_amount = money_field(_("raised amount"), default=Decimal("0"))
    investor_count = models.PositiveIntegerField(_("investors"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["reserved_amount", "raised_amount", "investor_count", "updated_at"])

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_offering", "Can approve and reject offerings"),
            ("close_offering", "Can close offerings early"),
            ("cancel_offering", "Can cancel offerings that hold money and refund their investors"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reserved_amount__lte=F("max_amount")), name="offering_not_oversold"),
            models.CheckConstraint(condition=Q(reserved_amount__gte=0), name="offering_reserved_not_negative"),
            models.CheckConstraint(condition=Q(max_amount__gte=F("target_amount")), name="offering_max_ge_target"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="offering_closes_after_opens"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_commitments(self) -> list[AnnouncedCommitment]:
        """The commitments shown to everyone (read from `commitments`, so a prefetch serves it)."""
        return [commitment for commitment in self.commitments.all() if commitment.is_public]

    @property
    def remaining_amount(self) -> Decimal:
        return self.max_amount - self.reserved_amount

    @property
    def progress_pct(self) -> Decimal:
        return (self.raised_amount * 100 / self.target_amount).quantize(Decimal("0.01"))

    # The lifecycle graph. The bodies are empty: services guard, record history and save.
    @transition(field=status, source=OfferingStatus.DRAFT, target=OfferingStatus.IN_REVIEW)
    def submit(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.REJECTED, target=OfferingStatus.DRAFT)
    def revise(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.IN_REVIEW, target=OfferingStatus.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.IN_REVIEW, target=OfferingStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.APPROVED, target=OfferingStatus.LIVE)
    def go_live(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.LIVE, target=OfferingStatus.CLOSING)
    def start_closing(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.CLOSING, target=OfferingStatus.CLOSED)
    def close(self) -> None:
        pass

    # A risk hold stops an open or closing offering; lifting it sends the offering back to where its deadline says.
    @transition(field=status, source=list(SUSPENDABLE_STATUSES), target=OfferingStatus.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.SUSPENDED, target=OfferingStatus.LIVE)
    def resume(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.SUSPENDED, target=OfferingStatus.CLOSING)
    def resume_closing(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.CLOSING, target=OfferingStatus.FAILED)
    def fail(self) -> None:
        pass

    @transition(field=status, source=list(CANCELLABLE_STATUSES), target=OfferingStatus.CANCELLED)
    def cancel(self) -> None:
        pass


@dataclass(frozen=True)
class TransitionWords:
    """How a transition of the graph above is told: `verb` completes "An offering that is <status> cannot be ...",
    and `reason` is what its history row says when whoever moved it gave none."""

    verb: str
    reason: str


TRANSITION_WORDS = {
    "submit": TransitionWords(_("submitted for review"), _("Issuer submitted the offering for review.")),
    "revise": TransitionWords(_("revised"), _("Issuer revised the offering after rejection.")),
    "approve": TransitionWords(_("approved"), _("Approved by staff review.")),
    "reject": TransitionWords(_("rejected"), _("Rejected by staff review.")),
    "go_live": TransitionWords(_("opened"), _("Opening time reached.")),
    "start_closing": TransitionWords(_("closed early"), _("Deadline reached.")),
    "close": TransitionWords(_("closed"), _("Target reached; funds released.")),
    "fail": TransitionWords(_("marked failed"), _("Target missed; every payment refunded.")),
    "suspend": TransitionWords(_("suspended"), _("Risk review: critical case open.")),
    "resume": TransitionWords(_("resumed"), _("Risk review: cases resolved.")),
    "resume_closing": TransitionWords(_("resumed"), _("Risk review: cases resolved.")),
    "cancel": TransitionWords(_("cancelled"), _("Offering cancelled.")),
}


class OfferingTransition(models.Model):
    """Who moved an offering from which status to which, when and why."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=OfferingStatus.choices)
    to_status = models.CharField(max_length=16, choices=OfferingStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.offering_id}: {self.from_status} → {self.to_status}"


class OfferingApproval(models.Model):
    """One staff approval. Offerings of issuers tied to the platform need two, from different people."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True, validators=FREE_TEXT)
    # A rejection ends a review round: its approvals stay on record but no longer count.
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "by"], condition=models.Q(superseded=False), name="one_approval_per_staff_user"
            )
        ]


class OfferingMilestone(models.Model):
    """An offering reached a share of its target (50 or 100 per cent) and its investors were told, once."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="milestones")
    percent = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField()

    class Meta:
        ordering = ["offering", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "percent"], name="one_notice_per_offering_milestone")
        ]
