from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crowdfund.admin_actions import ReadOnlyAdmin, ReadOnlyTabularInline, service_action
from investors import identity_numbers, services, subscriptions
from investors.models import (
    Holding,
    KycDecision,
    KycProfile,
    Payment,
    ReconciliationIssue,
    Refund,
    RiskAcknowledgement,
    Subscription,
    SuitabilityAssessment,
)


class KycDecisionInline(ReadOnlyTabularInline):
    model = KycDecision
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields


@admin.register(KycProfile)
class KycProfileAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Staff decide through the actions, which call the audited services; nobody edits a submission by hand."""

    list_display = ["user", "real_name", "id_number_masked", "status", "review_reason", "qualified", "submitted_at"]
    list_filter = ["status", "qualified"]
    search_fields = ["user__username", "real_name", "phone"]
    list_select_related = ["user"]
    inlines = [KycDecisionInline]
    exclude = ["id_number_encrypted", "id_number_hash"]
    actions = [
        service_action(
            "Verify selected KYC submissions",
            lambda kyc, user, reason: services.kyc_review(kyc=kyc, by=user, approve=True, reason=reason),
        ),
        service_action(
            "Reject selected KYC submissions",
            lambda kyc, user, reason: services.kyc_review(kyc=kyc, by=user, approve=False, reason=reason),
            ask_reason=True,
        ),
    ]

    @admin.display(description=_("full identity number"))
    def full_identity_number(self, obj: KycProfile) -> str:
        return identity_numbers.decrypt(obj.id_number_encrypted)

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in KycProfile._meta.fields if f.name not in self.exclude]
        if request.user.has_perm("investors.view_identity_number"):
            fields.append("full_identity_number")
        return fields

    def has_review_permission(self, request):
        return request.user.has_perm("investors.change_kycprofile")


@admin.register(SuitabilityAssessment)
class SuitabilityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["user", "risk_level", "score", "version", "taken_at"]
    list_filter = ["risk_level", "version"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "version", "answers", "score", "risk_level", "taken_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskAcknowledgement)
class RiskAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["investor", "regime", "version", "signed_at", "client_ip"]
    list_filter = ["regime", "version"]
    search_fields = ["investor__username"]
    list_select_related = ["investor"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "investor", "offering", "amount", "currency", "shares", "status", "created_at", "paid_at"]
    list_filter = ["status", "currency"]
    search_fields = ["investor__username", "offering__title", "idempotency_key"]
    list_select_related = ["investor", "offering"]
    date_hierarchy = "created_at"


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["payment_intent_id", "subscription", "amount", "currency", "received_at"]
    search_fields = ["payment_intent_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Failed refunds are the ones staff must act on: filter by status, then retry or record a manual payout."""

    list_display = [
        "id", "subscription", "amount", "currency", "reason", "status", "failure_reason", "attempts", "stripe_refund_id",
        "requested_at",
    ]
    list_filter = ["status", "reason", "currency"]
    readonly_fields = [
        "subscription", "amount", "currency", "reason", "status", "stripe_refund_id", "requested_at", "completed_at",
        "failure_reason", "failed_at", "attempts", "manual_payout_note", "settled_by",
    ]
    actions = [
        service_action(
            _("Send selected refunds to Stripe again"),
            lambda refund, user, reason: subscriptions.refund_retry(refund_id=refund.pk, by=user),
            name="retry_refunds",
        ),
        service_action(
            _("Record a manual payout of selected failed refunds"),
            lambda refund, user, note: subscriptions.refund_record_manual_payout(refund_id=refund.pk, by=user, note=note),
            ask_reason=True,
            name="record_manual_payout",
        ),
    ]

    def has_review_permission(self, request):
        return request.user.has_perm("investors.change_refund")


@admin.register(Holding)
class HoldingAdmin(ReadOnlyAdmin):
    list_display = ["investor", "offering", "shares", "amount", "currency", "acquired_at"]
    search_fields = ["investor__username", "offering__title"]
    list_select_related = ["investor", "offering"]


@admin.register(ReconciliationIssue)
class ReconciliationIssueAdmin(admin.ModelAdmin):
    list_display = ["found_at", "kind", "stripe_id", "subscription", "resolved", "detail"]
    list_filter = ["kind", "resolved"]
    readonly_fields = ["found_at", "kind", "stripe_id", "subscription", "detail"]

    def has_add_permission(self, request):
        return False
