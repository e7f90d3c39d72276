"""Compare subscriptions, our payments and refunds, the ledger and Stripe's records. Every difference becomes an issue
for staff."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.utils import timezone

from investors.models import (
    PAYMENT_ACCEPTED_STATUSES,
    Payment,
    ReconciliationIssue,
    Refund,
    RefundReason,
    RefundStatus,
)
from investors.subscriptions import gateway
from ledger.models import AccountKind
from ledger.selectors import entry_amounts


def issue_report(*, kind: str, stripe_id: str, detail: str, subscription_id: int | None = None) -> None:
    """Record a difference for staff, once while it is open."""
    ReconciliationIssue.objects.get_or_create(
        kind=kind,
        stripe_id=stripe_id,
        resolved=False,
        defaults={"found_at": timezone.now(), "detail": detail, "subscription_id": subscription_id},
    )


def payments_reconcile() -> int:
    """Returns the number of open issues after this run."""
    payments = {
        p.payment_intent_id: p
        for p in Payment.objects.select_related("subscription").prefetch_related("subscription__refunds")
    }
    _payments_against_subscriptions_and_ledger(payments.values())
    seen = set()
    for charge in gateway.list_charges():
        if charge.status != "succeeded":
            continue
        seen.add(charge.payment_intent_id)
        payment = payments.get(charge.payment_intent_id)
        if payment is None:
            issue_report(
                kind="charge_without_payment",
                stripe_id=charge.payment_intent_id,
                detail=f"Stripe holds {charge.amount} {charge.currency} for subscription {charge.subscription_id} "
                "that we have not recorded.",
            )
        elif (payment.amount, payment.currency.upper()) != (charge.amount, charge.currency.upper()):
            issue_report(
                kind="amount_mismatch",
                stripe_id=charge.payment_intent_id,
                detail=f"We recorded {payment.amount} {payment.currency}; Stripe charged {charge.amount} {charge.currency}.",
                subscription_id=payment.subscription_id,
            )
    for intent_id, payment in payments.items():
        if intent_id not in seen:
            issue_report(
                kind="payment_missing_at_stripe",
                stripe_id=intent_id,
                detail=f"We recorded {payment.amount} {payment.currency}, but Stripe shows no successful charge.",
                subscription_id=payment.subscription_id,
            )
    _refunds_against_stripe()
    return ReconciliationIssue.objects.filter(resolved=False).count()


def _payments_against_subscriptions_and_ledger(payments) -> None:
    """A payment accepted for a subscription is of the subscription's amount (with what a price change gave back),
    and the ledger posted exactly it."""
    posted = entry_amounts(key_prefix="payment:", kind=AccountKind.OFFERING_ESCROW)
    for payment in payments:
        subscription = payment.subscription
        given_back = sum(
            (r.amount for r in subscription.refunds.all() if r.reason == RefundReason.PRICE_REMAINDER), Decimal("0")
        )
        if subscription.status in PAYMENT_ACCEPTED_STATUSES and (payment.amount, payment.currency) != (
            subscription.amount + given_back,
            subscription.currency,
        ):
            issue_report(
                kind="payment_subscription_mismatch",
                stripe_id=payment.payment_intent_id,
                detail=f"Subscription {subscription.pk} is of {subscription.amount} {subscription.currency}; "
                f"its payment is of {payment.amount} {payment.currency}.",
                subscription_id=subscription.pk,
            )
        in_ledger = posted.get(f"payment:{subscription.pk}")
        if in_ledger != (payment.amount, payment.currency):
            shown = f"{in_ledger[0]} {in_ledger[1]}" if in_ledger else "nothing"
            issue_report(
                kind="payment_ledger_mismatch",
                stripe_id=payment.payment_intent_id,
                detail=f"The ledger holds {shown} in escrow for a payment of {payment.amount} {payment.currency}.",
                subscription_id=subscription.pk,
            )


def _refunds_against_stripe() -> None:
    # Ours that Stripe knows: done, or sent and not finished. Staff's manual payouts never went through Stripe.
    refunds: dict[str, Refund] = {
        cast(str, r.stripe_refund_id): r
        for r in Refund.objects.filter(status__in=(RefundStatus.SUCCEEDED, RefundStatus.PENDING)).exclude(
            stripe_refund_id=None
        )
    }
    stripe_refunds = {refund.stripe_refund_id: refund for refund in gateway.list_refunds() if refund.status != "failed"}
    for refund_id, refund in stripe_refunds.items():
        ours = refunds.get(refund_id)
        if ours is None:
            issue_report(
                kind="refund_unknown",
                stripe_id=refund_id,
                detail=f"Stripe refunded {refund.amount} {refund.currency} that we did not record.",
            )
        elif ours.amount != refund.amount:
            issue_report(
                kind="refund_amount_mismatch",
                stripe_id=refund_id,
                detail=f"We recorded a refund of {ours.amount}; Stripe refunded {refund.amount}.",
                subscription_id=ours.subscription_id,
            )
    for refund_id, ours in refunds.items():
        if refund_id not in stripe_refunds and ours.status == RefundStatus.SUCCEEDED:
            issue_report(
                kind="refund_missing_at_stripe",
                stripe_id=refund_id,
                detail=f"Our refund of {ours.amount} is unknown to Stripe.",
                subscription_id=ours.subscription_id,
            )
