"""Refunds: recording that money goes back to an investor, sending it to Stripe exactly once, and staff settling
the ones Stripe refused (a new attempt, or a payout made by hand)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdfund.errors import DomainError, field_error
from crowdfund.permissions import SETTLE_FAILED_REFUND, ensure_permission
from investors import gateway, locks, tasks
from investors.models import REFUND_DONE_STATUSES, Refund, RefundReason, RefundStatus, Subscription
from ledger.models import AccountKind
from ledger.services import entry_post
from outbox import services as outbox
from projects import services as project_services


def refund_request(subscription: Subscription, *, reason: str) -> Refund:
    """Record that the whole amount Stripe charged goes back (less any price remainder refunded already), and
    process it after commit. One such refund per subscription."""
    payment = subscription.payment
    remainders = Refund.objects.filter(subscription=subscription, reason=RefundReason.PRICE_REMAINDER)
    refund, _created = Refund.objects.exclude(reason=RefundReason.PRICE_REMAINDER).get_or_create(
        subscription=subscription,
        defaults={
            "amount": payment.amount - sum((r.amount for r in remainders), Decimal("0")),
            "currency": payment.currency,
            "reason": reason,
            "requested_at": timezone.now(),
        },
    )
    refund_id = refund.pk
    outbox.task_send_on_commit(task=tasks.process_refund, args=[refund_id])
    return refund


def remainder_refund_request(subscription: Subscription) -> Refund | None:
    """The investor reconfirmed after a price change that left part of the amount unspent: the subscription keeps
    what buys its whole shares, and the remainder goes back (capacity and raised amount with it). The caller holds
    the offering's and the subscription's locks."""
    remainder = subscription.price_remainder
    if not remainder:
        return None
    subscription.amount -= remainder
    subscription.price_remainder = Decimal("0")
    project_services.offering_capacity_release(
        offering_id=subscription.offering_id, amount=remainder, investor_left=False
    )
    project_services.offering_raised_add(offering_id=subscription.offering_id, amount=-remainder)
    refund = Refund.objects.create(
        subscription=subscription,
        amount=remainder,
        currency=subscription.currency,
        reason=RefundReason.PRICE_REMAINDER,
        requested_at=timezone.now(),
    )
    outbox.task_send_on_commit(task=tasks.process_refund, args=[refund.pk])
    return refund


def refund_process(*, refund_id: int) -> Refund:
    """Send one refund to Stripe exactly once. The refund row stays locked during the call, and Stripe is asked
    first whether an earlier, interrupted attempt already went through. A refund that Stripe refuses or fails is
    `failed` with the reason, for staff to retry or pay out by hand; it never stops other refunds."""
    with transaction.atomic():
        refund = locks.lock_refund(refund_id)
        if refund.status != RefundStatus.PENDING:
            return refund
        payment = refund.subscription.payment
        try:
            result = gateway.find_refund(refund_id=refund.pk, payment_intent_id=payment.payment_intent_id)
            if result is None:
                result = gateway.refund(
                    refund_id=refund.pk,
                    payment_intent_id=payment.payment_intent_id,
                    amount=refund.amount,
                    currency=refund.currency,
                    attempt=refund.attempts,
                )
        except gateway.GatewayRefused as refusal:
            _refund_fail(refund, reason=str(refusal))
            return refund
        refund.stripe_refund_id = result.stripe_refund_id
        if result.status == "failed":
            _refund_fail(refund, reason=result.failure_reason or _("Stripe reports the refund failed."))
            return refund
        if result.status != "succeeded":
            # Stripe has it but has not finished; the retry sweep looks again.
            refund.save(update_fields=["stripe_refund_id"])
            return refund
        refund.failure_reason = ""
        _refund_complete(refund, status=RefundStatus.SUCCEEDED)
    return refund


def _refund_fail(refund: Refund, *, reason: str) -> None:
    refund.status = RefundStatus.FAILED
    refund.failure_reason = reason
    refund.failed_at = timezone.now()
    refund.save()


def _refund_complete(refund: Refund, *, status: str) -> None:
    """The money left the escrow (through Stripe, or paid out by staff): book it once."""
    refund.status = status
    refund.completed_at = timezone.now()
    refund.save()
    subscription = refund.subscription
    entry_post(
        key=f"refund:{refund.pk}",
        description=f"Refund of subscription {subscription.pk} ({refund.reason})",
        currency=refund.currency,
        lines=[
            (AccountKind.OFFERING_ESCROW, subscription.offering_id, -refund.amount),
            (AccountKind.INVESTOR_FUNDING, subscription.investor_id, refund.amount),
        ],
    )


def _locked_failed_refund(refund_id: int) -> Refund:
    refund = locks.lock_refund(refund_id)
    if refund.status != RefundStatus.FAILED:
        raise DomainError(
            _("Only a failed refund can be settled by staff; this one is %(status)s.")
            % {"status": refund.get_status_display()},
            code="invalid_transition",
        )
    return refund


def refund_retry(*, refund_id: int, by) -> Refund:
    """Staff send a failed refund to Stripe again, as a new attempt. A refund already done is left as it is."""
    ensure_permission(by, SETTLE_FAILED_REFUND)
    with transaction.atomic():
        refund = locks.lock_refund(refund_id)
        if refund.status in REFUND_DONE_STATUSES:
            return refund
        if refund.status == RefundStatus.FAILED:
            refund.status = RefundStatus.PENDING
            refund.attempts += 1
            refund.settled_by = by
            refund.save(update_fields=["status", "attempts", "settled_by"])
    return refund_process(refund_id=refund_id)


def refund_record_manual_payout(*, refund_id: int, by, note: str) -> Refund:
    """Staff paid a failed refund to the investor outside Stripe (a bank transfer, say): the ledger moves the money
    out of escrow and the refund is done. `note` says how and when it was paid."""
    ensure_permission(by, SETTLE_FAILED_REFUND)
    if not (note or "").strip():
        raise field_error("note", _("Say how and when the money was paid."))
    with transaction.atomic():
        refund = _locked_failed_refund(refund_id)
        refund.manual_payout_note = note.strip()
        refund.settled_by = by
        _refund_complete(refund, status=RefundStatus.PAID_MANUALLY)
    return refund


def refunds_retry_pending() -> None:
    """Refunds whose task was lost (a worker died, Stripe was down) are sent again."""
    for refund_id in Refund.objects.filter(status=RefundStatus.PENDING).values_list("pk", flat=True):
        try:
            refund_process(refund_id=refund_id)
        except gateway.GatewayUnavailable:
            return
