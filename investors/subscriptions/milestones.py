"""Investors hear when an offering they paid into reaches half and all of its target, once each."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from kernel import events
from investors import tasks
from investors.subscriptions import notifications
from projects import services as project_services


@events.listen("subscription_paid")
def _on_subscription_paid(*, subscription_id: int, offering_id: int, occurred_at: dt.datetime) -> None:
    # After the payment's commit: only send the task, which records and announces what was reached.
    tasks.notify_milestones.delay(offering_id)


def offering_milestones_announce(*, offering_id: int) -> list[int]:
    """Record the shares of the target newly reached and email the offering's investors about the highest one (a
    payment that takes an offering from under half to its whole target sends one email, not two)."""
    with transaction.atomic():
        reached = project_services.offering_milestones_record(offering_id=offering_id)
        if reached:
            notifications.offering_milestone_emails(offering_id=offering_id, percent=max(reached))
    return reached
