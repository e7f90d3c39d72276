"""Every read of issuers, statements and offerings that a page or the API needs, with who may see what."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.models import PUBLIC_STATUSES, FinancialStatement, Issuer, Offering


def issuers_visible_to(user) -> QuerySet[Issuer]:
    issuers = Issuer.objects.select_related("owner")
    if user.is_staff:
        return issuers.all()
    return issuers.filter(owner=user)


def statements_of(issuer: Issuer) -> QuerySet[FinancialStatement]:
    return issuer.statements.select_related("filed_by", "superseded_by").order_by("-fiscal_year", "period", "kind", "-version")


def offerings_visible_to(user) -> QuerySet[Offering]:
    """Everyone sees approved offerings and later; an issuer also sees its own drafts; staff see everything."""
    offerings = Offering.objects.select_related("issuer").prefetch_related("commitments")
    if user.is_authenticated and user.is_staff:
        return offerings.all()
    visible = Q(status__in=PUBLIC_STATUSES)
    if user.is_authenticated:
        visible |= Q(issuer__owner=user)
    return offerings.filter(visible)


def offerings_search(*, user, status: str = "", search: str = "") -> QuerySet[Offering]:
    """The offerings page: what the user may see, narrowed to one status and to words found in the title, the
    summary or the company's name."""
    offerings = offerings_visible_to(user)
    if status:
        offerings = offerings.filter(status=status)
    if search:
        offerings = offerings.filter(
            Q(title__icontains=search) | Q(summary__icontains=search) | Q(issuer__legal_name__icontains=search)
        )
    return offerings


def offerings_with_updates_visible_to(user) -> QuerySet[Offering]:
    """An offering's page shows its updates and the terms each one changed."""
    return offerings_visible_to(user).prefetch_related("updates__term_changes")


def offerings_managed_by(user) -> QuerySet[Offering]:
    """Offerings of the companies the user manages (every company, for staff)."""
    return offerings_visible_to(user).filter(issuer__in=issuers_visible_to(user))
