"""Bad days on the money path: a charge that does not match its subscription, a refund Stripe refuses or fails, a
hold placed while settlement runs."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from accounts.tests.factories import RiskAnalystFactory
from investors.models import (
    Holding,
    Payment,
    ReconciliationIssue,
    Refund,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from investors.subscriptions import gateway, reconciliation, refunds, settlement
from investors.subscriptions import services as subscriptions
from ledger.models import AccountKind, Line
from ledger.selectors import balance, total_of_all_accounts
from projects import services as project_services
from projects.models import Offering, OfferingStatus
from tests.support.money import close_now, eligible_investor, live_offering, subscribe
from tests.support.payments import post_webhook, signed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


def pending_subscription(monkeypatch, offering, amount: str = "20000.00", *, key: str = "pending") -> Subscription:
    """A subscription whose charge never reached Stripe: it waits in `pending_payment`."""

    def stripe_down(**kwargs):
        raise gateway.GatewayUnavailable("connection refused")

    monkeypatch.setattr(gateway, "charge", stripe_down)
    response = subscribe(eligible_investor(), offering, amount, key=key)
    monkeypatch.undo()
    assert response.json()["status"] == "pending_payment", response.json()
    return Subscription.objects.get(pk=response.json()["id"])


def succeeded_webhook_for(charge: gateway.Charge, subscription: Subscription) -> bytes:
    intent = {
        "id": charge.payment_intent_id,
        "object": "payment_intent",
        "amount": int(charge.amount * 100),
        "currency": charge.currency.lower(),
        "status": "succeeded",
        "payment_method": "pm_card_visa",
        "last_payment_error": None,
        "metadata": {"subscription_id": str(subscription.pk)},
    }
    event = {
        "id": f"evt_{charge.payment_intent_id}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": intent},
    }
    return json.dumps(event).encode()


# A payment's amount and currency against its subscription.


def test_a_signed_charge_of_one_yuan_for_a_20000_subscription_is_not_accepted_as_payment(monkeypatch):
    offering = live_offering()
    subscription = pending_subscription(monkeypatch, offering)
    # A real, correctly signed charge at Stripe that names the subscription but took CNY 1.00.
    small = gateway.charge(
        subscription_id=subscription.pk, amount=Decimal("1.00"), currency="CNY", payment_method="pm_card_visa"
    )
    payload = succeeded_webhook_for(small, subscription)

    assert post_webhook(payload, signed(payload)).status_code == 200

    subscription.refresh_from_db()
    offering.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAYMENT_FAILED
    assert (offering.raised_amount, offering.reserved_amount, offering.investor_count) == (0, 0, 0)
    # What Stripe took goes back, in full and only that.
    refund = Refund.objects.get(subscription=subscription)
    assert (refund.amount, refund.currency, refund.status) == (Decimal("1.00"), "CNY", RefundStatus.SUCCEEDED)
    assert [(r.amount, r.payment_intent_id) for r in gateway.list_refunds()] == [
        (Decimal("1.00"), small.payment_intent_id)
    ]
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0 and total_of_all_accounts() == 0
    issue = ReconciliationIssue.objects.get(kind="charge_amount_mismatch")
    assert issue.subscription_id == subscription.pk and "1.00 CNY" in issue.detail


def test_a_charge_in_another_currency_is_not_accepted_and_the_ledger_posts_what_stripe_took(monkeypatch):
    offering = live_offering()
    subscription = pending_subscription(monkeypatch, offering)
    dollars = gateway.charge(
        subscription_id=subscription.pk, amount=Decimal("20000.00"), currency="USD", payment_method="pm_card_visa"
    )

    subscriptions.payment_record(subscription_id=subscription.pk, charge=dollars)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAYMENT_FAILED
    payment = Payment.objects.get(subscription=subscription)
    assert (payment.amount, payment.currency) == (Decimal("20000.00"), "USD")
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk, currency="CNY") == 0
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk, currency="USD") == 0
    assert Refund.objects.get(subscription=subscription).currency == "USD"
    assert ReconciliationIssue.objects.filter(kind="charge_amount_mismatch", subscription=subscription).exists()


def test_reconciliation_compares_subscription_payment_and_ledger_not_only_stripe():
    offering, investor = live_offering(), eligible_investor()
    subscribe(investor, offering, "20000.00", key="k1")
    subscription = Subscription.objects.get()
    assert reconciliation.payments_reconcile() == 0
    # Stripe and our Payment agree; the subscription and the ledger do not.
    Subscription.objects.filter(pk=subscription.pk).update(amount=Decimal("30000.00"))
    Line.objects.filter(entry__key=f"payment:{subscription.pk}", amount__gt=0).update(amount=Decimal("25000.00"))
    Line.objects.filter(entry__key=f"payment:{subscription.pk}", amount__lt=0).update(amount=Decimal("-25000.00"))

    reconciliation.payments_reconcile()

    kinds = set(ReconciliationIssue.objects.filter(subscription=subscription).values_list("kind", flat=True))
    assert kinds == {"payment_subscription_mismatch", "payment_ledger_mismatch"}


# Refunds that Stripe refuses or fails.


def failing_offering_with_payments(count: int, amount: str = "20000.00") -> Offering:
    offering = live_offering()
    for index in range(count):
        subscribe(eligible_investor(), offering, amount, key=f"f{offering.pk}-{index}")
    return offering


def test_a_refund_stripe_refuses_fails_alone_and_later_offerings_still_settle(monkeypatch, english):
    failing = failing_offering_with_payments(2)
    succeeding = live_offering(target_amount=Decimal("20000.00"))
    subscribe(eligible_investor(), succeeding, "20000.00", key="ok")
    refused_intent = Payment.objects.filter(subscription__offering=failing).order_by("pk").first().payment_intent_id
    real_refund = gateway.refund

    def refuse_one(**kwargs):
        if kwargs["payment_intent_id"] == refused_intent:
            raise gateway.GatewayRefused("Charge ch_1 has already been refunded.")
        return real_refund(**kwargs)

    monkeypatch.setattr(gateway, "refund", refuse_one)
    close_now(failing)
    close_now(succeeding)

    settlement.offerings_settle_closing()
    refunds.refunds_retry_pending()

    failing.refresh_from_db()
    succeeding.refresh_from_db()
    assert (failing.status, succeeding.status) == (OfferingStatus.FAILED, OfferingStatus.CLOSED)
    refused = Refund.objects.get(subscription__payment__payment_intent_id=refused_intent)
    assert refused.status == RefundStatus.FAILED
    assert "already been refunded" in refused.failure_reason
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 1
    # The refused refund's money is still in escrow, and the offering's history says why.
    assert balance(AccountKind.OFFERING_ESCROW, failing.pk) == Decimal("20000.00")
    assert "1 refund(s) failed" in failing.transitions.order_by("-pk").first().reason


def test_a_refund_stripe_marks_failed_is_failed_with_its_reason_not_pending_for_ever(monkeypatch):
    offering = failing_offering_with_payments(1)

    def stripe_fails_it(*, refund_id, payment_intent_id, amount, currency, attempt):
        return gateway.RefundResult(
            stripe_refund_id=f"re_failed_{refund_id}",
            refund_id=refund_id,
            payment_intent_id=payment_intent_id,
            status="failed",
            amount=amount,
            currency=currency,
            failure_reason="expired_or_canceled_card",
        )

    monkeypatch.setattr(gateway, "refund", stripe_fails_it)
    close_now(offering)

    settlement.offering_settle(offering_id=offering.pk)

    refund = Refund.objects.get()
    assert (refund.status, refund.failure_reason) == (RefundStatus.FAILED, "expired_or_canceled_card")
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.FAILED
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")


def refused_refund(monkeypatch) -> Refund:
    offering = failing_offering_with_payments(1)

    def refuse(**kwargs):
        raise gateway.GatewayRefused("This charge is disputed.")

    monkeypatch.setattr(gateway, "refund", refuse)
    close_now(offering)
    settlement.offering_settle(offering_id=offering.pk)
    monkeypatch.undo()
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED
    return refund


def test_staff_retry_a_failed_refund_and_it_succeeds_once(monkeypatch):
    refund = refused_refund(monkeypatch)

    refunds.refund_retry(refund_id=refund.pk, by=RiskAnalystFactory())
    refunds.refund_retry(refund_id=refund.pk, by=RiskAnalystFactory())

    refund.refresh_from_db()
    assert (refund.status, refund.failure_reason) == (RefundStatus.SUCCEEDED, "")
    assert len(list(gateway.list_refunds())) == 1
    assert balance(AccountKind.OFFERING_ESCROW, refund.subscription.offering_id) == 0
    assert total_of_all_accounts() == 0


def test_staff_record_a_manual_payout_for_a_failed_refund(monkeypatch):
    refund = refused_refund(monkeypatch)
    staff = RiskAnalystFactory()

    refunds.refund_record_manual_payout(refund_id=refund.pk, by=staff, note="Bank transfer 2026-11-30, ref 77.")

    refund.refresh_from_db()
    assert (refund.status, refund.settled_by) == (RefundStatus.PAID_MANUALLY, staff)
    assert "disputed" in refund.failure_reason
    assert "ref 77" in refund.manual_payout_note
    assert list(gateway.list_refunds()) == []
    assert balance(AccountKind.OFFERING_ESCROW, refund.subscription.offering_id) == 0
    assert total_of_all_accounts() == 0


def test_a_refund_that_is_not_failed_cannot_be_paid_out_by_hand_and_nothing_changes():
    from kernel.errors import DomainError

    offering = failing_offering_with_payments(1)
    close_now(offering)
    settlement.offering_settle(offering_id=offering.pk)
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.SUCCEEDED

    with pytest.raises(DomainError) as refusal:
        refunds.refund_record_manual_payout(refund_id=refund.pk, by=RiskAnalystFactory(), note="twice?")

    assert refusal.value.code == "invalid_transition"
    refund.refresh_from_db()
    assert (refund.status, refund.manual_payout_note) == (RefundStatus.SUCCEEDED, "")
    assert total_of_all_accounts() == 0


# A hold placed while settlement runs.


def test_a_hold_placed_between_two_batches_stops_settlement_and_a_later_run_finishes(monkeypatch, settings):
    offering = live_offering(target_amount=Decimal("40000.00"))
    for index in range(3):
        subscribe(eligible_investor(), offering, "20000.00", key=f"h{index}")
    close_now(offering)
    real_settle_batch = settlement._settle_batch
    settled = []

    def hold_after_first(offering_id, subscription_ids):
        real_settle_batch(offering_id, subscription_ids)
        settled.append(subscription_ids)
        if len(settled) == 1:
            project_services.offering_risk_hold_set(offering_id=offering.pk, hold=True, reason="Critical case.")

    settings.SETTLEMENT_BATCH_SIZE = 1
    monkeypatch.setattr(settlement, "_settle_batch", hold_after_first)

    report = settlement.offering_settle(offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SUSPENDED
    assert report.outcome == "held"
    assert Holding.objects.count() == 1
    assert Subscription.objects.filter(status=SubscriptionStatus.PAID).count() == 2
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("40000.00")

    project_services.offering_risk_hold_set(offering_id=offering.pk, hold=False, reason="Cleared.")
    monkeypatch.undo()
    settlement.offering_settle(offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CLOSED
    assert Holding.objects.count() == 3
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0 and total_of_all_accounts() == 0


def test_a_hold_placed_while_a_failed_offering_is_refunded_stops_the_refunds(monkeypatch, settings):
    offering = failing_offering_with_payments(2)
    close_now(offering)
    real_refund_batch = settlement._refund_batch
    refunded = []

    def hold_after_first(offering_id, subscription_ids, **kwargs):
        real_refund_batch(offering_id, subscription_ids, **kwargs)
        refunded.append(subscription_ids)
        project_services.offering_risk_hold_set(offering_id=offering.pk, hold=True, reason="Critical case.")

    settings.SETTLEMENT_BATCH_SIZE = 1
    monkeypatch.setattr(settlement, "_refund_batch", hold_after_first)

    settlement.offering_settle(offering_id=offering.pk)

    assert len(refunded) == 1
    assert Subscription.objects.filter(status=SubscriptionStatus.PAID).count() == 1
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.SUSPENDED


def test_staff_see_failed_refunds_in_the_admin_and_record_a_manual_payout_there(monkeypatch, client):
    from accounts.tests.factories import SuperuserFactory

    refund = refused_refund(monkeypatch)
    client.force_login(SuperuserFactory())

    listed = client.get("/admin/investors/refund/?status__exact=failed")
    asked = client.post("/admin/investors/refund/", {"action": "record_manual_payout", "_selected_action": [refund.pk]})
    done = client.post(
        "/admin/investors/refund/",
        {"action": "record_manual_payout", "_selected_action": [refund.pk], "apply": "1", "reason": "Wire ref 9."},
    )

    assert listed.status_code == 200 and "This charge is disputed." in listed.content.decode()
    assert asked.status_code == 200 and done.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.manual_payout_note) == (RefundStatus.PAID_MANUALLY, "Wire ref 9.")
