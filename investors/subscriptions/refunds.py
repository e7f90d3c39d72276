"""Refunds: recording that money goes back to an investor, sending it to Stripe exactly once, and staff settling
the ones Stripe refused (a new attempt, or a payout made by hand)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from investors.models import REFUND_DONE_STATUSES, Payment, Refund, RefundReason, RefundStatus, Subscription
from investors.subscriptions import gateway, locks
from kernel.errors import InvalidTransition, field_error
from kernel.permissions import SETTLE_FAILED_REFUND, ensure_permission
from ledger.models import AccountKind
from ledger.services import Posting, entries_post
from outbox import services as outbox
from projects import services as project_services

# Pending refunds sent per transaction by the retry sweep.
RETRY_BATCH = 100


def refund_request(subscription: Subscription, *, reason: str) -> Refund:
    """Record that the whole amount Stripe charged goes back (less any price remainder refunded already), and
    process it after commit. One such refund per subscription."""
    return refunds_request([subscription], reason=reason)[0]


def refunds_request(subscriptions: list[Subscription], *, reason: str, send_tasks: bool = True) -> list[Refund]:
    """`refund_request` for many subscriptions in a few statements. `send_tasks=False`: the caller (settlement)
    processes the refunds itself, and a run it did not finish is resumed by the next one."""
    if not subscriptions:
        return []
    ids = [subscription.pk for subscription in subscriptions]
    payments = {payment.subscription_id: payment for payment in Payment.objects.filter(subscription_id__in=ids)}
    remainders = dict(
        Refund.objects.filter(subscription_id__in=ids, reason=RefundReason.PRICE_REMAINDER)
        .values_list("subscription_id")
        .annotate(Sum("amount"))
    )
    whole = Refund.objects.filter(subscription_id__in=ids).exclude(reason=RefundReason.PRICE_REMAINDER)
    existing = {refund.subscription_id: refund for refund in whole}
    now = timezone.now()
    Refund.objects.bulk_create(
        Refund(
            subscription_id=subscription_id,
            amount=payments[subscription_id].amount - remainders.get(subscription_id, Decimal("0")),
            currency=payments[subscription_id].currency,
            reason=reason,
            requested_at=now,
        )
        for subscription_id in ids
        if subscription_id not in existing
    )
    by_subscription = {refund.subscription_id: refund for refund in whole.all()}
    refunds = [by_subscription[subscription_id] for subscription_id in ids]
    if send_tasks:
        for refund in refunds:
            outbox.task_send_on_commit(task="investors.process_refund", args=[refund.pk])
    return refunds


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
    outbox.task_send_on_commit(task="investors.process_refund", args=[refund.pk])
    return refund


def refund_process(*, refund_id: int) -> Refund:
    """Send one refund to Stripe exactly once (see `refunds_process`)."""
    refunds_process(refund_ids=[refund_id])
    return Refund.objects.get(pk=refund_id)


def refunds_process(*, refund_ids: list[int]) -> None:
    """Send refunds to Stripe, each exactly once, and book those done. A refund that Stripe refuses or fails is
    `failed` with the reason, for staff to retry or pay out by hand; it never stops the others.

    Exactly once: the refunds are first marked as being sent (`sent_at`, committed), then sent with their rows locked
    and recorded in one transaction. Stripe is asked whether an attempt already went through only for a refund whose
    mark was there before (an earlier run may have sent it and died before recording it) or was changed since by
    another run; every other refund is sent at once, with one call. Stripe unreachable stops the run after recording
    what was done."""
    with transaction.atomic():
        pending = [refund for refund in locks.lock_refunds(refund_ids) if refund.status == RefundStatus.PENDING]
        maybe_sent = {refund.pk for refund in pending if refund.sent_at is not None}
        mark = timezone.now()
        Refund.objects.filter(pk__in=[refund.pk for refund in pending]).update(sent_at=mark)
    unavailable = None
    with transaction.atomic():
        pending = [refund for refund in locks.lock_refunds(refund_ids) if refund.status == RefundStatus.PENDING]
        payments = {
            payment.subscription_id: payment
            for payment in Payment.objects.filter(subscription_id__in=[refund.subscription_id for refund in pending])
        }
        succeeded = []
        for refund in pending:
            payment = payments[refund.subscription_id]
            look_first = refund.pk in maybe_sent or refund.sent_at != mark
            try:
                result = _refund_send(refund, payment, look_first=look_first)
            except gateway.GatewayRefused as refusal:
                _refund_fail(refund, reason=str(refusal))
                continue
            except gateway.GatewayUnavailable as error:
                unavailable = error
                break
            refund.stripe_refund_id = result.stripe_refund_id
            if result.status == "failed":
                _refund_fail(refund, reason=result.failure_reason or _("Stripe reports the refund failed."))
            elif result.status != "succeeded":
                # Stripe has it but has not finished; the retry sweep looks again.
                refund.save(update_fields=["stripe_refund_id"])
            else:
                refund.failure_reason = ""
                refund.status = RefundStatus.SUCCEEDED
                refund.completed_at = timezone.now()
                succeeded.append(refund)
        Refund.objects.bulk_update(succeeded, ["status", "completed_at", "failure_reason", "stripe_refund_id"])
        entries_post([_refund_posting(refund) for refund in succeeded])
    if unavailable is not None:
        raise unavailable


def _refund_send(refund: Refund, payment: Payment, *, look_first: bool) -> gateway.RefundResult:
    result = None
    if look_first:
        result = gateway.find_refund(refund_id=refund.pk, payment_intent_id=payment.payment_intent_id)
    if result is None:
        result = gateway.refund(
            refund_id=refund.pk,
            payment_intent_id=payment.payment_intent_id,
            amount=refund.amount,
            currency=refund.currency,
            attempt=refund.attempts,
        )
    return result


def _refund_fail(refund: Refund, *, reason: str) -> None:
    refund.status = RefundStatus.FAILED
    refund.failure_reason = reason
    refund.failed_at = timezone.now()
    refund.save()


def _refund_posting(refund: Refund) -> Posting:
    subscription = refund.subscription
    return Posting(
        key=f"refund:{refund.pk}",
        description=f"Refund of subscription {subscription.pk} ({refund.reason})",
        currency=refund.currency,
        lines=[
            (AccountKind.OFFERING_ESCROW, subscription.offering_id, -refund.amount),
            (AccountKind.INVESTOR_FUNDING, subscription.investor_id, refund.amount),
        ],
    )


def _refund_complete(refund: Refund, *, status: str) -> None:
    """The money left the escrow (paid out by staff): book it once."""
    refund.status = status
    refund.completed_at = timezone.now()
    refund.save()
    entries_post([_refund_posting(refund)])


def _locked_failed_refund(refund_id: int) -> Refund:
    refund = locks.lock_refund(refund_id)
    if refund.status != RefundStatus.FAILED:
        raise InvalidTransition(
            _("Only a failed refund can be settled by staff; this one is %(status)s.")
            % {"status": refund.get_status_display()},
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
            # The new attempt has not been sent: it goes to Stripe without looking for an earlier one.
            refund.sent_at = None
            refund.settled_by = by
            refund.save(update_fields=["status", "attempts", "sent_at", "settled_by"])
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
    pending = list(Refund.objects.filter(status=RefundStatus.PENDING).order_by("pk").values_list("pk", flat=True))
    for at in range(0, len(pending), RETRY_BATCH):
        try:
            refunds_process(refund_ids=pending[at : at + RETRY_BATCH])
        except gateway.GatewayUnavailable:
            return
