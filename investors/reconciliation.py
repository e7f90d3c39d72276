"""Compare our payments and refunds with Stripe's records. Every difference becomes an issue for staff."""

from __future__ import annotations

from django.utils import timezone

from investors import gateway
from investors.models import Payment, ReconciliationIssue, Refund, RefundStatus


def _report(kind: str, stripe_id: str, detail: str, subscription_id: int | None = None) -> None:
    ReconciliationIssue.objects.get_or_create(
        kind=kind,
        stripe_id=stripe_id,
        resolved=False,
        defaults={"found_at": timezone.now(), "detail": detail, "subscription_id": subscription_id},
    )


def payments_reconcile() -> int:
    """Returns the number of open issues after this run."""
    payments = {p.payment_intent_id: p for p in Payment.objects.all()}
    seen = set()
    for charge in gateway.list_charges():
        if charge.status != "succeeded":
            continue
        seen.add(charge.payment_intent_id)
        payment = payments.get(charge.payment_intent_id)
        if payment is None:
            _report(
                "charge_without_payment",
                charge.payment_intent_id,
                f"Stripe holds {charge.amount} {charge.currency} for subscription {charge.subscription_id} "
                "that we have not recorded.",
            )
        elif (payment.amount, payment.currency.upper()) != (charge.amount, charge.currency.upper()):
            _report(
                "amount_mismatch",
                charge.payment_intent_id,
                f"We recorded {payment.amount} {payment.currency}; Stripe charged {charge.amount} {charge.currency}.",
                payment.subscription_id,
            )
    for intent_id, payment in payments.items():
        if intent_id not in seen:
            _report(
                "payment_missing_at_stripe",
                intent_id,
                f"We recorded {payment.amount} {payment.currency}, but Stripe shows no successful charge.",
                payment.subscription_id,
            )

    refunds = {r.stripe_refund_id: r for r in Refund.objects.filter(status=RefundStatus.SUCCEEDED)}
    stripe_refunds = {refund.stripe_refund_id: refund for refund in gateway.list_refunds()}
    for refund_id, refund in stripe_refunds.items():
        ours = refunds.get(refund_id)
        if ours is None:
            _report("refund_unknown", refund_id, f"Stripe refunded {refund.amount} {refund.currency} that we did not record.")
        elif ours.amount != refund.amount:
            _report(
                "refund_amount_mismatch",
                refund_id,
                f"We recorded a refund of {ours.amount}; Stripe refunded {refund.amount}.",
                ours.subscription_id,
            )
    for refund_id, ours in refunds.items():
        if refund_id not in stripe_refunds:
            _report("refund_missing_at_stripe", refund_id, f"Our refund of {ours.amount} is unknown to Stripe.", ours.subscription_id)
    return ReconciliationIssue.objects.filter(resolved=False).count()


