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

from investors.kyc import services
from investors.models import (
    CAPACITY_STATUSES,
    FUNDED_STATUSES,
    RefundReason,
    Subscription,
)
from investors.subscriptions import cancellation, eligibility, locks, notifications, selectors
from investors.subscriptions.refunds import refund_request
from kernel.errors import DomainError, ErrorCode, FieldErrors, InvalidTransition, PermissionRefused, field_error
from kernel.money import parse_money
from outbox import services as outbox
from projects import services as project_services
from projects.models import Offering
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
    """Reserve capacity: the answer is a `pending_payment` subscription, charged after commit by a worker
    (`payments.subscription_charge`). The same key and body again return the first answer, whatever would be decided
    now (the offering may have sold out since); the same key with another body is refused.

    `offering` is the caller's read, without a lock: an offering it already shows closed or sold out is refused
    without touching its row. The decision itself is one conditional update of the offering, the transaction's last
    statement, so the hot row stays locked only until the commit.

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
    digest = _request_digest(offering_id=offering.pk, amount=parsed_amount, payment_method=payment_method)
    # The key is looked up only when the request is refused or its insert meets the key's unique constraint: a
    # repeat is rare, and a flash crowd pays for every statement of the path that accepts.
    try:
        subscription = _reserve(
            investor=investor,
            offering=offering,
            amount=parsed_amount,
            payment_method=payment_method,
            idempotency_key=idempotency_key,
            digest=digest,
            client_ip=client_ip,
            insider_of_issuer=insider_of_issuer,
            risk_signature=risk_signature,
        )
    except (DomainError, IntegrityError):
        existing = _existing_for_key(investor=investor, idempotency_key=idempotency_key, digest=digest)
        if existing is None:
            raise
        return SubscriptionAnswer(existing, created=False)
    return SubscriptionAnswer(subscription, created=True)


def _reserve(
    *,
    investor,
    offering: Offering,
    amount: Decimal,
    payment_method: str,
    idempotency_key: str,
    digest: str,
    client_ip: str | None,
    insider_of_issuer: bool,
    risk_signature: dict | None,
) -> Subscription:
    if not investor.is_investor:
        raise PermissionRefused(_("Only investor accounts can subscribe."))
    if risk_signature is not None:
        services.risk_signature_check(investor=investor, regime_code=offering.regime, **risk_signature)
    kyc = eligibility.ensure_investor_may_subscribe(
        investor=investor, offering=offering, amount=amount, signing_now=risk_signature is not None
    )
    shares = eligibility.ensure_amount_fits_terms(offering=offering, amount=amount)
    _ensure_room(offering, amount)
    with transaction.atomic():
        locks.lock_investor(investor.pk)
        now = timezone.now()
        window_start = eligibility.investment_limit_window_start(kyc=kyc, offering=offering, now=now)
        commitments = selectors.investor_commitments(
            investor, offering_id=offering.pk, regime_code=offering.regime, window_start=window_start
        )
        if window_start is not None:
            eligibility.ensure_within_investment_limit(
                kyc=kyc, offering=offering, amount=amount, already=commitments.invested_in_window, since=window_start
            )
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
        outbox.task_send_on_commit(task="investors.charge_subscription", args=[subscription.pk])
        # Decided under the investor's lock, which every release of this investor's capacity also holds.
        reserved = project_services.offering_capacity_reserve(
            offering_id=offering.pk,
            amount=amount,
            new_investor=not commitments.holds_place_in_offering,
            investor_cap=regime_for(offering.regime).investor_cap,
            now=now,
        )
        if not reserved:
            # Rolls the subscription back; the offering as it is now says why.
            _ensure_room(Offering.objects.get(pk=offering.pk), amount)
            raise eligibility.investor_cap_reached(offering)
    return subscription


def _ensure_room(offering: Offering, amount: Decimal) -> None:
    eligibility.ensure_offering_open(offering)
    if amount > offering.remaining_amount:
        raise eligibility.offering_full(offering, amount)


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
                code=ErrorCode.CANCELLATION_CLOSED,
                details={"cancel_deadline": deadline.isoformat()},
            )
        if subscription.status not in FUNDED_STATUSES:
            raise _not_cancellable(subscription)
        subscription_cancel_locked(subscription=subscription, now=timezone.now(), event="cancelled")
    return subscription


def _not_cancellable(subscription: Subscription) -> InvalidTransition:
    return InvalidTransition(
        _("Only a paid subscription can be cancelled; this one is %(status)s.")
        % {"status": subscription.get_status_display()},
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
