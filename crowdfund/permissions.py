"""Staff roles and the one check every staff decision makes.

A role is a Django group of permissions, created by the data migration `risk/migrations/0002_roles_staff_groups.py`;
a staff member holds the roles given to them in the admin, and a superuser holds every permission. Each service that
takes a staff decision calls `ensure_permission` with the one permission it needs, so the API, the web pages, the
admin actions and the commands all get the same answer: 403 `permission_denied`. Being staff (`is_staff`) only opens
the admin; it grants nothing else.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from kernel.errors import PermissionRefused

# The decisions, each a permission declared on its model (Meta.permissions), or Django's own view permission.
REVIEW_OFFERING = "projects.review_offering"
CLOSE_OFFERING = "projects.close_offering"
CANCEL_OFFERING = "projects.cancel_offering"
REVIEW_KYC = "investors.review_kyc"
VIEW_IDENTITY_NUMBER = "investors.view_identity_number"
RESOLVE_CASE = "risk.resolve_case"
# Retrying a failed refund or recording that it was paid by hand (Django's own change permission on refunds).
SETTLE_FAILED_REFUND = "investors.change_refund"
# What staff may read beyond what any user sees.
VIEW_ISSUER = "projects.view_issuer"
VIEW_OFFERING = "projects.view_offering"
VIEW_SUBSCRIPTION = "investors.view_subscription"
VIEW_CASE = "risk.view_case"

# Group names: the audit log and the demo data refer to them.
OFFERING_REVIEWER = "Offering reviewer"
KYC_OFFICER = "KYC officer"
RISK_ANALYST = "Risk analyst"
SUPPORT = "Support"

_COMPANY_RECORDS = (VIEW_ISSUER, VIEW_OFFERING, "projects.view_financialstatement", "projects.view_offeringupdate")
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    OFFERING_REVIEWER: (*_COMPANY_RECORDS, REVIEW_OFFERING, CLOSE_OFFERING),
    KYC_OFFICER: ("accounts.view_user", "investors.view_kycprofile", REVIEW_KYC, VIEW_IDENTITY_NUMBER),
    RISK_ANALYST: (
        *_COMPANY_RECORDS,
        VIEW_CASE,
        "risk.view_signal",
        "risk.view_caseevent",
        VIEW_SUBSCRIPTION,
        "investors.view_kycprofile",
        RESOLVE_CASE,
        CANCEL_OFFERING,
        "investors.view_refund",
        SETTLE_FAILED_REFUND,
    ),
    # Support reads: every `view_` permission of these apps (full identity numbers are not a `view_` permission).
    SUPPORT: (),
}
SUPPORT_READS_APPS = ("accounts", "projects", "investors", "ledger", "risk")


def roles_sync(*, group_model, permission_model) -> None:
    """Create each role's group with exactly its permissions. The data migration calls it with its historical models;
    `role_group` calls it when a test database was emptied after migrating."""
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        if name == SUPPORT:
            granted = permission_model.objects.filter(
                content_type__app_label__in=SUPPORT_READS_APPS, codename__startswith="view_"
            ).exclude(codename=VIEW_IDENTITY_NUMBER.partition(".")[2])
        else:
            granted = [
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, _dot, codename in (permission.partition(".") for permission in permissions)
            ]
        group.permissions.set(granted)


def role_group(name: str):
    """The group of one role, for the demo data and the tests that give staff a role."""
    from django.contrib.auth.models import Group, Permission

    if not Group.objects.filter(name=name).exists():
        roles_sync(group_model=Group, permission_model=Permission)
    return Group.objects.get(name=name)


def holds_permission(user, permission: str) -> bool:
    """Staff members hold what their roles grant; a superuser holds everything; nobody else holds anything."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm(permission))


def ensure_permission(user, permission: str) -> None:
    if not holds_permission(user, permission):
        raise PermissionRefused(_("Your staff role does not allow this."), details={"permission": permission})


def requires(permission: str) -> type[BasePermission]:
    """A DRF permission class asking the services' question, for endpoints that only read."""

    class HoldsPermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            ensure_permission(request.user, permission)
            return True

    return HoldsPermission
