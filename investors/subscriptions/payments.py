"""Paying for a reservation: the charge a worker makes after the subscription commits, the one function that records
a payment (whether the worker, Stripe's webhook or the recovery sweep learns of it first), and the end of a
reservation whose payment failed or never came.

None of these takes the offering's row lock for the work itself: the reservation already counted the capacity.
They lock the subscription row first; the offering is touched by one conditional update, last, held only until the
commit (the money raised when a payment is accepted, the capacity given back when a reservation ends). That order is
safe because the transactions that hold an offering and then wait for a subscription wait only for funded
subscriptions (see investors/subscriptions/locks.py)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from investors.models import Payment, RefundReason, StripeEvent, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, locks, notifications, reconciliation, refunds
from investors.subscriptions import services as subscriptions
from kernel import events
from kernel.errors import DomainError, ErrorCode
from ledger.models import AccountKind
from ledger.services import entry_post
from projects import services as project_services
from projects.models import ENDED_STATUSES


def subscription_charge(*, subscription_id: int) -> Subscription | None:
    """The worker's half of subscribing: ask Stripe for the money of a reservation still waiting for it. Safe to run
    again: Stripe answers the subscription's idempotency key with its first answer, and recording is idempotent.
    Stripe out of reach leaves the reservation `pending_payment` for the recovery sweep, which asks Stripe."""
    subscription = Subscription.objects.filter(pk=subscription_id, status=SubscriptionStatus.PENDING_PAYMENT).first()
    if subscription is None:
        return None
    try:
        charge = gateway.charge(
            subscription_id=subscription.pk,
            amount=subscription.amount,
            currency=subscription.currency,
            payment_method=subscription.payment_method,
        )
    except gateway.GatewayUnavailable:
        return subscription
    except gateway.GatewayRefused as refusal:
        # Stripe refused the request itself (an unknown payment method, say): no money was taken.
        return payment_failure_record(subscription_id=subscription.pk, reason=str(refusal))
    if charge.status == "succeeded":
        return payment_record(subscription_id=subscription.pk, charge=charge)
    if charge.status == "failed":
        return payment_failure_record(subscription_id=subscription.pk, reason=charge.failure_message or "")
    return subscription


class _NotPayable(Exception):
    """The charge cannot pay for the reservation (it ended, the offering ended, or the amount differs)."""


def payment_record(*, subscription_id: int, charge: gateway.Charge) -> Subscription:
    """Money arrived for a subscription (from the worker's charge, a webhook or the sweep). Applying it twice changes
    nothing. The ledger posts what Stripe charged. Money that arrives after the reservation ended, or a charge whose
    amount or currency differs from the subscription's, is not accepted as payment: it is refunded, and a mismatch
    is shown to staff as a reconciliation issue."""
    try:
        with transaction.atomic():
            return _payment_accept(subscription_id, charge)
    except _NotPayable:
        return _payment_refuse(subscription_id, charge)


def _payment_accept(subscription_id: int, charge: gateway.Charge) -> Subscription:
    subscription = locks.lock_subscription(subscription_id)
    if Payment.objects.filter(subscription=subscription).exists():
        return subscription
    if subscription.status != SubscriptionStatus.PENDING_PAYMENT or not _charge_matches(subscription, charge):
        raise _NotPayable
    now = timezone.now()
    _payment_book(subscription, charge, now)
    subscription.mark_paid()
    if subscription.reconfirm_deadline is not None:
        # The terms changed materially while the payment was on its way: the investor confirms them too.
        subscription.require_reconfirmation()
    subscription.paid_at = now
    subscription.save()
    notifications.subscription_event_email(subscription=subscription, event="confirmed")
    events.announce("subscription_paid", subscription_id=subscription_id, offering_id=subscription.offering_id)
    # Last: the offering's row is locked from here to the commit. The update also checks that the offering still
    # takes money, so that staff ending it while this payment was on its way cannot leave it paid.
    if not project_services.offering_raised_add_while_taking_money(
        offering_id=subscription.offering_id, amount=subscription.amount, ended=ENDED_STATUSES
    ):
        raise _NotPayable
    return subscription


def _payment_refuse(subscription_id: int, charge: gateway.Charge) -> Subscription:
    """Book the money and send it back; a reservation still waiting for this charge ends and frees its place."""
    investor_id = Subscription.objects.values_list("investor_id", flat=True).get(pk=subscription_id)
    with transaction.atomic():
        locks.lock_investor(investor_id)
        subscription = locks.lock_subscription(subscription_id)
        if Payment.objects.filter(subscription=subscription).exists():
            return subscription
        matches = _charge_matches(subscription, charge)
        now = timezone.now()
        ends_reservation = subscription.status == SubscriptionStatus.PENDING_PAYMENT
        if ends_reservation:
            # A wrong charge ends the reservation as a failed payment; otherwise staff ended the offering
            # (cancelled and refunded it) while this payment was on its way.
            subscription.mark_payment_failed() if not matches else subscription.expire()
            subscription.ended_at = now
        _payment_book(subscription, charge, now)
        subscription.save()
        if not matches:
            reconciliation.issue_report(
                kind="charge_amount_mismatch",
                stripe_id=charge.payment_intent_id,
                detail=f"Stripe charged {charge.amount} {charge.currency} for a subscription of "
                f"{subscription.amount} {subscription.currency}; not accepted as payment and refunded.",
                subscription_id=subscription.pk,
            )
        refunds.refund_request(
            subscription, reason=RefundReason.LATE_PAYMENT if matches else RefundReason.AMOUNT_MISMATCH
        )
        if ends_reservation:
            subscriptions.capacity_release(subscription)
    return subscription


def _charge_matches(subscription: Subscription, charge: gateway.Charge) -> bool:
    return (charge.amount, charge.currency) == (subscription.amount, subscription.currency)


def _payment_book(subscription: Subscription, charge: gateway.Charge, now) -> None:
    """The money is in escrow, whatever becomes of it: one payment row and one ledger entry per subscription."""
    Payment.objects.create(
        subscription=subscription,
        payment_intent_id=charge.payment_intent_id,
        amount=charge.amount,
        currency=charge.currency,
        received_at=now,
    )
    entry_post(
        key=f"payment:{subscription.pk}",
        description=f"Payment for subscription {subscription.pk}",
        currency=charge.currency,
        lines=[
            (AccountKind.OFFERING_ESCROW, subscription.offering_id, charge.amount),
            (AccountKind.INVESTOR_FUNDING, subscription.investor_id, -charge.amount),
        ],
    )
    subscription.card_fingerprint = charge.card_fingerprint or ""


def payment_failure_record(*, subscription_id: int, reason: str) -> Subscription:
    """Stripe declined the charge: the reservation ends, its place is free again, and the investor sees why."""
    return reservation_end(subscription_id=subscription_id, transition="mark_payment_failed", reason=reason)


def reservation_end(*, subscription_id: int, transition: str, reason: str = "") -> Subscription:
    """End a reservation still waiting for its payment (`mark_payment_failed` or `expire`) and free its place. The
    investor's lock comes first because freeing the place decides whether the investor still counts towards the
    offering's investors, which a new subscription of theirs decides under the same lock."""
    investor_id = Subscription.objects.values_list("investor_id", flat=True).get(pk=subscription_id)
    with transaction.atomic():
        locks.lock_investor(investor_id)
        subscription = locks.lock_subscription(subscription_id)
        if subscription.status != SubscriptionStatus.PENDING_PAYMENT:
            return subscription
        getattr(subscription, transition)()
        subscription.ended_at = timezone.now()
        subscription.payment_failure_reason = reason
        subscription.save()
        subscriptions.capacity_release(subscription)
    return subscription


def stripe_event_receive(*, payload: bytes, signature_header: str) -> bool:
    """A webhook from Stripe, in a fixed order: verify the signature, record the event id once, then apply it
    through the same functions as the worker (which lock the subscription and skip what is already done).
    Returns False for an event seen before."""
    try:
        event = gateway.verify_webhook(payload=payload, signature_header=signature_header)
    except gateway.InvalidWebhook as exc:
        raise DomainError(_("The webhook signature is not valid."), code=ErrorCode.INVALID_SIGNATURE) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(event_id=event.id, type=event.type, received_at=timezone.now())
        except IntegrityError:
            return False
        subscription_id, charge = event.subscription_id, event.charge
        if subscription_id is None or charge is None:
            return True
        # One read says whether the subscription is known and its payment recorded already, which is what a webhook
        # finds after the worker's charge: then nothing is locked.
        known = Subscription.objects.filter(pk=subscription_id).values_list("payment", flat=True)
        if not known or known[0] is not None:
            return True
        if event.type == "payment_intent.succeeded":
            payment_record(subscription_id=subscription_id, charge=charge)
        elif event.type == "payment_intent.payment_failed":
            payment_failure_record(subscription_id=subscription_id, reason=charge.failure_message or "")
    return True


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
            payment_record(subscription_id=subscription_id, charge=charge)
        elif charge is not None and charge.status == "failed":
            payment_failure_record(subscription_id=subscription_id, reason=charge.failure_message or "")
        elif charge is None:
            reservation_end(subscription_id=subscription_id, transition="expire")
            expired.append(subscription_id)
    return expired
