"""Services for subscriptions: reserve capacity, take the payment, cancel, and the sweeps that finish what a lost
request or worker left half-done."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from investors.kyc import services
from investors.models import (
    CAPACITY_STATUSES,
    FUNDED_STATUSES,
    Payment,
    RefundReason,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import cancellation, eligibility, gateway, locks, notifications, reconciliation
from investors.subscriptions.refunds import refund_request
from kernel import events
from kernel.errors import DomainError, ErrorCode, FieldErrors, InvalidTransition, PermissionRefused, field_error
from kernel.money import parse_money
from ledger.models import AccountKind
from ledger.services import entry_post
from projects import services as project_services
from projects.models import ENDED_STATUSES, Offering
from projects.regimes import regime_for

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


def _release_capacity(subscription: Subscription) -> None:
    """Give back a subscription's capacity; the caller has locked the offering and moved the subscription out of
    the capacity-holding statuses."""
    project_services.offering_capacity_release(
        offering_id=subscription.offering_id,
        amount=subscription.amount,
        investor_left=not _holds_other_capacity(subscription.investor_id, subscription.offering_id, subscription.pk),
    )


def _existing_for_key(*, investor, idempotency_key: str, digest: str) -> Subscription | None:
    existing = Subscription.objects.filter(investor=investor, idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_digest != digest:
        raise DomainError(
            _("This Idempotency-Key was already used for a different request."), code=ErrorCode.IDEMPOTENCY_CONFLICT
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
    """Reserve capacity and charge the investor. The same key and body again return the first answer.

    `risk_signature` (`version`, `accepted`): the risk statement the investor signed with this subscription (the
    web form's box). It is recorded in the same transaction as the reservation, so a refused subscription leaves
    no signature behind."""
    if not (idempotency_key or "").strip() or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise field_error("Idempotency-Key", _("Send an Idempotency-Key header of 1 to 100 characters."))
    errors = FieldErrors()
    parsed_amount = parse_money(amount, "amount", errors)
    if not (payment_method or "").strip():
        errors.add("payment_method", _("This field is required."))
    errors.raise_if_any()
    assert parsed_amount is not None  # a missing or malformed amount was refused just above
    amount = parsed_amount
    digest = _request_digest(offering_id=offering.pk, amount=amount, payment_method=payment_method)
    existing = _existing_for_key(investor=investor, idempotency_key=idempotency_key, digest=digest)
    if existing is not None:
        return SubscriptionAnswer(existing, created=False)
    if not investor.is_investor:
        raise PermissionRefused(_("Only investor accounts can subscribe."))
    if risk_signature is not None:
        services.risk_signature_check(investor=investor, regime_code=offering.regime, **risk_signature)

    eligibility.ensure_investor_may_subscribe(
        investor=investor, offering=offering, amount=amount, signing_now=risk_signature is not None
    )
    shares = eligibility.ensure_amount_fits_terms(offering=offering, amount=amount)
    try:
        with transaction.atomic():
            locks.lock_investor(investor.pk)
            now = timezone.now()
            eligibility.ensure_within_investment_limit(investor=investor, offering=offering, amount=amount, now=now)
            offering = locks.lock_offering(offering.pk)
            eligibility.ensure_offering_open(offering)
            if amount > offering.remaining_amount:
                raise eligibility.offering_full(offering, amount)
            new_investor = not _holds_other_capacity(investor.pk, offering.pk)
            reserved = project_services.offering_capacity_reserve(
                offering_id=offering.pk,
                amount=amount,
                new_investor=new_investor,
                investor_cap=regime_for(offering.regime).investor_cap,
            )
            if not reserved:
                raise eligibility.investor_cap_reached(offering)
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
    except IntegrityError:
        # The same key raced in from a parallel request, which won: answer as a repeat.
        existing = _existing_for_key(investor=investor, idempotency_key=idempotency_key, digest=digest)
        if existing is None:
            raise
        return SubscriptionAnswer(existing, created=False)
    return SubscriptionAnswer(_charge(subscription), created=True)


def _charge(subscription: Subscription) -> Subscription:
    """Ask Stripe for the money outside any transaction. If Stripe cannot be reached, the subscription stays
    `pending_payment` and the recovery sweep finds out what happened."""
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
        payment_failure_record(subscription_id=subscription.pk)
        raise DomainError(
            _("The payment could not be made: %(reason)s") % {"reason": refusal},
            code=ErrorCode.PAYMENT_DECLINED,
            details={"subscription": subscription.pk},
        ) from refusal
    if charge.status == "succeeded":
        return payment_record(subscription_id=subscription.pk, charge=charge)
    if charge.status == "failed":
        payment_failure_record(subscription_id=subscription.pk)
        raise DomainError(
            _("Your card was declined: %(reason)s") % {"reason": charge.failure_message or _("no reason given")},
            code=ErrorCode.PAYMENT_DECLINED,
            details={"subscription": subscription.pk},
        )
    return subscription


# An offering in one of these takes no more money: a payment arriving for it goes back.


def payment_record(*, subscription_id: int, charge: gateway.Charge) -> Subscription:
    """Money arrived for a subscription (from the request, a webhook or the sweep). Applying it twice changes
    nothing. The ledger posts what Stripe charged. Money that arrives after the reservation ended, or a charge whose
    amount or currency differs from the subscription's, is not accepted as payment: it is refunded, and a mismatch
    is shown to staff as a reconciliation issue."""
    with transaction.atomic():
        offering, subscription = locks.lock_offering_and_subscription(subscription_id)
        if Payment.objects.filter(subscription=subscription).exists():
            return subscription
        now = timezone.now()
        matches = (charge.amount, charge.currency) == (subscription.amount, subscription.currency)
        if subscription.status == SubscriptionStatus.PENDING_PAYMENT and (
            not matches or offering.status in ENDED_STATUSES
        ):
            # A wrong charge ends the reservation as a failed payment; otherwise staff ended the offering
            # (cancelled and refunded it) while this payment was on its way.
            subscription.mark_payment_failed() if not matches else subscription.expire()
            subscription.ended_at = now
            subscription.save()
            _release_capacity(subscription)
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
        if not matches:
            reconciliation.issue_report(
                kind="charge_amount_mismatch",
                stripe_id=charge.payment_intent_id,
                detail=f"Stripe charged {charge.amount} {charge.currency} for a subscription of "
                f"{subscription.amount} {subscription.currency}; not accepted as payment and refunded.",
                subscription_id=subscription.pk,
            )
        if subscription.status != SubscriptionStatus.PENDING_PAYMENT:
            subscription.save(update_fields=["card_fingerprint"])
            refund_request(subscription, reason=RefundReason.LATE_PAYMENT if matches else RefundReason.AMOUNT_MISMATCH)
            return subscription
        subscription.mark_paid()
        if subscription.reconfirm_deadline is not None:
            # The terms changed materially while the payment was on its way: the investor confirms them too.
            subscription.require_reconfirmation()
        subscription.paid_at = now
        subscription.save()
        project_services.offering_raised_add(offering_id=offering.pk, amount=subscription.amount)
        notifications.subscription_event_email(subscription=subscription, event="confirmed")
        events.announce("subscription_paid", subscription_id=subscription_id, offering_id=offering.pk)
    return subscription


def payment_failure_record(*, subscription_id: int) -> Subscription:
    return _end_reservation(subscription_id, "mark_payment_failed")


def _end_reservation(subscription_id: int, transition: str) -> Subscription:
    with transaction.atomic():
        _offering, subscription = locks.lock_offering_and_subscription(subscription_id)
        if subscription.status != SubscriptionStatus.PENDING_PAYMENT:
            return subscription
        getattr(subscription, transition)()
        subscription.ended_at = timezone.now()
        subscription.save()
        _release_capacity(subscription)
    return subscription


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
            payment_failure_record(subscription_id=subscription_id)
        elif charge is None:
            _end_reservation(subscription_id, "expire")
            expired.append(subscription_id)
    return expired


def subscription_cancel(*, subscription: Subscription, by) -> Subscription:
    """The investor withdraws before the cancellation deadline; the whole amount is refunded."""
    if subscription.investor_id != by.pk:
        raise PermissionRefused(_("This is not your subscription."))
    with transaction.atomic():
        offering = locks.lock_offering(subscription.offering_id)
        subscription = locks.lock_subscription(subscription.pk)
        deadline = cancellation.cancel_deadline(offering)
        if not cancellation.offering_accepts_cancellations(offering, timezone.now()):
            raise DomainError(
                _("Cancellation closed at %(deadline)s.") % {"deadline": timezone.localtime(deadline).isoformat()},
                code=ErrorCode.CANCELLATION_CLOSED,
                details={"cancel_deadline": deadline.isoformat()},
            )
        if subscription.status not in FUNDED_STATUSES:
            raise InvalidTransition(
                _("Only a paid subscription can be cancelled; this one is %(status)s.")
                % {"status": subscription.get_status_display()},
            )
        subscription_cancel_locked(subscription=subscription, now=timezone.now(), event="cancelled")
    return subscription


def subscription_cancel_locked(*, subscription: Subscription, now: dt.datetime, event: str) -> None:
    """Cancel a funded subscription and refund the whole amount: its capacity and raised amount go back to the
    offering, and the investor is told (`event` names the email). The caller holds the offering's and the
    subscription's locks."""
    subscription.cancel()
    subscription.ended_at = now
    subscription.save()
    _release_capacity(subscription)
    project_services.offering_raised_add(offering_id=subscription.offering_id, amount=-subscription.amount)
    refund_request(subscription, reason=RefundReason.CANCELLED)
    notifications.subscription_event_email(subscription=subscription, event=event)


def stripe_event_receive(*, payload: bytes, signature_header: str) -> bool:
    """A webhook from Stripe, in a fixed order: verify the signature, record the event id once, then apply it
    through the same services as the request path (which lock the rows and skip what is already done).
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
        subscription_id = event.subscription_id
        known = subscription_id is not None and Subscription.objects.filter(pk=subscription_id).exists()
        if known and event.type == "payment_intent.succeeded":
            payment_record(subscription_id=cast(int, subscription_id), charge=cast(gateway.Charge, event.charge))
        elif known and event.type == "payment_intent.payment_failed":
            payment_failure_record(subscription_id=cast(int, subscription_id))
    return True
