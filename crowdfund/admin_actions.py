"""Admin actions that call a service for each selected object and report each refusal, optionally after asking
staff for a reason on an intermediate page."""

from __future__ import annotations

from typing import Callable

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from kernel.errors import DomainError


def service_action(
    description: str, call: Callable, *, ask_reason: bool = False, permission: str = "review", name: str = ""
) -> Callable:
    """`call(obj, user, reason)` is run once per selected object; refusals become admin messages.

    The default permission asks the ModelAdmin's `has_review_permission`, so that staff can decide through the
    audited services while the change form itself stays read-only."""

    @admin.action(description=description, permissions=[permission])
    def run(modeladmin, request, queryset):
        reason = ""
        if ask_reason:
            reason = (request.POST.get("reason") or "").strip()
            if "apply" not in request.POST or not reason:
                return TemplateResponse(
                    request,
                    "admin/reason_form.html",
                    {
                        **modeladmin.admin_site.each_context(request),
                        "title": str(description),
                        "objects": queryset,
                        "action": request.POST.get("action"),
                        "reason_missing": "apply" in request.POST,
                        "opts": modeladmin.model._meta,
                    },
                )
        done = 0
        for obj in queryset:
            try:
                call(obj, request.user, reason)
                done += 1
            except DomainError as refusal:
                modeladmin.message_user(request, f"{obj}: {refusal.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)
        return None

    # A translated description needs a fixed name: the name is what the admin's form posts back.
    run.__name__ = name or str(description).lower().replace(" ", "_")
    return run


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence (money movements, filed figures): staff read them; only services write them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin:
    """Rows shown under a record as evidence (history, approvals, signals): never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass


class ReadOnlyStackedInline(ReadOnlyInlineMixin, admin.StackedInline):
    pass
