"""The broker (a Redis of the test's own) stopped and started again while investors subscribe, submit KYC and issuers
file statements: every request is answered, nothing it owes the workers is lost (the outbox keeps it until the
relay sends it), and no subscription stays `pending_payment`."""

from __future__ import annotations

import time
from decimal import Decimal

from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory
from investors import tasks as investor_tasks
from investors.models import KycProfile, KycStatus, Subscription, SubscriptionStatus
from investors.tests.factories import kyc_submission
from outbox import tasks as outbox_tasks
from outbox.models import OutboxMessage
from projects import services as project_services
from projects.models import Offering
from projects.tests.factories import IssuerFactory
from risk.models import Case, CaseStatus
from tests.faults.support import assert_ledger_balanced, wait_until
from tests.support.money import eligible_investor, live_offering
from tests.support.payments import answer_lost_after_charging

INVESTORS = 6
ISSUERS = 3


def file_impossible_statement(issuer) -> None:
    """Net profit above revenue: a screening of the issuer opens a case (financial_inconsistency)."""
    project_services.financial_statement_file(
        issuer=issuer,
        by=issuer.owner,
        fiscal_year=2025,
        period="FY",
        kind="historical",
        revenue="1000000.00",
        net_profit="2000000.00",
        total_assets="5000000.00",
        total_liabilities="1000000.00",
    )


def api_as(user) -> APIClient:
    """Signed in as `user`; a server error comes back as a 500 answer, as a client sees it, instead of raising."""
    client = APIClient()
    client.raise_request_exception = False
    client.force_authenticate(user)
    return client


def test_broker_stopped_and_restarted_loses_no_screening_no_task_and_leaves_nothing_pending(
    own_broker, start_worker, settings, monkeypatch
):
    # A reservation ends at once, so that the sweep may settle a lost answer as soon as the broker is back.
    settings.RESERVATION_MINUTES = 0
    offering = live_offering()
    investors = [eligible_investor() for _ in range(INVESTORS)]
    issuers = [IssuerFactory() for _ in range(ISSUERS)]
    newcomer = InvestorFactory()
    worker = start_worker()

    assert own_broker.server.stop()
    answers, slowest = [], 0.0
    for number, investor in enumerate(investors):
        if number == 0:
            # Stripe takes this one's money but the answer is lost: it stays pending until the sweep looks.
            answer_lost_after_charging(monkeypatch)
        started = time.monotonic()
        answers.append(
            api_as(investor).post(
                "/api/v1/subscriptions/",
                {"offering": offering.pk, "amount": "5000.00", "payment_method": "pm_card_visa"},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"outage-{number}",
            )
        )
        slowest = max(slowest, time.monotonic() - started)
        monkeypatch.undo()
    for issuer in issuers:
        file_impossible_statement(issuer)
    kyc_answer = api_as(newcomer).put("/api/v1/me/kyc/", kyc_submission(), format="json")
    unsent_during_outage = OutboxMessage.objects.filter(sent_at__isnull=True).count()

    assert [answer.status_code for answer in answers] == [201] * INVESTORS, [a.content for a in answers]
    assert [answer.json()["status"] for answer in answers] == ["pending_payment"] + ["paid"] * (INVESTORS - 1)
    assert kyc_answer.status_code == 200 and kyc_answer.json()["status"] == "pending"
    assert unsent_during_outage >= INVESTORS + ISSUERS + 1

    restarted = time.monotonic()
    assert own_broker.server.start() is None
    # What the beat sends every OUTBOX_RELAY_SECONDS and every minute.
    outbox_tasks.relay.delay()
    investor_tasks.expire_reservations.delay()
    delivered = wait_until(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
        seconds=60,
        what="the relay sends every message",
        logs=worker.log,
    )
    wait_until(
        lambda: (
            Case.objects.filter(status=CaseStatus.OPEN, issuer__in=issuers).count() == ISSUERS
            and KycProfile.objects.get(user=newcomer).status == KycStatus.VERIFIED
            and not Subscription.objects.filter(status=SubscriptionStatus.PENDING_PAYMENT).exists()
        ),
        seconds=60,
        what="every screening, the identity check and the sweep run",
        logs=worker.log,
    )
    recovered = time.monotonic() - restarted

    assert set(Subscription.objects.values_list("status", flat=True)) == {SubscriptionStatus.PAID}
    assert Offering.objects.get(pk=offering.pk).raised_amount == Decimal("5000.00") * INVESTORS
    assert_ledger_balanced()
    print(
        f"\nFIGURES redis-outage: subscriptions={INVESTORS} statements={ISSUERS} kyc=1 "
        f"unsent_during_outage={unsent_during_outage} slowest_request_s={slowest:.2f} "
        f"all_sent_after_s={delivered:.1f} recovered_s={recovered:.1f}"
    )
