"""What `investors` does when an event is announced. A listener runs after the announcing commit (kernel/events.py)
and only sends a task, which does the work and may run twice harmlessly."""

import datetime as dt

from investors import tasks
from kernel import events
from projects import selectors as project_selectors


@events.listen("subscription_paid")
def _on_subscription_paid(*, subscription_id: int, offering_id: int, occurred_at: dt.datetime) -> None:
    # After the payment's commit. Most payments of a sale reach no new share of the target: one read tells, and only
    # a payment that may have reached one sends the task, which records and announces it.
    if project_selectors.offering_milestones_unrecorded(offering_id=offering_id):
        tasks.notify_milestones.delay(offering_id)
