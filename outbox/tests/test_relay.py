"""The outbox: a message is written with its transaction, sent after commit, kept while the broker refuses it, and
sent by the relay once the broker takes it again."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.app.task import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from investors import tasks as investor_tasks
from outbox import services
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


class FakeBroker:
    def __init__(self) -> None:
        self.down = False
        self.sent: list[tuple[str, list]] = []

    def apply_async(self, task: Task, args=(), **_options) -> None:
        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((task.name, list(args)))


@pytest.fixture
def broker(monkeypatch) -> FakeBroker:
    fake = FakeBroker()
    monkeypatch.setattr(Task, "apply_async", lambda task, args=(), **options: fake.apply_async(task, args, **options))
    return fake


def test_a_task_is_sent_once_its_transaction_commits(broker):
    with transaction.atomic():
        services.task_send_on_commit(task=investor_tasks.process_refund, args=[7])
        assert broker.sent == []

    assert broker.sent == [("investors.process_refund", [7])]
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_rolled_back_transaction_leaves_no_message_and_sends_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.task_send_on_commit(task=investor_tasks.process_refund, args=[7])
        raise RuntimeError("the change failed")

    assert broker.sent == [] and not OutboxMessage.objects.exists()


def test_a_message_the_broker_refused_is_kept_and_the_relay_sends_it_once_the_broker_is_back(broker, settings):
    settings.OUTBOX_RELAY_GRACE_SECONDS = 0
    broker.down = True
    services.task_send_on_commit(task=investor_tasks.process_refund, args=[7])
    services.task_send_on_commit(task=investor_tasks.process_refund, args=[8])

    while_down = services.messages_relay()

    assert broker.sent == [] and (while_down.sent, while_down.unsent) == (0, 2)
    assert list(OutboxMessage.objects.values_list("attempts", flat=True)) == [2, 1]
    assert "Connection refused" in OutboxMessage.objects.first().last_error

    broker.down = False
    back = services.messages_relay()
    again = services.messages_relay()

    assert broker.sent == [("investors.process_refund", [7]), ("investors.process_refund", [8])]
    assert (back.sent, back.unsent, again.sent) == (2, 0, 0)


def test_the_relay_leaves_young_messages_to_their_own_attempt_and_forgets_old_sent_ones(broker, settings):
    settings.OUTBOX_RELAY_GRACE_SECONDS = 60
    broker.down = True
    services.task_send_on_commit(task=investor_tasks.process_refund, args=[7])
    broker.down = False

    assert services.messages_relay().sent == 0 and broker.sent == []

    later = timezone.now() + dt.timedelta(days=8)
    assert services.messages_relay(now=later).sent == 1
    assert services.messages_relay(now=later + dt.timedelta(days=8)).unsent == 0
    assert not OutboxMessage.objects.exists()
