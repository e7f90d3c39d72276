"""Material changes to an offering's terms: every paid investor must confirm again within a few business days, or
the subscription is cancelled and the whole amount refunded.

The request for reconfirmation is made inside the issuer's update (`projects.hooks`), so the new terms and the
subscriptions waiting on them are committed together; locks follow investors/locks.py (offering, then subscription).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdfund.errors import DomainError, PermissionRefused, field_error
from investors import locks, subscriptions, tasks
from investors.models import CAPACITY_STATUSES, Subscription, SubscriptionStatus
from outbox import services as outbox
from projects import hooks
from projects.models import OfferingUpdate

WEEKEND = (5, 6)  # Saturday, Sunday


def business_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time of day, `days` weekdays (Monday to Friday) after `start`."""
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() not in WEEKEND:
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)), local.tzinfo)


def reconfirm_deadline_from(posted_at: dt.datetime) -> dt.datetime:
    return business_days_after(posted_at, settings.RECONFIRM_BUSINESS_DAYS)


@hooks.on_update_posted
def subscriptions_follow_update(*, update: OfferingUpdate, changed_terms: dict) -> None:
    """Runs inside `projects.services.offering_update_post`, with the offering locked.

    A new price re-prices every subscription holding capacity (the amount stays, the shares follow), and is refused
    if one of them would no longer buy a whole number of shares. A material update moves every paid subscription to
    `reconfirmation_required`; one already waiting gets the new deadline, since it must now accept newer terms."""
    offering_id = update.offering_id
    holding = list(
        Subscription.objects.select_for_update().filter(offering_id=offering_id, status__in=CAPACITY_STATUSES).order_by("pk")
    )
    new_price: Decimal | None = changed_terms.get("price_per_share")
    if new_price is not None:
        uneven = [subscription for subscription in holding if subscription.amount % new_price]
        if uneven:
            raise field_error(
                "changes.price_per_share",
                _("At this price %(count)d subscription(s) would not buy a whole number of shares.")
                % {"count": len(uneven)},
            )
        for subscription in holding:
            subscription.shares = int(subscription.amount / new_price)
            subscription._change_reason = f"Price changed by update {update.pk}"
            subscription.save(update_fields=["shares"])
    if update.material_change:
        deadline = reconfirm_deadline_from(update.posted_at)
        for subscription in holding:
            if subscription.status == SubscriptionStatus.PAID:
                subscription.require_reconfirmation()
            elif subscription.status != SubscriptionStatus.RECONFIRMATION_REQUIRED:
                continue
            subscription.reconfirm_deadline = deadline
            subscription._change_reason = f"Material change in update {update.pk}"
            subscription.save()
    update_id = update.pk
    outbox.task_send_on_commit(task=tasks.notify_update_posted, args=[update_id])


def subscription_reconfirm(*, subscription: Subscription, by) -> Subscription:
    """The investor accepts the changed terms: the subscription is `paid` again. Reconfirming twice changes nothing."""
    if subscription.investor_id != by.pk:
        raise PermissionRefused(_("This is not your subscription."))
    with transaction.atomic():
        locks.lock_offering(subscription.offering_id)
        subscription = locks.lock_subscription(subscription.pk)
        if subscription.status == SubscriptionStatus.PAID:
            return subscription
        if subscription.status != SubscriptionStatus.RECONFIRMATION_REQUIRED:
            raise DomainError(
                _("Only a subscription waiting for reconfirmation can be reconfirmed; this one is %(status)s.")
                % {"status": subscription.get_status_display()},
                code="invalid_transition",
            )
        if subscription.reconfirm_deadline is not None and subscription.reconfirm_deadline <= timezone.now():
            raise DomainError(
                _("The time to reconfirm ended at %(deadline)s; the subscription is being cancelled and refunded.")
                % {"deadline": timezone.localtime(subscription.reconfirm_deadline).isoformat()},
                code="reconfirmation_closed",
                details={"reconfirm_deadline": subscription.reconfirm_deadline.isoformat()},
            )
        subscription.reconfirm()
        subscription.reconfirm_deadline = None
        subscription._change_reason = "Reconfirmed by the investor"
        subscription.save()
        subscription_id = subscription.pk
        outbox.task_send_on_commit(task=tasks.notify_subscription, args=[subscription_id, "reconfirmed"])
    return subscription


def reconfirmations_lapse(*, now: dt.datetime | None = None) -> list[int]:
    """Cancel and refund every subscription whose time to reconfirm has ended, giving its capacity back. Safe to
    run any number of times: each subscription is locked and checked again before it is touched."""
    now = now or timezone.now()
    lapsed = []
    due = Subscription.objects.filter(
        status=SubscriptionStatus.RECONFIRMATION_REQUIRED, reconfirm_deadline__lte=now
    ).values_list("pk", flat=True)
    for subscription_id in list(due):
        with transaction.atomic():
            _offering, subscription = locks.lock_offering_and_subscription(subscription_id)
            if (
                subscription.status != SubscriptionStatus.RECONFIRMATION_REQUIRED
                or subscription.reconfirm_deadline is None
                or subscription.reconfirm_deadline > now
            ):
                continue
            subscription._change_reason = "Not reconfirmed in time"
            subscriptions.subscription_cancel_locked(subscription=subscription, now=now, event="reconfirmation_lapsed")
            lapsed.append(subscription_id)
    return lapsed
