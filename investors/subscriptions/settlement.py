"""Closing an offering: settle every paid subscription (shares issued, escrow released to the issuer less the
platform's fee) when the target is met, else refund every one. Each subscription is handled in its own transaction
and guarded by its status and a ledger key, so a run killed at any point is finished by running it again.

Each unit of work checks, under the offering's lock, that the offering is still closing and not on hold: a risk hold
placed while a run is under way stops it before the next subscription, and a later run resumes where it stopped.
A refund that Stripe refuses or fails is that refund's problem alone (investors.subscriptions.services.refund_process): the
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

from kernel.errors import DomainError
from investors.subscriptions import gateway, locks, notifications, services as subscriptions
from investors.models import (
    FUNDED_STATUSES,
    Holding,
    Refund,
    RefundReason,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from ledger.models import AccountKind
from ledger.services import entry_post
from projects import services as project_services
from projects.models import Offering, OfferingStatus

CENT = Decimal("0.01")

logger = logging.getLogger(__name__)


class SettlementHeld(Exception):
    """The offering was put on hold (or left `closing`) while settlement ran: stop, and resume on a later run."""


def _ensure_still_settling(offering: Offering) -> None:
    """Called with the offering locked, before each unit of settlement work."""
    if offering.status != OfferingStatus.CLOSING or offering.risk_hold:
        raise SettlementHeld(offering.pk)


def platform_fee(amount: Decimal) -> Decimal:
    return (amount * settings.PLATFORM_FEE_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


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
    paid_amount = of_offering.filter(status__in=(*FUNDED_STATUSES, SubscriptionStatus.SETTLED)).aggregate(
        total=Coalesce(Sum("amount"), Decimal("0"))
    )["total"]
    report = SettlementReport(
        offering_id=offering.pk, status=offering.status, outcome="nothing", paid_amount=paid_amount,
        target_amount=offering.target_amount,
    )
    if offering.status not in (OfferingStatus.LIVE, OfferingStatus.CLOSING):
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


def _settle_one(subscription_id: int) -> None:
    with transaction.atomic():
        offering, subscription = locks.lock_offering_and_subscription(subscription_id)
        _ensure_still_settling(offering)
        if subscription.status != SubscriptionStatus.PAID:
            return
        subscription.settle()
        subscription.ended_at = timezone.now()
        subscription.save()
        Holding.objects.create(
            subscription=subscription,
            investor_id=subscription.investor_id,
            offering=offering,
            shares=subscription.shares,
            amount=subscription.amount,
            currency=subscription.currency,
            acquired_at=subscription.ended_at,
        )
        fee = platform_fee(subscription.amount)
        entry_post(
            key=f"release:{subscription.pk}",
            description=f"Release of subscription {subscription.pk} to the issuer",
            currency=subscription.currency,
            lines=[
                (AccountKind.OFFERING_ESCROW, offering.pk, -subscription.amount),
                (AccountKind.ISSUER_PAYABLE, offering.issuer_id, subscription.amount - fee),
                (AccountKind.PLATFORM_FEES, None, fee),
            ],
        )


def _refund_one(subscription_id: int, *, reason: str = RefundReason.OFFERING_FAILED, settling: bool = True) -> None:
    """`settling`: part of a failed offering's settlement, which a hold stops; staff's cancellation is not."""
    with transaction.atomic():
        offering, subscription = locks.lock_offering_and_subscription(subscription_id)
        if settling:
            _ensure_still_settling(offering)
        if subscription.status not in FUNDED_STATUSES:
            return
        subscription.refund()
        subscription.ended_at = timezone.now()
        subscription.save()
        project_services.offering_raised_add(offering_id=offering.pk, amount=-subscription.amount)
        subscriptions.refund_request(subscription, reason=reason)


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
    for item in report.subscriptions:
        _settle_one(item["id"])
    _finish(offering, succeeded=True)


def _refund_all(offering: Offering, report: SettlementReport) -> None:
    for item in report.subscriptions:
        _refund_one(item["id"])
    of_offering = Refund.objects.filter(subscription__offering=offering)
    for refund_id in list(of_offering.filter(status=RefundStatus.PENDING).values_list("pk", flat=True)):
        subscriptions.refund_process(refund_id=refund_id)
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
        for subscription_id in list(funded.values_list("pk", flat=True)):
            _refund_one(subscription_id, reason=RefundReason.OFFERING_CANCELLED, settling=False)
    return offering
