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


def task_send_on_commit(*, task: Task, args: Sequence[object] = ()) -> None:
    """Send `task` with `args` once the current transaction commits (at once outside one), at least once."""
    _message_add(kind=MessageKind.TASK, name=task.name, payload={"args": list(args)})


def event_send_on_commit(*, event: str, payload: dict) -> None:
    """Hand an event to its listeners (kernel.events) once the current transaction commits, at least once."""
    _message_add(kind=MessageKind.EVENT, name=event, payload=payload)


def _message_add(*, kind: str, name: str, payload: dict) -> None:
    message = OutboxMessage.objects.create(kind=kind, name=name, payload=payload, created_at=timezone.now())
    message_id = message.pk
    # The first attempt, right after the commit; a message it cannot send waits for the relay.
    transaction.on_commit(lambda: _send_each(OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True)))


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
        current_app.tasks[message.name].apply_async(args=message.payload["args"])
