"""Closing an offering: settle every paid subscription (shares issued, escrow released to the issuer less the
platform's fee) when the target is met, else refund every one. Subscriptions are handled in batches, each batch in
its own transaction, each subscription guarded by its status and a ledger key, so a run killed at any point is
finished by running it again.

Each batch checks, under the offering's lock, that the offering is still closing and not on hold: a risk hold
placed while a run is under way stops it before the next batch, and a later run resumes where it stopped.
A refund that Stripe refuses or fails is that refund's problem alone (investors.subscriptions.refunds.refund_process): the
offering still reaches `failed`, with the failed refunds named in its history for staff to settle."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from investors.models import (
    FUNDED_STATUSES,
    PAID_IN_STATUSES,
    Holding,
    Refund,
    RefundReason,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import gateway, locks, notifications, refunds
from investors.subscriptions import services as subscriptions
from kernel.errors import DomainError
from kernel.money import to_cents
from ledger.models import AccountKind
from ledger.services import Posting, entries_post
from projects import services as project_services
from projects.models import SETTLEMENT_STATUSES, Offering, OfferingStatus

logger = logging.getLogger(__name__)


class SettlementHeld(Exception):
    """The offering was put on hold (or left `closing`) while settlement ran: stop, and resume on a later run."""


def _ensure_still_settling(offering: Offering) -> None:
    """Called with the offering locked, before each unit of settlement work."""
    if offering.status != OfferingStatus.CLOSING or offering.risk_hold:
        raise SettlementHeld(offering.pk)


def platform_fee(amount: Decimal) -> Decimal:
    return to_cents(amount * settings.PLATFORM_FEE_RATE, rounding=ROUND_HALF_UP)


@dataclass
class SettlementReport:
    offering_id: int
    status: str
    outcome: str  # "close", "fail", "wait", "nothing", or "held" when a hold stopped a run
    paid_amount: Decimal = Decimal("0.00")
    target_amount: Decimal = Decimal("0.00")
    waiting_for: list[str] = field(default_factory=list)
    subscriptions: list[dict] = field(default_factory=list)
    fee: Decimal = Decimal("0.00")
    issuer_payout: Decimal = Decimal("0.00")


def settlement_plan(offering: Offering) -> SettlementReport:
    """What closing would do now, without doing any of it."""
    of_offering = Subscription.objects.filter(offering=offering)
    funded = of_offering.filter(status__in=FUNDED_STATUSES)
    paid_amount = of_offering.filter(status__in=PAID_IN_STATUSES).aggregate(
        total=Coalesce(Sum("amount"), Decimal("0"))
    )["total"]
    report = SettlementReport(
        offering_id=offering.pk,
        status=offering.status,
        outcome="nothing",
        paid_amount=paid_amount,
        target_amount=offering.target_amount,
    )
    if offering.status not in SETTLEMENT_STATUSES:
        return report
    if offering.status == OfferingStatus.LIVE and offering.closes_at > timezone.now():
        return report
    pending = of_offering.filter(status=SubscriptionStatus.PENDING_PAYMENT).count()
    if pending:
        report.waiting_for.append(f"{pending} payment(s) still in progress")
    reconfirming = of_offering.filter(status=SubscriptionStatus.RECONFIRMATION_REQUIRED).count()
    if reconfirming:
        report.waiting_for.append(f"{reconfirming} investor(s) still to reconfirm")
    unfinished_refunds = Refund.objects.filter(
        subscription__offering=offering, status=RefundStatus.PENDING, reason=RefundReason.OFFERING_FAILED
    ).count()
    if report.waiting_for:
        report.outcome = "wait"
    elif paid_amount >= offering.target_amount and paid_amount > 0:
        report.outcome = "close"
    else:
        report.outcome = "fail"
        if unfinished_refunds:
            report.waiting_for.append(f"{unfinished_refunds} refund(s) to finish")
    for subscription in funded.select_related("investor").order_by("pk"):
        fee = platform_fee(subscription.amount) if report.outcome == "close" else Decimal("0.00")
        report.fee += fee
        report.subscriptions.append(
            {
                "id": subscription.pk,
                "investor": subscription.investor.username,
                "amount": subscription.amount,
                "shares": subscription.shares,
                "action": {"close": "settle", "fail": "refund"}.get(report.outcome, "wait"),
            }
        )
    if report.outcome == "close":
        report.issuer_payout = sum((s["amount"] for s in report.subscriptions), Decimal("0")) - report.fee
    return report


def _settle_batch(offering_id: int, subscription_ids: list[int]) -> None:
    """Settle a batch of paid subscriptions in one transaction: each one's shares issued and its money released to
    the issuer (less the fee), with a few statements for the whole batch. Subscriptions no longer paid (settled by an
    earlier run) are skipped."""
    with transaction.atomic():
        offering = locks.lock_offering(offering_id)
        _ensure_still_settling(offering)
        batch = locks.lock_subscriptions(subscription_ids, status__in=[SubscriptionStatus.PAID])
        now = timezone.now()
        for subscription in batch:
            subscription.settle()
            subscription.ended_at = now
        bulk_update_with_history(batch, Subscription, ["status", "ended_at"], default_date=now)
        Holding.objects.bulk_create(
            Holding(
                subscription=subscription,
                investor_id=subscription.investor_id,
                offering=offering,
                shares=subscription.shares,
                amount=subscription.amount,
                currency=subscription.currency,
                acquired_at=now,
            )
            for subscription in batch
        )
        entries_post([_release_posting(subscription, issuer_id=offering.issuer_id) for subscription in batch])


def _release_posting(subscription: Subscription, *, issuer_id: int) -> Posting:
    fee = platform_fee(subscription.amount)
    return Posting(
        key=f"release:{subscription.pk}",
        description=f"Release of subscription {subscription.pk} to the issuer",
        currency=subscription.currency,
        lines=[
            (AccountKind.OFFERING_ESCROW, subscription.offering_id, -subscription.amount),
            (AccountKind.ISSUER_PAYABLE, issuer_id, subscription.amount - fee),
            (AccountKind.PLATFORM_FEES, None, fee),
        ],
    )


def _refund_batch(
    offering_id: int, subscription_ids: list[int], *, reason: str = RefundReason.OFFERING_FAILED, settling: bool = True
) -> None:
    """Refund a batch of funded subscriptions in one transaction: each one `refunded`, its money taken off the
    raised amount, and its refund recorded for Stripe. `settling`: part of a failed offering's settlement, which a
    hold stops and which sends the refunds itself; staff's cancellation is neither, and sends a task per refund."""
    with transaction.atomic():
        offering = locks.lock_offering(offering_id)
        if settling:
            _ensure_still_settling(offering)
        batch = locks.lock_subscriptions(subscription_ids, status__in=FUNDED_STATUSES)
        now = timezone.now()
        for subscription in batch:
            subscription.refund()
            subscription.ended_at = now
        bulk_update_with_history(batch, Subscription, ["status", "ended_at"], default_date=now)
        project_services.offering_raised_add(
            offering_id=offering.pk, amount=-sum((s.amount for s in batch), Decimal("0"))
        )
        refunds.refunds_request(batch, reason=reason, send_tasks=not settling)


