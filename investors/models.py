from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from kernel.validators import SINGLE_LINE
from projects.models import money_field


class KycStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class KycProfile(models.Model):
    """An investor's identity and means. The identity number is stored encrypted, with a keyed hash for look-ups."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc")
    real_name = models.CharField(_("real name"), max_length=100, validators=SINGLE_LINE)
    id_number_encrypted = models.TextField()
    id_number_hash = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("identity number"), max_length=18)
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=20)
    annual_income = money_field(_("average annual income, last 3 years"))
    financial_assets = money_field(_("financial assets"))
    # Asked by regimes whose investment limit depends on them (us_reg_cf); optional elsewhere.
    net_worth = money_field(_("net worth"), null=True, blank=True)
    accredited_investor = models.BooleanField(_("accredited investor"), default=False)
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
        permissions = [
            ("view_identity_number", "Can see investors' full identity numbers"),
            ("review_kyc", "Can verify and reject KYC submissions"),
        ]

    def __str__(self) -> str:
        return f"{self.real_name} ({self.id_number_masked})"

    @transition(
        field=status, source=[KycStatus.PENDING, KycStatus.VERIFIED, KycStatus.REJECTED], target=KycStatus.PENDING
    )
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


class RiskAcknowledgement(models.Model):
    """An investor's signature under a regime's risk statement: which regime and version, the text as shown, when.
    Required before the first subscription under that regime; a new version of the text needs a new signature."""

    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_acknowledgements"
    )
    regime = models.CharField(max_length=16)
    version = models.CharField(max_length=32)
    text = models.TextField()
    signed_at = models.DateTimeField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["investor", "regime", "version"], name="one_signature_per_statement_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.investor} signed {self.version} at {self.signed_at:%Y-%m-%d %H:%M}"


class SubscriptionStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Payment in progress")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    EXPIRED = "expired", _("Expired")
    PAID = "paid", _("Paid (in escrow)")
    RECONFIRMATION_REQUIRED = "reconfirmation_required", _("Reconfirmation required")
    CANCELLED = "cancelled", _("Cancelled")
    SETTLED = "settled", _("Settled")
    REFUNDED = "refunded", _("Refunded")


# What each status means, named once; callers use these names and never re-spell a tuple of statuses.
# Subscriptions that hold part of an offering's capacity, and those whose money sits in escrow.
CAPACITY_STATUSES = (
    SubscriptionStatus.PENDING_PAYMENT,
    SubscriptionStatus.PAID,
    SubscriptionStatus.RECONFIRMATION_REQUIRED,
)
FUNDED_STATUSES = (SubscriptionStatus.PAID, SubscriptionStatus.RECONFIRMATION_REQUIRED)
# The investor may take the money back (within the offering's cancel window): the `cancel` transition's sources.
CANCELLABLE_BY_INVESTOR_STATUSES = FUNDED_STATUSES
# Money paid in and not given back: in escrow or settled to the issuer.
PAID_IN_STATUSES = (*FUNDED_STATUSES, SubscriptionStatus.SETTLED)
# Counted as invested for an investment limit: money taken or being taken, and not given back.
INVESTED_STATUSES = (*CAPACITY_STATUSES, SubscriptionStatus.SETTLED)
# Who hears about an offering's updates: every investor whose money is in it or on its way.
RECEIVES_NEWS_STATUSES = (SubscriptionStatus.PENDING_PAYMENT, *PAID_IN_STATUSES)
# Asked to confirm again after a material change: a payment still under way is asked too, once it arrives.
RECONFIRMING_STATUSES = (SubscriptionStatus.PENDING_PAYMENT, SubscriptionStatus.RECONFIRMATION_REQUIRED)
# Money that backs an announced commitment: it arrived and the investor did not take it back (refunded only because
# the offering failed or was cancelled still counts; an investor's own cancellation does not).
BACKING_STATUSES = (*FUNDED_STATUSES, SubscriptionStatus.SETTLED, SubscriptionStatus.REFUNDED)

# Subscriptions whose payment was accepted as theirs (once funded); an expired or failed one had its charge refunded.
PAYMENT_ACCEPTED_STATUSES = (
    *FUNDED_STATUSES,
    SubscriptionStatus.SETTLED,
    SubscriptionStatus.CANCELLED,
    SubscriptionStatus.REFUNDED,
)


class Subscription(models.Model):
    """An investor's order for shares of one offering. Capacity is reserved when it is created."""

    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions")
    offering = models.ForeignKey("projects.Offering", on_delete=models.PROTECT, related_name="subscriptions")
    amount = money_field(_("amount"))
    currency = models.CharField(max_length=3)
    shares = models.PositiveBigIntegerField(_("shares"))
    status = FSMField(
        _("status"), max_length=24, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING_PAYMENT
    )
    idempotency_key = models.CharField(max_length=100)
    # A digest of the request body: the same key with another body is a conflict, not a repeat.
    request_digest = models.CharField(max_length=64)
    payment_method = models.CharField(max_length=100)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    card_fingerprint = models.CharField(max_length=100, blank=True)
    # The investor's own declaration that they are a director, employee or shareholder of the issuer.
    insider_of_issuer = models.BooleanField(_("insider of the issuer"), default=False)
    created_at = models.DateTimeField()
    reserved_until = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reconfirm_deadline = models.DateTimeField(null=True, blank=True)
    # What a new price left over (the amount buys fewer whole shares): refunded when the investor reconfirms, or
    # with everything else if the subscription lapses.
    price_remainder = money_field(_("price remainder"), default=0)

    history = HistoricalRecords()
    # Set before a save to give its history row a reason (django-simple-history reads it); not a column.
    _change_reason: str

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["investor", "idempotency_key"], name="one_subscription_per_idempotency_key"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subscription_amount_positive"),
        ]
        indexes = [models.Index(fields=["offering", "status"]), models.Index(fields=["status", "reserved_until"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.investor} → {self.offering_id}: {self.amount} {self.currency}"

    @property
    def refund_record(self) -> Refund | None:
        """The refund of the whole amount (cancelled, failed, late...), if any; remainders of a price change aside.
        Reads prefetched `refunds` when the query has them."""
        return next((r for r in self.refunds.all() if r.reason != RefundReason.PRICE_REMAINDER), None)

    @transition(field=status, source=SubscriptionStatus.PENDING_PAYMENT, target=SubscriptionStatus.PAID)
    def mark_paid(self) -> None:
        pass

    @transition(field=status, source=SubscriptionStatus.PENDING_PAYMENT, target=SubscriptionStatus.PAYMENT_FAILED)
    def mark_payment_failed(self) -> None:
        pass

    @transition(field=status, source=SubscriptionStatus.PENDING_PAYMENT, target=SubscriptionStatus.EXPIRED)
    def expire(self) -> None:
        pass

    @transition(field=status, source=list(CANCELLABLE_BY_INVESTOR_STATUSES), target=SubscriptionStatus.CANCELLED)
    def cancel(self) -> None:
        pass

    # A material change to the offering's terms: the money stays in escrow until the investor confirms again.
    @transition(field=status, source=SubscriptionStatus.PAID, target=SubscriptionStatus.RECONFIRMATION_REQUIRED)
    def require_reconfirmation(self) -> None:
        pass

    @transition(field=status, source=SubscriptionStatus.RECONFIRMATION_REQUIRED, target=SubscriptionStatus.PAID)
    def reconfirm(self) -> None:
        pass

    @transition(field=status, source=SubscriptionStatus.PAID, target=SubscriptionStatus.SETTLED)
    def settle(self) -> None:
        pass

    @transition(field=status, source=list(FUNDED_STATUSES), target=SubscriptionStatus.REFUNDED)
    def refund(self) -> None:
        pass


class Payment(models.Model):
    """A charge seen at Stripe for a subscription: from the request's answer, a webhook or the recovery sweep."""

    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="payment")
    payment_intent_id = models.CharField(max_length=100, unique=True)
    amount = money_field(_("amount"))
    currency = models.CharField(max_length=3)
    received_at = models.DateTimeField()


class RefundReason(models.TextChoices):
    CANCELLED = "cancelled", _("Investor cancelled")
    OFFERING_FAILED = "offering_failed", _("Offering failed")
    OFFERING_CANCELLED = "offering_cancelled", _("Offering cancelled")
    LATE_PAYMENT = "late_payment", _("Payment arrived after the reservation ended")
    AMOUNT_MISMATCH = "amount_mismatch", _("The charge did not match the subscription")
    PRICE_REMAINDER = "price_remainder", _("Remainder after a price change")


class RefundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("refund status", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("refund status", "Succeeded")
    # Stripe refused or failed it: the money is still in escrow until staff retry it or pay it out by hand.
    FAILED = "failed", pgettext_lazy("refund status", "Failed")
    PAID_MANUALLY = "paid_manually", _("Paid out by hand")


# Refunds whose money has left the escrow.
REFUND_DONE_STATUSES = (RefundStatus.SUCCEEDED, RefundStatus.PAID_MANUALLY)


class Refund(models.Model):
    """Money going back to an investor: at most one refund of the whole amount Stripe charged (less any remainder
    already refunded) per subscription, and one remainder refund per reconfirmed price change."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=24, choices=RefundReason.choices)
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    stripe_refund_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt failed (Stripe's refusal or failure reason), kept after staff settle it.
    failure_reason = models.TextField(_("failure reason"), blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # When the current attempt was last being sent to Stripe: set, it may have reached Stripe unrecorded, so the next
    # run looks there before sending it again (investors.subscriptions.refunds.refunds_process).
    sent_at = models.DateTimeField(null=True, blank=True)
    # Staff's retries of a failed refund; each is a new refund at Stripe.
    attempts = models.PositiveSmallIntegerField(default=0)
    manual_payout_note = models.TextField(_("manual payout"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=~models.Q(reason="price_remainder"),
                name="one_whole_refund_per_subscription",
            )
        ]

    def __str__(self) -> str:
        return f"Refund #{self.pk} of subscription {self.subscription_id}: {self.amount} {self.currency}"


class Holding(models.Model):
    """Shares issued to an investor when an offering closed successfully."""

    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="holding")
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="holdings")
    offering = models.ForeignKey("projects.Offering", on_delete=models.PROTECT, related_name="holdings")
    shares = models.PositiveBigIntegerField()
    amount = money_field(_("amount"))
    currency = models.CharField(max_length=3)
    acquired_at = models.DateTimeField()

    class Meta:
        ordering = ["-acquired_at", "-id"]


class StripeEvent(models.Model):
    """Each Stripe webhook event once: a redelivered event finds its row and changes nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField()


class ReconciliationIssue(models.Model):
    """A difference between our payment records and Stripe's, found by the periodic reconciliation."""

    found_at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    stripe_id = models.CharField(max_length=100, blank=True)
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.TextField()
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stripe_id"], condition=models.Q(resolved=False), name="one_open_issue_per_record"
            )
        ]
