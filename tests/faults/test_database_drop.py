"""The database connection dropped (pg_terminate_backend of that connection, on this run's own test database only)
in the middle of a request and of a task: an error answer and nothing half-written; the task is retried and
finishes."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import psycopg
import redis
from django.db import connection
from rest_framework.test import APIClient

from investors import tasks
from investors.models import Holding, Payment, Subscription, SubscriptionStatus
from investors.subscriptions import services as subscriptions
from ledger.models import Entry
from outbox.models import OutboxMessage
from projects.models import Offering, OfferingStatus
from tests.faults.support import (
    assert_ledger_balanced,
    close_for_settlement,
    paid_subscriptions,
    stripe_charges_by_intent,
    wait_until,
)
from tests.support.money import eligible_investor, live_offering

SETTLED_SUBSCRIPTIONS = 90
AMOUNT = Decimal("1000.00")


def terminate_backends(*, pids: list[int] | None = None) -> list[int]:
    """Terminates connections to the test database (those of `pids`, else all but the test's own), through a
    connection of its own; returns the pids terminated."""
    own_pid = connection.connection.info.backend_pid if connection.connection else None
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND (%(pids)s::int[] IS NULL AND pid IS DISTINCT FROM %(own)s OR pid = ANY(%(pids)s::int[]))",
            {"pids": pids, "own": own_pid},
        ).fetchall()
    return [pid for pid, _terminated in rows]


def test_request_whose_database_connection_drops_answers_an_error_and_writes_nothing(monkeypatch, fake_stripe):
    offering = live_offering()
    investor = eligible_investor()
    real_reserve = subscriptions.project_services.offering_capacity_reserve

    def reserve_after_the_connection_dropped(**kwargs):
        # Halfway through the subscription's transaction: the investor's and the offering's rows are locked.
        terminate_backends(pids=[connection.connection.info.backend_pid])
        return real_reserve(**kwargs)

    monkeypatch.setattr(
        subscriptions.project_services, "offering_capacity_reserve", reserve_after_the_connection_dropped
    )
    client = APIClient()
    client.raise_request_exception = False
    client.force_authenticate(investor)
    body = {"offering": offering.pk, "amount": "20000.00", "payment_method": "pm_card_visa"}

    dropped = client.post("/api/v1/subscriptions/", body, format="json", HTTP_IDEMPOTENCY_KEY="drop-1")

    assert dropped.status_code == 500
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()
    untouched = Offering.objects.get(pk=offering.pk)
    assert (untouched.reserved_amount, untouched.investor_count, untouched.raised_amount) == (0, 0, 0)
    assert stripe_charges_by_intent() == {} and not Entry.objects.exists()

    monkeypatch.undo()
    again = client.post("/api/v1/subscriptions/", body, format="json", HTTP_IDEMPOTENCY_KEY="drop-1")

    assert again.status_code == 201 and again.json()["status"] == "paid", again.content
    assert Offering.objects.get(pk=offering.pk).reserved_amount == Decimal("20000.00")
    assert len(stripe_charges_by_intent()) == 1 == Payment.objects.count()
    assert_ledger_balanced()


def test_task_whose_database_connection_drops_is_retried_and_settles_each_subscription_once(own_broker, start_worker):
    offering = live_offering(target_amount=AMOUNT, max_amount=AMOUNT * SETTLED_SUBSCRIPTIONS)
    paid = paid_subscriptions(offering, count=SETTLED_SUBSCRIPTIONS, amount=str(AMOUNT))
    close_for_settlement(offering)
    redis.Redis.from_url(own_broker.url).flushdb()
    worker = start_worker()

    tasks.settle_offering.delay(offering.pk)
    settled = Subscription.objects.filter(offering=offering, status=SubscriptionStatus.SETTLED)
    wait_until(lambda: settled.count() >= 10, seconds=60, what="settling", logs=worker.log)
    terminated = terminate_backends()
    settled_when_dropped = settled.count()
    recovery = wait_until(
        lambda: Offering.objects.get(pk=offering.pk).status == OfferingStatus.CLOSED,
        seconds=60,
        what="the retried task closes the offering",
        logs=worker.log,
    )

    assert terminated, "the worker had no connection to terminate"
    assert settled_when_dropped < SETTLED_SUBSCRIPTIONS, "the task finished before its connection dropped"
    retries = worker.log().count("Retry in")
    assert retries >= 1, worker.log()
    holdings = Counter(Holding.objects.filter(offering=offering).values_list("subscription_id", flat=True))
    assert holdings == Counter({subscription.pk: 1 for subscription in paid})
    assert Entry.objects.filter(key__startswith="release:").count() == SETTLED_SUBSCRIPTIONS
    assert_ledger_balanced()
    print(
        f"\nFIGURES db-drop-task: subscriptions={SETTLED_SUBSCRIPTIONS} settled_when_dropped={settled_when_dropped} "
        f"connections_terminated={len(terminated)} retries={retries} recovery_s={recovery:.1f}"
    )
