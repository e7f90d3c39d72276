"""What waits for staff, for the admin start page: each queue counted and linked to its filtered admin list, shown
only to staff whose role may read it. Lives in `risk`, the app that may read both `projects` and `investors`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from investors.models import (
    KycProfile,
    KycStatus,
    ReconciliationIssue,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from projects.models import Offering, OfferingStatus
from risk.models import Case, CaseStatus, Severity

# A case open this long has waited too long, whatever its severity.
STALE_CASE_DAYS = 7
# Failed payments worth a look: recent ones (an investor may still be trying).
RECENT_FAILURE_DAYS = 7


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    url: str
    note: str = ""
    urgent: bool = False


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _may_read(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def _age_note(oldest: dt.datetime | None, now: dt.datetime) -> str:
    if oldest is None:
        return ""
    return _("oldest %(days)d days") % {"days": (now - oldest).days}


def _waiting_in_status(label: str, model, status: str, since: str, now: dt.datetime, *, urgent=False) -> Waiting:
    """The records of `model` in `status`: how many, and how long the oldest (by its `since` field) has waited."""
    waiting = model.objects.filter(status=status).aggregate(count=Count("pk"), oldest=Min(since))
    return Waiting(
        label=label,
        count=waiting["count"],
        url=_changelist(model, status__exact=status),
        note=_age_note(waiting["oldest"], now),
        urgent=urgent and bool(waiting["count"]),
    )


def _case_queue(now: dt.datetime) -> list[Waiting]:
    """Open cases by severity, most severe first, each with its oldest age and how many waited too long."""
    stale_before = now - dt.timedelta(days=STALE_CASE_DAYS)
    by_severity = {
        row["severity"]: row
        for row in Case.objects.filter(status=CaseStatus.OPEN)
        .values("severity")
        .annotate(count=Count("pk"), oldest=Min("opened_at"), stale=Count("pk", filter=Q(opened_at__lt=stale_before)))
    }
    items = []
    for severity, label in reversed(Severity.choices):
        row = by_severity.get(severity, {"count": 0, "oldest": None, "stale": 0})
        notes = [_age_note(row["oldest"], now)]
        if row["stale"]:
            notes.append(_("%(count)d open over %(days)d days") % {"count": row["stale"], "days": STALE_CASE_DAYS})
        items.append(
            Waiting(
                label=_("Open risk cases: %(severity)s") % {"severity": label},
                count=row["count"],
                url=_changelist(Case, status__exact=CaseStatus.OPEN, severity__exact=severity),
                note="; ".join(note for note in notes if note),
                urgent=bool(row["count"]) and (severity in (Severity.CRITICAL, Severity.HIGH) or bool(row["stale"])),
            )
        )
    return items


def staff_queue(*, user, now: dt.datetime) -> list[Waiting]:
    """Everything waiting for a staff decision that this user's role may read, one query per queue."""
    items: list[Waiting] = []
    if _may_read(user, Offering):
        in_review = Offering.objects.filter(status=OfferingStatus.IN_REVIEW).count()
        items.append(
            Waiting(_("Offerings in review"), in_review,
                    _changelist(Offering, status__exact=OfferingStatus.IN_REVIEW))
        )  # fmt: skip
    if _may_read(user, KycProfile):
        kyc_waiting = _("KYC submissions waiting")
        items.append(_waiting_in_status(kyc_waiting, KycProfile, KycStatus.PENDING, "submitted_at", now))
    if _may_read(user, Case):
        items.extend(_case_queue(now))
    if _may_read(user, Subscription):
        failed = Subscription.objects.filter(
            status=SubscriptionStatus.PAYMENT_FAILED, created_at__gte=now - dt.timedelta(days=RECENT_FAILURE_DAYS)
        ).count()
        items.append(
            Waiting(_("Failed payments in the last %(days)d days") % {"days": RECENT_FAILURE_DAYS}, failed,
                    _changelist(Subscription, status__exact=SubscriptionStatus.PAYMENT_FAILED))
        )  # fmt: skip
    if _may_read(user, Refund):
        unfinished = _("Refunds not yet completed")
        items.append(_waiting_in_status(unfinished, Refund, RefundStatus.PENDING, "requested_at", now))
        # Stripe refused these: staff retry them or record a manual payout (Admin → Refunds).
        items.append(
            _waiting_in_status(_("Failed refunds"), Refund, RefundStatus.FAILED, "requested_at", now, urgent=True)
        )
    if _may_read(user, ReconciliationIssue):
        issues = ReconciliationIssue.objects.filter(resolved=False).count()
        items.append(
            Waiting(_("Payment differences with Stripe"), issues,
                    _changelist(ReconciliationIssue, resolved__exact=0), urgent=bool(issues))
        )  # fmt: skip
    return items
