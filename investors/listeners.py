"""What `investors` does when an event is announced. A listener runs after the announcing commit (kernel/events.py)
and only sends a task, which does the work and may run twice harmlessly."""

import datetime as dt

from investors import tasks
from kernel import events


@events.listen("subscription_paid")
def _on_subscription_paid(*, subscription_id: int, offering_id: int, occurred_at: dt.datetime) -> None:
    # After the payment's commit: only send the task, which records and announces what was reached.
    tasks.notify_milestones.delay(offering_id)
