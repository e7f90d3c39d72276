"""The transactional outbox: events and tasks that must not be lost are rows written in the transaction of the change
that causes them, then sent to Celery once it commits. If the broker cannot take them then (Redis down or
restarting), the rows stay unsent and the relay (the beat job `outbox.relay`) sends them again, so each is delivered
at least once; every task and listener is idempotent, so a second delivery changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from outbox.models import MessageKind, OutboxMessage

# How long sent messages are kept, for audits of what was sent when.
KEEP_SENT = dt.timedelta(days=7)


def task_send_on_commit(*, task: str | Task, args: Sequence[object] = ()) -> None:
    """Send the task named `task` with `args` once the current transaction commits (at once outside one), at least
    once. Services name the task (`"investors.process_refund"`) rather than import it: a tasks module imports its
    services, and nothing imports a tasks module but the event listeners."""
    name = task if isinstance(task, str) else task.name
    _message_add(kind=MessageKind.TASK, name=name, payload={"args": list(args)})


def tasks_send_on_commit(*, task: str | Task, args_list: Sequence[Sequence[object]]) -> None:
    """`task_send_on_commit` for many sends of one task, with one insert."""
    name = task if isinstance(task, str) else task.name
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=MessageKind.TASK, name=name, payload={"args": list(args)}, created_at=now)
        for args in args_list
    )
    if messages:
        transaction.on_commit(lambda: _send_each(messages))


def event_send_on_commit(*, event: str, payload: dict) -> None:
    """Hand an event to its listeners (kernel.events) once the current transaction commits, at least once."""
    _message_add(kind=MessageKind.EVENT, name=event, payload=payload)


def _message_add(*, kind: str, name: str, payload: dict) -> None:
    message = OutboxMessage.objects.create(kind=kind, name=name, payload=payload, created_at=timezone.now())
    # The first attempt, right after the commit, sends the row as it was written (nothing else sends it within the
    # relay's grace period, so it need not be read again); a message it cannot send waits for the relay.
    transaction.on_commit(lambda: _send_each([message]))


@dataclass(frozen=True)
class RelayReport:
    sent: int
    unsent: int


def messages_relay(*, now: dt.datetime | None = None) -> RelayReport:
    """The relay: send every message that its after-commit attempt did not send. Messages younger than
    OUTBOX_RELAY_GRACE_SECONDS are left to that attempt, which is usually under way."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    unsent = OutboxMessage.objects.filter(
        sent_at__isnull=True, created_at__lte=now - dt.timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    )
    sent = _send_each(unsent.order_by("pk")[: settings.OUTBOX_RELAY_BATCH])
    return RelayReport(sent=sent, unsent=OutboxMessage.objects.filter(sent_at__isnull=True).count())


def _send_each(messages: Iterable[OutboxMessage]) -> int:
    """Sends messages in order and marks each sent; stops at the first the broker refuses, as the rest would fail
    alike. No transaction is held while sending: a message sent twice by two racing senders is harmless."""
    sent = 0
    for message in messages:
        try:
            _send(message)
        except BrokerUnavailable as error:
            OutboxMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, last_error=str(error))
            break
        OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
        )
        sent += 1
    return sent


def _send(message: OutboxMessage) -> None:
    if message.kind == MessageKind.EVENT:
        from kernel import events

        events.deliver(message.name, occurred_at=message.created_at, payload=message.payload)
    else:
        # Through the task object rather than send_task, so that eager mode (tests, the demo) runs it in-process.
        _task(message.name).apply_async(args=message.payload["args"])


def _task(name: str) -> Task:
    """The task registered as `name`. No service imports a tasks module (tasks are leaves), so the first send in a
    process imports every app's tasks module, as a worker does when it starts."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
