"""A tiny, explicit event hook: `projects` and `investors` announce what happened, other apps listen.

An announced event is written to the outbox (outbox/services.py) in the announcing transaction, and listeners run
after it commits, so a listener never sees (or acts on) a write that was rolled back, and an event whose listeners
could not run then (the broker was down) is delivered again by the outbox relay. A listener may therefore run more
than once for one event: listeners only send idempotent Celery tasks, and the work happens in the task. Each listener
gets the event's keyword arguments and `occurred_at`, the moment it was announced.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

Listener = Callable[..., None]

_listeners: dict[str, list[Listener]] = defaultdict(list)
# Writes an announced event to the outbox in the current transaction. The outbox app plugs it in when it loads
# (outbox/apps.py), so the kernel, which every app imports, imports no app.
_outbox: list[Callable[..., None]] = []

# The events the platform announces, with the keyword arguments each carries.
EVENTS = {
    "statement_filed": ("issuer_id",),
    "issuer_changed": ("issuer_id",),
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


def send_through(send_on_commit: Callable[..., None]) -> None:
    """Install what writes announced events to the outbox: `send_on_commit(event=..., payload=...)`."""
    _outbox[:] = [send_on_commit]


def announce(event: str, **payload) -> None:
    if event not in EVENTS or set(payload) != set(EVENTS[event]):
        raise ValueError(f"event {event!r} takes {EVENTS.get(event)}, got {sorted(payload)}")
    if _listeners[event]:
        if not _outbox:
            raise RuntimeError("no outbox to announce events through: is the outbox app installed?")
        _outbox[0](event=event, payload=payload)


def deliver(event: str, *, occurred_at: dt.datetime, payload: dict) -> None:
    """Runs the listeners of an event taken from the outbox."""
    for listener in list(_listeners[event]):
        listener(occurred_at=occurred_at, **payload)
