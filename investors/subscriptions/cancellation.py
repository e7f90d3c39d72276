"""When an investor may still withdraw: one rule, read by the cancel service and by the pages that offer the button."""

from __future__ import annotations

import datetime as dt

from investors.models import CANCELLABLE_BY_INVESTOR_STATUSES, Subscription
from projects.models import BEFORE_DEADLINE_STATUSES, Offering
from projects.regimes import regime_for


def cancel_deadline(offering: Offering) -> dt.datetime:
    return offering.closes_at - dt.timedelta(hours=regime_for(offering.regime).cancel_window_hours)


def offering_accepts_cancellations(offering: Offering, now: dt.datetime) -> bool:
    return offering.status in BEFORE_DEADLINE_STATUSES and now < cancel_deadline(offering)


def is_cancellable(subscription: Subscription, now: dt.datetime) -> bool:
    return subscription.status in CANCELLABLE_BY_INVESTOR_STATUSES and offering_accepts_cancellations(
        subscription.offering, now
    )
