"""Issuer updates posted through the API, and the paid subscriptions a material one asks to reconfirm."""

from __future__ import annotations

import datetime as dt

from emails.models import OutgoingEmail
from investors.models import Subscription, SubscriptionStatus
from tests.support.clients import api_as
from tests.support.money import paid, status_of


def post_update(offering, *, material: bool = False, changes: dict | None = None, title: str = "News"):
    body = {"title": title, "body": "What happened.", "material_change": material}
    if changes is not None:
        body["changes"] = changes
    return api_as(offering.issuer.owner).post(f"/api/v1/offerings/{offering.pk}/updates/", body, format="json")


def awaiting_reconfirmation(offering, amount: str = "20000.00", *, deadline: dt.datetime | None = None):
    """A paid subscription that a material update has asked its investor to confirm again, by `deadline` if given."""
    investor, subscription = paid(offering, amount)
    response = post_update(offering, material=True)
    assert response.status_code == 201, response.json()
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED
    if deadline is not None:
        Subscription.objects.filter(pk=subscription.pk).update(reconfirm_deadline=deadline)
        # As if the request had been emailed long enough before: the deadline never ends sooner than five business
        # days after delivery (investors.subscriptions.reconfirmation.deadline_in_force).
        OutgoingEmail.objects.filter(recipient=investor, notification__startswith="offering_update:").update(
            sent_at=deadline - dt.timedelta(days=7)
        )
    return investor, subscription
