from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from investors.kyc import selectors, services
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
from investors.subscriptions import refunds
from kernel.admin_actions import ReadOnlyAdmin, ReadOnlyTabularInline, service_action
from kernel.errors import PermissionRefused
from kernel.permissions import REVIEW_KYC, VIEW_IDENTITY_NUMBER, holds_permission
from projects.selectors import readable_offering


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
            _("Verify selected KYC submissions"),
            lambda kyc, user, reason: services.kyc_review(kyc=kyc, by=user, approve=True, reason=reason),
            name="verify_selected_kyc_submissions",
        ),
        service_action(
            _("Reject selected KYC submissions"),
            lambda kyc, user, reason: services.kyc_review(kyc=kyc, by=user, approve=False, reason=reason),
            ask_reason=True,
            name="reject_selected_kyc_submissions",
        ),
    ]

    @admin.display(description=_("full identity number"))
    def full_identity_number(self, obj: KycProfile) -> str:
        # A deliberate click, not every opening of the page, shows the number; each one is audited.
        url = reverse("admin:investors_kycprofile_identity_number", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Show (recorded in the audit log)"))

    def get_urls(self):
        reveal = path(
            "<int:pk>/identity-number/",
            self.admin_site.admin_view(self.identity_number_view),
            name="investors_kycprofile_identity_number",
        )
        return [reveal, *super().get_urls()]

    def identity_number_view(self, request, pk: int):
        kyc = get_object_or_404(KycProfile, pk=pk)
        try:
            number = services.identity_number_reveal(kyc=kyc, by=request.user)
        except PermissionRefused:
            raise PermissionDenied from None
        context = self.admin_site.each_context(request) | {
            "opts": KycProfile._meta,
            "title": _("Identity number"),
            "kyc": kyc,
            "number": number,
        }
        return TemplateResponse(request, "admin/investors/kycprofile/identity_number.html", context)

    @admin.display(description=_("year of birth"))
    def birth_year(self, obj: KycProfile) -> int:
        return obj.date_of_birth.year

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in KycProfile._meta.fields if f.name not in self.exclude]
        if holds_permission(request.user, VIEW_IDENTITY_NUMBER):
            fields.append("full_identity_number")
        if obj is None or not selectors.identity_visible_to(request.user, obj):
            fields[fields.index("date_of_birth")] = "birth_year"
        return fields

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # Past versions carry the full birth date.
        return holds_permission(
            request.user, VIEW_IDENTITY_NUMBER
        ) and super().has_view_history_or_change_history_permission(request, obj)

    def has_review_permission(self, request):
        return holds_permission(request.user, REVIEW_KYC)


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

    def get_queryset(self, request):
        # A subscription to an offering whose dates cannot be read is left out (the offering list names those).
        return super().get_queryset(request).filter(readable_offering("offering__"))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["payment_intent_id", "subscription", "amount", "currency", "received_at"]
    search_fields = ["payment_intent_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Failed refunds are the ones staff must act on: filter by status, then retry or record a manual payout."""

    list_display = [
        "id",
        "subscription",
        "amount",
        "currency",
        "reason",
        "status",
        "failure_reason",
        "attempts",
        "stripe_refund_id",
        "requested_at",
    ]
    list_filter = ["status", "reason", "currency"]
    readonly_fields = [
        "subscription",
        "amount",
        "currency",
        "reason",
        "status",
        "stripe_refund_id",
        "requested_at",
        "completed_at",
        "failure_reason",
        "failed_at",
        "attempts",
        "manual_payout_note",
        "settled_by",
    ]
    actions = [
        service_action(
            _("Send selected refunds to Stripe again"),
            lambda refund, user, reason: refunds.refund_retry(refund_id=refund.pk, by=user),
            name="retry_refunds",
        ),
        service_action(
            _("Record a manual payout of selected failed refunds"),
            lambda refund, user, note: refunds.refund_record_manual_payout(refund_id=refund.pk, by=user, note=note),
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
