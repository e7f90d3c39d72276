"""The risk queue for staff: open cases by severity and age, the evidence of each signal laid out, and the resolve
actions, which go through risk.services like the API's."""

from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kernel.admin_actions import ReadOnlyAdmin, ReadOnlyStackedInline, ReadOnlyTabularInline, service_action
from kernel.permissions import RESOLVE_CASE, holds_permission
from risk import selectors, services
from risk.models import Case, CaseEvent, Outcome, Signal, SubjectType

ADMIN_URL_OF_RECORD = {
    "issuer": "admin:projects_issuer_change",
    "offering": "admin:projects_offering_change",
    "financial_statement": "admin:projects_financialstatement_change",
    "offering_update": "admin:projects_offeringupdate_change",
    "portfolio_company": "admin:projects_portfoliocompany_change",
    "kyc": "admin:investors_kycprofile_change",
    "investor": "admin:accounts_user_change",
}
SUBJECT_RECORD = {SubjectType.ISSUER: "issuer", SubjectType.OFFERING: "offering", SubjectType.INVESTOR: "investor"}


def _link(record_type: str, record_id: int, label: str):
    try:
        return format_html('<a href="{}">{}</a>', reverse(ADMIN_URL_OF_RECORD[record_type], args=[record_id]), label)
    except (KeyError, NoReverseMatch):
        return label


class SignalInline(ReadOnlyStackedInline):
    model = Signal
    fields = ["rule", "severity", "score", "created_at", "evidence_laid_out"]
    readonly_fields = fields

    @admin.display(description=_("evidence"))
    def evidence_laid_out(self, signal: Signal):
        evidence = signal.evidence or {}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (row.get("figure", ""), row.get("expected") or "—", row.get("actual") or "—", row.get("threshold", ""))
                for row in evidence.get("comparisons", [])
            ),
        )
        table = (
            format_html(
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
                _("figure"),
                _("projected / expected / allowed"),
                _("actual"),
                _("threshold"),
                rows,
            )
            if rows
            else ""
        )
        quotes = format_html_join(
            "", "<li>{}: «{}» in “{}”</li>", ((q["field"], q["phrase"], q["text"]) for q in evidence.get("quotes", []))
        )
        involved = format_html_join(
            "",
            "<li>{}</li>",
            (
                (format_html("{} {}", s["investor"], s["shares_with_others"]),)
                for s in evidence.get("subscriptions", [])
            ),
        )
        records = format_html_join(
            ", ", "{}", ((_link(r["type"], r["id"], r.get("label") or r["id"]),) for r in evidence.get("records", []))
        )
        return format_html(
            "<p><strong>{}</strong></p>{}{}{}<p>{}: {}</p>",
            evidence.get("summary", ""),
            table,
            format_html("<ul>{}</ul>", quotes) if quotes else "",
            format_html("<p>{}</p><ul>{}</ul>", _("investors involved"), involved) if involved else "",
            _("records"),
            records,
        )


class CaseEventInline(ReadOnlyTabularInline):
    model = CaseEvent
    fields = ["at", "action", "by", "note", "detail"]
    readonly_fields = fields


def _resolve(outcome: str):
    return lambda case, user, note: services.case_resolve(case=case, by=user, outcome=outcome, note=note)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject_link", "severity", "status", "rules", "age_days", "opened_at"]
    list_filter = ["status", "severity", "subject_type"]
    ordering = ["status", "-severity_rank", "opened_at"]
    fields = [
        "subject_link",
        "severity",
        "status",
        "opened_at",
        "outcome",
        "resolution_note",
        "resolved_by",
        "resolved_at",
        "projection_against_actual",
    ]
    readonly_fields = fields
    inlines = [SignalInline, CaseEventInline]
    actions = [
        service_action(
            _("Resolve: cleared (no risk after review)"),
            _resolve(Outcome.CLEARED),
            ask_reason=True,
            name="resolve_cleared",
        ),
        service_action(
            _("Resolve: action taken (finding confirmed, investors told)"),
            _resolve(Outcome.ACTION_TAKEN),
            ask_reason=True,
            name="resolve_action_taken",
        ),
        service_action(
            _("Cancel the offering(s) concerned and refund every investor"),
            lambda case, user, reason: services.case_offerings_cancel(case=case, by=user, reason=reason),
            ask_reason=True,
            name="cancel_offerings_and_refund",
        ),
    ]

    def has_review_permission(self, request) -> bool:
        return holds_permission(request.user, RESOLVE_CASE)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("signals")

    @admin.display(description=_("subject"))
    def subject_link(self, case: Case):
        label = f"{case.get_subject_type_display()} #{case.subject_id}"
        return _link(SUBJECT_RECORD[case.subject_type], case.subject_id, label)

    class Media:
        css = {"all": ["css/charts.css"]}

    @admin.display(description=_("projected against actual"))
    def projection_against_actual(self, case: Case):
        """The evidence as the offering page shows it to investors: the same selector and the same charts."""
        found = selectors.case_financials(case)
        if found is None:
            return "—"
        offering, financials = found
        return render_to_string(
            "projects/includes/projection_against_actual.html",
            {"financials": financials, "currency": offering.currency, "chart_id": f"case-{case.pk}-"},
        )

    @admin.display(description=_("rules"))
    def rules(self, case: Case) -> str:
        return ", ".join(sorted({signal.rule for signal in case.signals.all()}))

    @admin.display(description=_("age (days)"), ordering="opened_at")
    def age_days(self, case: Case) -> int:
        return (timezone.now() - case.opened_at).days
