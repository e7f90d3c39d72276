from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from kernel.admin_actions import ReadOnlyAdmin, ReadOnlyTabularInline, service_action
from kernel.errors import FieldErrors
from kernel.permissions import CLOSE_OFFERING, REVIEW_OFFERING, holds_permission
from projects import documents, questions, selectors, services
from projects.models import (
    AnnouncedCommitment,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingApproval,
    OfferingDocument,
    OfferingMilestone,
    OfferingQuestion,
    OfferingTransition,
    OfferingUpdate,
    PortfolioCompany,
    ReportReminder,
    TermChange,
)
from projects.validation import normalize_uscc


@admin.register(Issuer)
class IssuerAdmin(SimpleHistoryAdmin):
    list_display = ["legal_name", "uscc", "industry", "owner", "related_to_platform", "platform_stake_pct"]
    list_filter = ["related_to_platform", "industry"]
    search_fields = ["legal_name", "uscc", "owner__username"]
    readonly_fields = ["uscc", "owner", "created_at"]

    def save_model(self, request, obj, form, change):
        # Through the service, which tells the risk review at once.
        services.issuer_edit_by_staff(issuer=obj, by=request.user)


@admin.register(FinancialStatement)
class FinancialStatementAdmin(ReadOnlyAdmin):
    """Filed figures are evidence: staff read every version, nobody edits one."""

    list_display = [
        "issuer",
        "fiscal_year",
        "period",
        "kind",
        "version",
        "revenue",
        "net_profit",
        "audited",
        "filed_at",
    ]
    list_filter = ["kind", "period", "audited", "fiscal_year"]
    search_fields = ["issuer__legal_name", "issuer__uscc"]
    list_select_related = ["issuer"]


class TransitionInline(ReadOnlyTabularInline):
    model = OfferingTransition
    fields = ["at", "from_status", "to_status", "by", "reason"]


class ApprovalInline(ReadOnlyTabularInline):
    model = OfferingApproval
    fields = ["at", "by", "note"]


class CommitmentInline(ReadOnlyTabularInline):
    model = AnnouncedCommitment
    fields = ["by", "named_account_id", "investor", "amount", "status", "answered_at"]


class UpdateInline(ReadOnlyTabularInline):
    model = OfferingUpdate
    fields = ["posted_at", "title", "material_change", "changes", "requested_closes_at"]


class TermChangeInline(ReadOnlyTabularInline):
    model = TermChange
    fields = ["changed_at", "term", "old_value", "new_value"]


