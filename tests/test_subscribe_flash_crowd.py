"""The subscribe path built for a flash crowd: the request reserves and answers `pending_payment`, a worker charges
after commit, the payment is recorded once whichever of the worker and Stripe's webhook comes first, and the hot
offering row is locked once per subscription, by the reservation's last statement."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investors.models import Payment, Subscription, SubscriptionStatus
from investors.subscriptions import gateway, payments
from investors.subscriptions import services as subscriptions
from kernel.errors import DomainError
from ledger.models import AccountKind, Line
from ledger.selectors import balance, total_of_all_accounts
from tests.support.money import eligible_investor, live_offering, subscribe, subscription_seen_by
from tests.support.payments import signed, succeeded_webhook_for

pytestmark = [pytest.mark.usefixtures("fake_stripe")]

OFFERING_ROW_LOCK = re.compile(
    r'FOR (NO KEY )?UPDATE OF "projects_offering"|FROM "projects_offering".*FOR (NO KEY )?UPDATE'
)
OFFERING_UPDATE = re.compile(r'^UPDATE "projects_offering"')
# What the subscribe request may cost: authentication aside (a token is one more), the offering's read and the
# investor's standing (KYC, suitability and the signed statement in one query), then the investor's lock, their
# commitments (the rolling limit and their places in this offering in one query), the subscription and its history
# row, the outbox row of the charge and the offering's conditional update, with the transaction around them (here a
# savepoint, inside the test's transaction). The idempotency key is read only when a request is refused or repeated.
SUBSCRIBE_QUERY_BUDGET = 10


def offering_statements(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if "projects_offering" in q["sql"]]


@pytest.mark.django_db
def test_subscribe_answers_pending_payment_and_the_worker_task_pays_it(django_capture_on_commit_callbacks):
    offering, investor = live_offering(), eligible_investor()

    with django_capture_on_commit_callbacks() as after_commit:
        response = subscribe(investor, offering, "20000.00", key="k1")

    assert response.status_code == 201 and response.json()["status"] == "pending_payment"
    subscription = Subscription.objects.get(pk=response.json()["id"])
    offering.refresh_from_db()
    assert offering.reserved_amount == Decimal("20000.00") and offering.raised_amount == 0
    assert list(gateway.list_charges()) == [], "nobody is charged before the reservation commits"

    for callback in after_commit:  # the commit: the outbox sends the charge task, which runs eagerly here
        callback()

    subscription.refresh_from_db()
    offering.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAID
    assert (offering.reserved_amount, offering.raised_amount) == (Decimal("20000.00"), Decimal("20000.00"))
    assert [c.subscription_id for c in gateway.list_charges()] == [subscription.pk]
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00")


@pytest.mark.django_db
def test_subscribe_request_stays_within_its_query_budget_and_touches_the_offering_once_last(
    django_capture_on_commit_callbacks,
):
    offering, investor = live_offering(), eligible_investor()
    subscribe(investor, offering, "1000.00", key="warm-up")  # a second subscription also asks for the investor's first

    with django_capture_on_commit_callbacks(), CaptureQueriesContext(connection) as queries:
        response = subscribe(investor, offering, "20000.00", key="k2")

    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= SUBSCRIBE_QUERY_BUDGET, "\n".join(statements)
    assert not any(OFFERING_ROW_LOCK.search(sql) for sql in statements), "the offering is never locked FOR UPDATE"
    updates = [i for i, sql in enumerate(statements) if OFFERING_UPDATE.match(sql)]
    assert len(updates) == 1, statements
    # Nothing after the conditional update but the end of the transaction: the hot row is held only through commit.
    assert all(sql.startswith("RELEASE SAVEPOINT") for sql in statements[updates[0] + 1 :]), statements


@pytest.mark.django_db
def test_sold_out_offering_is_refused_without_locking_or_updating_its_row(english):
    offering = live_offering(max_amount=Decimal("100000.00"), target_amount=Decimal("100000.00"))
    offering.reserved_amount = offering.max_amount
    offering.save(update_fields=["reserved_amount"])
    investor = eligible_investor()

    with CaptureQueriesContext(connection) as queries, pytest.raises(DomainError) as refusal:
        subscriptions.subscription_create(
            investor=investor,
            offering=offering,
            amount="1000.00",
            payment_method="pm_card_visa",
            idempotency_key="late",
        )

    assert refusal.value.code == "offering_full"
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any(OFFERING_ROW_LOCK.search(sql) or OFFERING_UPDATE.match(sql) for sql in statements), statements
    assert not any("FOR NO KEY UPDATE" in sql or "FOR UPDATE" in sql for sql in statements), "no lock at all"
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_place_freed_by_a_failed_payment_is_offered_again(django_capture_on_commit_callbacks):
    """The unlocked read that refuses a sold-out offering sees the place a declined card gave back."""
    offering = live_offering(max_amount=Decimal("100000.00"), target_amount=Decimal("100000.00"))
    first, second = eligible_investor(), eligible_investor()
    with django_capture_on_commit_callbacks(execute=True):
        declined = subscribe(first, offering, "100000.00", key="a", card="pm_card_visa_chargeDeclined")
    assert subscription_seen_by(first, declined.json()["id"])["status"] == "payment_failed"

    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(second, offering, "100000.00", key="b")

    assert response.status_code == 201, response.json()
    assert subscription_seen_by(second, response.json()["id"])["status"] == "paid"
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.raised_amount, offering.investor_count) == (
        Decimal("100000.00"),
        Decimal("100000.00"),
        1,
    )


@pytest.mark.django_db
def test_declined_card_reason_reaches_the_investor_on_the_web_and_the_place_is_free(
    client, django_capture_on_commit_callbacks
):
    offering, investor = live_offering(), eligible_investor()
    with django_capture_on_commit_callbacks() as after_commit:
        response = subscribe(investor, offering, "20000.00", key="d", card="pm_card_visa_chargeDeclined")
    client.force_login(investor)

    waiting = client.get("/investor/subscriptions/")
    assert b"Reserved, payment in progress" in waiting.content
    assert b'http-equiv="refresh"' in waiting.content

    for callback in after_commit:
        callback()
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.status == SubscriptionStatus.PAYMENT_FAILED and subscription.payment_failure_reason
    result = client.get("/investor/subscriptions/")
    assert subscription.payment_failure_reason.encode() in result.content
    assert b'http-equiv="refresh"' not in result.content, "the page stops reloading once the result is known"
    offering.refresh_from_db()
    assert (offering.reserved_amount, offering.investor_count, offering.raised_amount) == (0, 0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_and_webhook_racing_on_one_payment_record_it_once_without_locking_the_offering(monkeypatch):
    offering = live_offering()
    with monkeypatch.context() as stripe_down:
        stripe_down.setattr(
            gateway, "charge", lambda **kwargs: (_ for _ in ()).throw(gateway.GatewayUnavailable("down"))
        )
        answer = subscribe(eligible_investor(), offering, "20000.00", key="race")
    subscription = Subscription.objects.get(pk=answer.json()["id"])
    assert subscription.status == SubscriptionStatus.PENDING_PAYMENT
    # Stripe took the money, and its webhook is on its way while the worker asks again: Stripe answers the worker's
    # idempotency key with the payment it made (the fake server does not keep idempotency keys, so the test does).
    charge = gateway.charge(
        subscription_id=subscription.pk, amount=subscription.amount, currency="CNY", payment_method="pm_card_visa"
    )
    monkeypatch.setattr(gateway, "charge", lambda **kwargs: charge)
    payload = succeeded_webhook_for(charge, subscription)
    start = threading.Barrier(2)
    statements: list[str] = []

    def worker():
        start.wait()
        try:
            with CaptureQueriesContext(connection) as queries:
                payments.subscription_charge(subscription_id=subscription.pk)
            statements.extend(q["sql"] for q in queries.captured_queries)
        finally:
            connection.close()

    def webhook():
        start.wait()
        try:
            payments.stripe_event_receive(payload=payload, signature_header=signed(payload))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=webhook)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    subscription.refresh_from_db()
    offering.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAID
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert Line.objects.filter(entry__key=f"payment:{subscription.pk}").count() == 2, "one entry of two lines"
    assert (offering.raised_amount, offering.reserved_amount) == (Decimal("20000.00"), Decimal("20000.00"))
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("20000.00") and total_of_all_accounts() == 0
    assert len(list(gateway.list_charges())) == 1
    assert not any(OFFERING_ROW_LOCK.search(sql) for sql in statements), "recording locks the subscription only"


@pytest.mark.django_db
def test_webhook_of_a_payment_the_worker_recorded_changes_nothing_and_leaves_the_offering_alone(
    django_capture_on_commit_callbacks,
):
    offering, investor = live_offering(), eligible_investor()
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(investor, offering, "20000.00", key="paid-first")
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.status == SubscriptionStatus.PAID
    payload = succeeded_webhook_for(gateway.find_charge(subscription_id=subscription.pk), subscription)

    with CaptureQueriesContext(connection) as queries:
        assert payments.stripe_event_receive(payload=payload, signature_header=signed(payload)) is True

    offering_writes = [
        sql
        for sql in offering_statements(queries.captured_queries)
        if OFFERING_ROW_LOCK.search(sql) or OFFERING_UPDATE.match(sql)
    ]
    assert offering_writes == [], "the offering is neither locked nor updated again"
    locks = [q["sql"] for q in queries.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert locks == [], "a payment recorded already is seen without locking its subscription"
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert Line.objects.filter(entry__key=f"payment:{subscription.pk}").count() == 2
    offering.refresh_from_db()
    assert offering.raised_amount == Decimal("20000.00")
