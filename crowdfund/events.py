"""A tiny, explicit event hook: `projects` and `investors` announce what happened, other apps listen.

Listeners run after the announcing transaction commits, so a listener never sees (or acts on) a write that was
rolled back. Listeners should only send Celery tasks: the work happens in the task, not in the announcing request.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

from django.db import transaction

Listener = Callable[..., None]

_listeners: dict[str, list[Listener]] = defaultdict(list)

# The events the platform announces, with the keyword arguments each carries.
EVENTS = {
    "statement_filed": ("issuer_id",),
    "offering_submitted": ("offering_id",),
    "offering_changed": ("offering_id",),
    "offering_update_posted": ("offering_id",),
    "offering_closing": ("offering_id",),
    "subscription_paid": ("subscription_id", "offering_id"),
    "kyc_submitted": ("investor_id",),
    "kyc_checked": ("investor_id",),
}


def listen(event: str) -> Callable[[Listener], Listener]:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")

    def register(listener: Listener) -> Listener:
        if listener not in _listeners[event]:
            _listeners[event].append(listener)
        return listener

    return register


def announce(event: str, **payload) -> None:
    if event not in EVENTS or set(payload) != set(EVENTS[event]):
        raise ValueError(f"event {event!r} takes {EVENTS.get(event)}, got {sorted(payload)}")
    for listener in list(_listeners[event]):
        transaction.on_commit(lambda listener=listener: listener(**payload))
