"""Services for subscriptions: reserve capacity (the charge follows in a worker, investors/subscriptions/payments.py), cancel,
refund, and the sweeps that finish what a lost request or worker left half-done."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import DomainError, PermissionRefused, field_error
from kernel.permissions import SETTLE_FAILED_REFUND, ensure_permission
from investors import tasks
from investors.kyc import services
from investors.subscriptions import cancellation, eligibility, gateway, locks, notifications, payments
from investors.models import (
    CAPACITY_STATUSES,
    FUNDED_STATUSES,
    REFUND_DONE_STATUSES,
    Refund,
    RefundReason,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from ledger.models import AccountKind
from ledger.services import entry_post
from outbox import services as outbox
from projects import services as project_services
from projects.models import Offering
from projects.regimes import regime_for
from projects.validation import Errors, parse_money

MAX_IDEMPOTENCY_KEY_LENGTH = 100


def _request_digest(*, offering_id: int, amount: Decimal, payment_method: str) -> str:
    return hashlib.sha256(f"{offering_id}|{amount}|{payment_method}".encode()).hexdigest()


@dataclass(frozen=True)
class SubscriptionAnswer:
    subscription: Subscription
    created: bool


def _holds_other_capacity(investor_id: int, offering_id: int, excluding: int | None = None) -> bool:
    others = Subscription.objects.filter(investor_id=investor_id, offering_id=offering_id, status__in=CAPACITY_STATUSES)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    return others.exists()


def capacity_release(subscription: Subscription) -> None:
    """Give back a subscription's capacity; the caller holds the investor's lock (whether the investor still counts
    towards the offering's investors is decided under it) and has moved the subscription out of the
    capacity-holding statuses."""
    project_services.offering_capacity_release(
        offering_id=subscription.offering_id,
        amount=subscription.amount,
        investor_left=not _holds_other_capacity(subscription.investor_id, subscription.offering_id, subscription.pk),
    )


def _existing_for_key(*, investor, idempotency_key: str, digest: str) -> Subscription | None:
    existing = Subscription.objects.filter(investor=investor, idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_digest != digest:
        raise DomainError(
            _("This Idempotency-Key was already used for a different request."), code="idempotency_conflict"
        )
    return existing


def subscription_create(
    *,
    investor,
    offering: Offering,
    amount: Decimal | str,
    payment_method: str,
    idempotency_key: str,
    client_ip: str | None = None,
    insider_of_issuer: bool = False,
    risk_signature: dict | None = None,
) -> SubscriptionAnswer:
    """Reserve capacity: the answer is a `pending_payment` subscription, charged after commit by a worker
    (`payments.subscription_charge`). The same key and body again return the first answer.

    `offering` is the caller's read, without a lock: an offering it already shows closed or sold out is refused
    without touching its row. The decision itself is one conditional update of the offering, the transaction's last
    statement, so the hot row stays locked only until the commit.

    `risk_signature` (`version`, `accepted`): the risk statement the investor signed with this subscription (the
    web form's box). It is recorded in the same transaction as the reservation, so a refused subscription leaves
    no signature behind."""
    if not (idempotency_key or "").strip() or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise field_error("Idempotency-Key", _("Send an Idempotency-Key header of 1 to 100 characters."))
    errors = Errors()
    amount = parse_money(amount, "amount", errors)
    if not (payment_method or "").strip():
        errors.add("payment_method", _("This field is required."))
    errors.raise_if_any()
    digest = _request_digest(offering_id=offering.pk, amount=amount, payment_method=payment_method)
    existing = _existing_for_key(investor=investor, idempotency_key=idempotency_key, digest=digest)
    if existing is not None:
        return SubscriptionAnswer(existing, created=False)
    if not investor.is_investor:
        raise PermissionRefused(_("Only investor accounts can subscribe."))
    if risk_signature is not None:
        services.risk_signature_check(investor=investor, regime_code=offering.regime, **risk_signature)

    kyc = eligibility.ensure_investor_may_subscribe(
        investor=investor, offering=offering, amount=amount, signing_now=risk_signature is not None
    )
    shares = eligibility.ensure_amount_fits_terms(offering=offering, amount=amount)
    _ensure_room(offering, amount)
    try:
        with transaction.atomic():
            locks.lock_investor(investor.pk)
            now = timezone.now()
            eligibility.ensure_within_investment_limit(
                investor=investor, kyc=kyc, offering=offering, amount=amount, now=now
            )
            # Decided under the investor's lock, which every release of this investor's capacity also holds.
            new_investor = not _holds_other_capacity(investor.pk, offering.pk)
            subscription = Subscription.objects.create(
                investor=investor,
                offering=offering,
                amount=amount,
                currency=offering.currency,
                shares=shares,
                idempotency_key=idempotency_key,
                request_digest=digest,
                payment_method=payment_method,
                client_ip=client_ip,
                insider_of_issuer=bool(insider_of_issuer),
                created_at=now,
                reserved_until=now + dt.timedelta(minutes=settings.RESERVATION_MINUTES),
            )
            if risk_signature is not None:
                services.risk_acknowledgement_sign(
                    investor=investor, regime_code=offering.regime, client_ip=client_ip, **risk_signature
                )
            outbox.task_send_on_commit(task=tasks.charge_subscription, args=[subscription.pk])
            reserved = project_services.offering_capacity_reserve(
                offering_id=offering.pk,
                amount=amount,
                new_investor=new_investor,
                investor_cap=regime_for(offering.regime).investor_cap,
                now=now,
            )
            if not reserved:
                # Rolls the subscription back; the offering as it is now says why.
                _ensure_room(Offering.objects.get(pk=offering.pk), amount)
                raise eligibility.investor_cap_reached(offering)
    except IntegrityError:
        # The same key raced in from a parallel request, which won: answer as a repeat.
        existing = _existing_for_key(investor=investor, idempotency_key=idempotency_key, digest=digest)
        if existing is None:
            raise
        return SubscriptionAnswer(existing, created=False)
    return SubscriptionAnswer(subscription, created=True)


def _ensure_room(offering: Offering, amount: Decimal) -> None:
    eligibility.ensure_offering_open(offering)
    if amount > offering.remaining_amount:
        raise eligibility.offering_full(offering, amount)


def reservations_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Settle every reservation whose payment did not finish in time: ask Stripe what became of it first, so that
    a charge made just before a crash is kept rather than expired."""
    now = now or timezone.now()
    expired = []
    stale = Subscription.objects.filter(status=SubscriptionStatus.PENDING_PAYMENT, reserved_until__lte=now)
    for subscription_id in list(stale.values_list("pk", flat=True)):
        try:
            charge = gateway.find_charge(subscription_id=subscription_id)
        except gateway.GatewayUnavailable:
            continue
        if charge is not None and charge.status == "succeeded":
            payments.payment_record(subscription_id=subscription_id, charge=charge)
        elif charge is not None and charge.status == "failed":
            payments.payment_failure_record(subscription_id=subscription_id, reason=charge.failure_message or "")
        elif charge is None:
            payments.reservation_end(subscription_id=subscription_id, transition="expire")
            expired.append(subscription_id)
    return expired


def subscription_cancel(*, subscription: Subscription, by) -> Subscription:
    """The investor withdraws before the cancellation deadline; the whole amount is refunded."""
    if subscription.investor_id != by.pk:
        raise PermissionRefused(_("This is not your subscription."))
    if subscription.status not in FUNDED_STATUSES:
        # Refused before any lock: a reservation still being paid is locked by its payment first (investors/subscriptions/locks.py).
        raise _not_cancellable(subscription)
    with transaction.atomic():
        locks.lock_investor(subscription.investor_id)
        offering = locks.lock_offering(subscription.offering_id)
        subscription = locks.lock_subscription(subscription.pk)
        deadline = cancellation.cancel_deadline(offering)
        if not cancellation.offering_accepts_cancellations(offering, timezone.now()):
            raise DomainError(
                _("Cancellation closed at %(deadline)s.") % {"deadline": timezone.localtime(deadline).isoformat()},
                code="cancellation_closed",
                details={"cancel_deadline": deadline.isoformat()},
            )
        if subscription.status not in FUNDED_STATUSES:
            raise _not_cancellable(subscription)
        subscription_cancel_locked(subscription=subscription, now=timezone.now(), event="cancelled")
    return subscription


def _not_cancellable(subscription: Subscription) -> DomainError:
    return DomainError(
        _("Only a paid subscription can be cancelled; this one is %(status)s.")
        % {"status": subscription.get_status_display()},
        code="invalid_transition",
    )


def subscription_cancel_locked(*, subscription: Subscription, now: dt.datetime, event: str) -> None:
    """Cancel a funded subscription and refund the whole amount: its capacity and raised amount go back to the
    offering, and the investor is told (`event` names the email). The caller holds the investor's, the offering's
    and the subscription's locks."""
    subscription.cancel()
    subscription.ended_at = now
    subscription.save()
    capacity_release(subscription)
    project_services.offering_raised_add(offering_id=subscription.offering_id, amount=-subscription.amount)
    refund_request(subscription, reason=RefundReason.CANCELLED)
    notifications.subscription_event_email(subscription=subscription, event=event)


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
