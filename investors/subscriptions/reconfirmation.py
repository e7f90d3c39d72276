"""Material changes to an offering's terms: every paid investor must confirm again within a few business days, or
the subscription is cancelled and the whole amount refunded.

The request for reconfirmation is made inside the issuer's update (`projects.hooks`), so the new terms and the
subscriptions waiting on them are committed together; locks follow investors/subscriptions/locks.py (offering, then subscription).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from emails.models import EmailStatus
from emails.selectors import email_of
from investors.models import CAPACITY_STATUSES, Subscription, SubscriptionStatus
from investors.subscriptions import locks, notifications, refunds
from investors.subscriptions import services as subscriptions
from kernel.dates import business_days_after
from kernel.errors import DomainError, ErrorCode, InvalidTransition, PermissionRefused
from projects import hooks
from projects.models import OfferingUpdate


def reconfirm_deadline_from(posted_at: dt.datetime) -> dt.datetime:
    return business_days_after(posted_at, settings.RECONFIRM_BUSINESS_DAYS)


@hooks.on_update_posted
def subscriptions_follow_update(*, update: OfferingUpdate, changed_terms: dict) -> None:
    """Runs inside `projects.services.offering_update_post`, with the offering locked.

        A new price re-prices every subscription holding capacity: it keeps at most its amount and buys the whole shares
        that amount buys at the new price; what is left over (`price_remainder`) is refunded when the investor
        reconfirms, or with everything if the subscription lapses. A price change is material, so a material update moves every paid subscription to
        `reconfirmation_required`; one already waiting gets the new deadline, since it must now accept newer terms, and one
    still `pending_payment` gets it too and must reconfirm once paid."""
    offering_id = update.offering_id
    holding = list(
        Subscription.objects.select_for_update(no_key=True)
        .filter(offering_id=offering_id, status__in=CAPACITY_STATUSES)
        .order_by("pk")
    )
    new_price: Decimal | None = changed_terms.get("price_per_share")
    if new_price is not None:
        for subscription in holding:
            spent = subscription.amount - subscription.price_remainder
            subscription.shares = int(spent // new_price)
            subscription.price_remainder += spent - subscription.shares * new_price
            subscription._change_reason = f"Price changed by update {update.pk}"
            subscription.save(update_fields=["shares", "price_remainder"])
    deadline = reconfirm_deadline_from(update.posted_at)
    for subscription in holding:
        # A price that leaves a remainder asks the investor whatever the update is marked.
        if update.material_change or (new_price is not None and subscription.price_remainder):
            if subscription.status == SubscriptionStatus.PAID:
                subscription.require_reconfirmation()
            # A payment still on its way keeps the deadline, and must reconfirm once it arrives (payment_record).
            subscription.reconfirm_deadline = deadline
            subscription._change_reason = f"Material change in update {update.pk}"
            subscription.save()
    notifications.offering_update_emails(update=update)


def deadline_in_force(subscription: Subscription) -> dt.datetime | None:
    """The reconfirmation deadline that binds the investor: the stored one, but never sooner than
    RECONFIRM_BUSINESS_DAYS after the email asking them reached the mail server; None while that email is not
    delivered, so that nobody's subscription lapses without their being told. A subscription asked before the
    outbox existed has no email row and keeps its stored deadline."""
    if subscription.reconfirm_deadline is None:
        return None
    asking = Q(material_change=True) | Q(term_changes__term="price_per_share")
    update = (
        OfferingUpdate.objects.filter(asking, offering_id=subscription.offering_id)
        .order_by("-posted_at", "-pk")
        .first()
    )
    email = None
    if update is not None:
        email = email_of(
            notification=notifications.update_notification(update.pk), recipient_id=subscription.investor_id
        )
    if email is None:
        return subscription.reconfirm_deadline
    if email.status != EmailStatus.SENT:
        return None
    assert subscription.reconfirm_deadline is not None and email.sent_at is not None  # both set once the email is sent
    return max(subscription.reconfirm_deadline, reconfirm_deadline_from(email.sent_at))


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
            raise InvalidTransition(
                _("Only a subscription waiting for reconfirmation can be reconfirmed; this one is %(status)s.")
                % {"status": subscription.get_status_display()},
            )
        deadline = deadline_in_force(subscription)
        if deadline is not None and deadline <= timezone.now():
            assert subscription.reconfirm_deadline is not None  # a deadline in force starts from it
            raise DomainError(
                _("The time to reconfirm ended at %(deadline)s; the subscription is being cancelled and refunded.")
                % {"deadline": timezone.localtime(subscription.reconfirm_deadline).isoformat()},
                code=ErrorCode.RECONFIRMATION_CLOSED,
                details={"reconfirm_deadline": subscription.reconfirm_deadline.isoformat()},
            )
        if subscription.price_remainder >= subscription.amount:
            raise InvalidTransition(
                _("At the new price this subscription buys no share; cancel it to get the whole amount back."),
            )
        refunds.remainder_refund_request(subscription)
        subscription.reconfirm()
        subscription.reconfirm_deadline = None
        subscription._change_reason = "Reconfirmed by the investor"
        subscription.save()
        notifications.subscription_event_email(subscription=subscription, event="reconfirmed")
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
            if subscription.status != SubscriptionStatus.RECONFIRMATION_REQUIRED:
                continue
            deadline = deadline_in_force(subscription)
            if deadline is None:
                # Not told yet: the email waits in the outbox (pending or failed, shown to staff).
                continue
            if deadline > now:
                subscription.reconfirm_deadline = deadline
                subscription._change_reason = "Deadline counted from the delivery of the request"
                subscription.save(update_fields=["reconfirm_deadline"])
                continue
            subscription._change_reason = "Not reconfirmed in time"
            subscriptions.subscription_cancel_locked(subscription=subscription, now=now, event="reconfirmation_lapsed")
            lapsed.append(subscription_id)
    return lapsed
