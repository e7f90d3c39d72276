"""Staff tools around the money: the close command with its dry run, reconciliation with Stripe, and the emails."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from investors.models import Holding, Payment, ReconciliationIssue, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, reconciliation
from ledger.models import Line
from projects.models import Offering, OfferingStatus
from tests.support.money import eligible_investor, live_offering, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]


def test_close_offering_dry_run_shows_the_plan_and_changes_nothing_then_the_real_run_settles():
    offering = live_offering()
    subscribe(eligible_investor(), offering, "120000.00", key="big")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    lines_before = Line.objects.count()

    dry = StringIO()
    call_command("close_offering", str(offering.pk), "--dry-run", stdout=dry)

    assert "outcome: close" in dry.getvalue() and "Would settle" in dry.getvalue()
    assert "platform fee 6000.00; issuer payout 114000.00" in dry.getvalue()
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.LIVE and not Holding.objects.exists()
    assert Line.objects.count() == lines_before
    assert Subscription.objects.get().status == SubscriptionStatus.PAID

    call_command("close_offering", str(offering.pk), stdout=StringIO())
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.CLOSED
    assert Holding.objects.get().shares == 12000


def test_reconciliation_finds_nothing_when_records_agree_and_reports_a_charge_we_never_recorded():
    offering = live_offering()
    subscribe(eligible_investor(), offering, "20000.00", key="ok")
    assert reconciliation.payments_reconcile() == 0

    gateway.charge(
        subscription_id=999999, amount=offering.min_investment, currency="CNY", payment_method="pm_card_visa"
    )
    Payment.objects.update(amount="19000.00")

    # The altered payment now differs from Stripe, from its subscription and from the ledger.
    assert reconciliation.payments_reconcile() == 4
    assert set(ReconciliationIssue.objects.values_list("kind", flat=True)) == {
        "charge_without_payment",
        "amount_mismatch",
        "payment_subscription_mismatch",
        "payment_ledger_mismatch",
    }
    assert reconciliation.payments_reconcile() == 4, "a second run must not report the same difference twice"


def test_investor_is_emailed_when_paid_and_when_the_offering_closes_with_their_shares():
    offering = live_offering()
    investor = eligible_investor()
    subscribe(investor, offering, "100000.00", key="mail")
    # The confirmation, and the notice that the offering reached its whole target.
    assert [m.to for m in mail.outbox] == [[investor.email], [investor.email]]
    assert offering.title in mail.outbox[1].subject

    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("close_offering", str(offering.pk), stdout=StringIO())

    assert len(mail.outbox) == 3 and "10000" in mail.outbox[2].body