def _batches(subscription_ids: list[int]) -> list[list[int]]:
    size = settings.SETTLEMENT_BATCH_SIZE
    return [subscription_ids[at : at + size] for at in range(0, len(subscription_ids), size)]


def offering_settle(*, offering_id: int, dry_run: bool = False) -> SettlementReport:
    """Bring a closing offering to `closed` or `failed`. A suspended offering is left alone until staff decide."""
    offering = Offering.objects.select_related("issuer").get(pk=offering_id)
    if offering.status == OfferingStatus.LIVE and offering.closes_at <= timezone.now() and not dry_run:
        project_services.offerings_close_due()
        offering.refresh_from_db()
    if offering.status == OfferingStatus.CLOSING and not dry_run:
        subscriptions.reservations_expire()
    report = settlement_plan(offering)
    if dry_run or offering.status != OfferingStatus.CLOSING or report.outcome in ("wait", "nothing"):
        return report
    try:
        if report.outcome == "close":
            _settle_all(offering, report)
        else:
            _refund_all(offering, report)
    except SettlementHeld:
        report.outcome = "held"
    report.status = Offering.objects.values_list("status", flat=True).get(pk=offering_id)
    return report


def _settle_all(offering: Offering, report: SettlementReport) -> None:
    for batch in _batches([item["id"] for item in report.subscriptions]):
        _settle_batch(offering.pk, batch)
    _finish(offering, succeeded=True)


def _refund_all(offering: Offering, report: SettlementReport) -> None:
    for batch in _batches([item["id"] for item in report.subscriptions]):
        _refund_batch(offering.pk, batch)
    of_offering = Refund.objects.filter(subscription__offering=offering)
    pending = list(of_offering.filter(status=RefundStatus.PENDING).order_by("pk").values_list("pk", flat=True))
    for batch in _batches(pending):
        refunds.refunds_process(refund_ids=batch)
    if of_offering.filter(status=RefundStatus.PENDING).exists():
        return
    failed = of_offering.filter(status=RefundStatus.FAILED).count()
    exception = (
        _("%(count)d refund(s) failed; staff retry them or pay them out by hand.") % {"count": failed} if failed else ""
    )
    _finish(offering, succeeded=False, exception=exception)


def _finish(offering: Offering, *, succeeded: bool, exception: str = "") -> None:
    """The last unit of work: the offering's final state, unless a hold came first."""
    with transaction.atomic():
        _ensure_still_settling(locks.lock_offering(offering.pk))
        offering = project_services.offering_finish_closing(offering=offering, succeeded=succeeded, exception=exception)
        notifications.offering_result_emails(offering=offering)


def offerings_settle_closing() -> list[SettlementReport]:
    """The periodic job: settle every closing offering. An offering that Stripe cannot serve now is tried again on
    the next run. Moving offerings to closing is a job of its own (projects.close_due_offerings), so that the risk
    screening sent when an offering starts closing runs before the first settlement run can reach it."""
    reports = []
    for offering_id in Offering.objects.filter(status=OfferingStatus.CLOSING).values_list("pk", flat=True):
        # One offering's trouble stays its own: the others are settled, and this one is tried on the next run.
        try:
            reports.append(offering_settle(offering_id=offering_id))
        except (gateway.GatewayError, DomainError):
            logger.exception("Settlement of offering %s stopped; it is tried again on the next run", offering_id)
    return reports


def offering_cancel_with_refunds(*, offering: Offering, by, reason: str) -> Offering:
    """Staff cancel an offering that has taken money, typically after confirming a risk finding: it ends
    `cancelled` and every paid subscription is refunded in full. The refunds go to Stripe after commit, each once."""
    with transaction.atomic():
        offering = project_services.offering_cancel_by_staff(offering=offering, by=by, reason=reason)
        funded = Subscription.objects.filter(offering=offering, status__in=FUNDED_STATUSES).order_by("pk")
        for batch in _batches(list(funded.values_list("pk", flat=True))):
            _refund_batch(offering.pk, batch, reason=RefundReason.OFFERING_CANCELLED, settling=False)
    return offering