@admin.register(Offering)
class OfferingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issuer", "status", "risk_hold", "opens_at", "closes_at", "target_amount", "raised_amount"]
    list_filter = ["status", "risk_hold", "regime", "security"]
    search_fields = ["title", "issuer__legal_name", "issuer__uscc"]
    list_select_related = ["issuer"]
    date_hierarchy = "opens_at"
    readonly_fields = [
        "issuer",
        "regime",
        "currency",
        "status",
        "risk_hold",
        "reserved_amount",
        "raised_amount",
        "investor_count",
        "use_of_funds",
        "created_at",
        "updated_at",
    ]
    inlines = [CommitmentInline, ApprovalInline, TransitionInline, UpdateInline, TermChangeInline]
    actions = [
        service_action(
            gettext_lazy("Approve selected offerings"),
            lambda offering, user, reason: services.offering_approve(offering=offering, by=user),
            name="approve_selected_offerings",
        ),
        service_action(
            gettext_lazy("Reject selected offerings"),
            lambda offering, user, reason: services.offering_reject(offering=offering, by=user, reason=reason),
            ask_reason=True,
            name="reject_selected_offerings",
        ),
        service_action(
            gettext_lazy(
                "Close selected offerings early: bring the deadline forward by the notice period and email investors"
            ),
            lambda offering, user, reason: services.offering_close_early(offering=offering, by=user),
            name="close_offerings_early",
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.readable_offering())

    def changelist_view(self, request, extra_context=None):
        unreadable = selectors.unreadable_offering_ids()
        if unreadable:
            messages.error(
                request,
                _("Offerings left out because their dates cannot be read: %(ids)s. Repair them in the database.")
                % {"ids": ", ".join(map(str, unreadable))},
            )
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Nobody edits these fields by hand: staff decide through the actions, which call the audited services.
        return False

    def has_review_permission(self, request):
        # The services check again, each the one permission of its decision.
        return any(holds_permission(request.user, permission) for permission in (REVIEW_OFFERING, CLOSE_OFFERING))


class PortfolioCompanyForm(forms.ModelForm):
    class Meta:
        model = PortfolioCompany
        fields = ["uscc", "legal_name", "stake_pct", "note"]

    def clean_uscc(self) -> str:
        errors = FieldErrors()
        code = normalize_uscc(self.cleaned_data["uscc"], errors)
        if errors.fields:
            raise forms.ValidationError(errors.fields["uscc"])
        return code


@admin.register(PortfolioCompany)
class PortfolioCompanyAdmin(SimpleHistoryAdmin):
    """The platform group's holdings, kept by staff. An issuer listed here needs two approvers for its offerings
    and shows a related-party disclosure, whatever it declared; the history keeps who changed what."""

    form = PortfolioCompanyForm
    list_display = ["uscc", "legal_name", "stake_pct", "registered_issuer", "added_at"]
    search_fields = ["uscc", "legal_name", "note"]
    readonly_fields = ["added_at"]

    def save_model(self, request, obj, form, change):
        services.portfolio_company_save(entry=obj, by=request.user)

    def delete_model(self, request, obj):
        services.portfolio_company_delete(entry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.portfolio_company_delete(entry=entry, by=request.user)

    @admin.display(description=gettext_lazy("registered issuer"))
    def registered_issuer(self, obj: PortfolioCompany) -> str:
        issuer = Issuer.objects.filter(uscc=obj.uscc).first()
        return str(issuer) if issuer else "—"


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdmin):
    """Which issuer was reminded of which year's annual report, and when: the record that keeps it to once."""

    list_display = ["issuer", "fiscal_year", "sent_at"]
    list_filter = ["fiscal_year"]
    search_fields = ["issuer__legal_name", "issuer__uscc"]
    list_select_related = ["issuer"]


@admin.register(OfferingMilestone)
class OfferingMilestoneAdmin(ReadOnlyAdmin):
    list_display = ["offering", "percent", "reached_at"]
    search_fields = ["offering__title"]
    list_select_related = ["offering"]


@admin.register(OfferingQuestion)
class OfferingQuestionAdmin(ReadOnlyAdmin):
    """Public questions and answers; staff hide abuse through the service, with a reason on record."""

    list_display = ["offering", "asked_by", "asked_at", "answered_at", "hidden_at", "hidden_by"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["offering", "asked_by", "hidden_by"]
    search_fields = ["text", "answer", "offering__title"]
    actions = [
        service_action(
            gettext_lazy("Hide selected questions from public lists"),
            lambda question, user, reason: questions.question_hide(question=question, by=user, reason=reason),
            ask_reason=True,
            name="hide_questions",
        )
    ]

    def has_review_permission(self, request):
        return request.user.has_perm("projects.change_offeringquestion")


@admin.register(OfferingDocument)
class OfferingDocumentAdmin(ReadOnlyAdmin):
    """The data rooms' documents; reviewers withdraw one through the service, with a reason on record."""

    list_display = ["title", "offering", "kind", "pages", "size", "uploaded_by", "uploaded_at", "withdrawn_at"]
    list_filter = ["kind", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["offering", "uploaded_by"]
    search_fields = ["title", "offering__title", "sha256"]
    exclude = ["file"]  # the stored name is not a link: staff download through the page like everyone else
    actions = [
        service_action(
            gettext_lazy("Withdraw selected documents from the data room"),
            lambda document, user, reason: documents.document_withdraw(document=document, by=user, reason=reason),
            ask_reason=True,
            name="withdraw_documents",
        )
    ]

    def has_view_permission(self, request, obj=None):
        # Reviewers decide what a data room shows, so they read it whether or not their role lists this model.
        return holds_permission(request.user, REVIEW_OFFERING) or super().has_view_permission(request, obj)

    def has_review_permission(self, request):
        return holds_permission(request.user, REVIEW_OFFERING)
