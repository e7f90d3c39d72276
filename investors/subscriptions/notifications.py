"""Emails to investors about their money. Each is recorded in the email outbox (emails/) inside the transaction of
the change it reports, one row per investor and notification, and sent after commit."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from emails.services import email_enqueue, in_site_language
from investors.models import (
    FUNDED_STATUSES,
    Holding,
    RefundReason,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from projects.models import Offering, OfferingStatus, OfferingUpdate

SUBJECTS = {
    "confirmed": _lazy("Your subscription is confirmed"),
    "cancelled": _lazy("Your subscription is cancelled"),
    "reconfirmed": _lazy("Your subscription is confirmed again"),
    "reconfirmation_lapsed": _lazy("Your subscription is cancelled: it was not confirmed again in time"),
}


def update_notification(update_id: int) -> str:
    """The outbox's name for the email about an update: the reconfirmation request after a material one."""
    return f"offering_update:{update_id}"


@in_site_language
def subscription_event_email(*, subscription: Subscription, event: str) -> None:
    offering = subscription.offering
    if event == "confirmed":
        body = _(
            "We received %(amount)s %(currency)s for %(shares)s shares of %(offering)s. The money is held in escrow "
            "until the offering closes."
        )
    elif event == "reconfirmed":
        body = _(
            "You accepted the changed terms of %(offering)s. Your %(amount)s %(currency)s for %(shares)s shares stays "
            "in escrow until the offering closes."
        )
    elif event == "reconfirmation_lapsed":
        body = _(
            "The terms of %(offering)s changed and you did not confirm your subscription of %(amount)s %(currency)s "
            "in time. It is cancelled and the whole amount is being refunded to your card."
        )
    else:
        body = _("Your subscription of %(amount)s %(currency)s to %(offering)s is cancelled; the money is refunded.")
    email_enqueue(
        notification=f"subscription:{subscription.pk}:{event}",
        recipient=subscription.investor,
        subject=str(SUBJECTS[event]),
        body=body % {"amount": subscription.amount, "currency": subscription.currency, "shares": subscription.shares,
                     "offering": offering.title},
    )


@in_site_language
def offering_result_emails(*, offering: Offering) -> None:
    """Called as the offering reaches `closed` or `failed`. A refund that failed is not announced as made."""
    notification = f"offering_result:{offering.pk}"
    if offering.status == OfferingStatus.CLOSED:
        for holding in Holding.objects.filter(offering=offering).select_related("investor"):
            email_enqueue(
                notification=notification,
                recipient=holding.investor,
                subject=_("%(offering)s closed: your shares") % {"offering": offering.title},
                body=_(
                    "The offering reached its target. You now hold %(shares)s shares bought for %(amount)s %(currency)s."
                )
                % {"shares": holding.shares, "amount": holding.amount, "currency": holding.currency},
            )
    elif offering.status == OfferingStatus.FAILED:
        refunded = Subscription.objects.filter(
            offering=offering,
            status=SubscriptionStatus.REFUNDED,
            refunds__reason=RefundReason.OFFERING_FAILED,
            refunds__status=RefundStatus.SUCCEEDED,
        )
        for subscription in refunded.select_related("investor"):
            email_enqueue(
                notification=notification,
                recipient=subscription.investor,
                subject=_("%(offering)s did not reach its target") % {"offering": offering.title},
                body=_("The offering failed. Your %(amount)s %(currency)s has been refunded to your card.")
                % {"amount": subscription.amount, "currency": subscription.currency},
            )


# Who hears about an offering's updates: every investor whose money is in it or on its way.
NEWS_STATUSES = (SubscriptionStatus.PENDING_PAYMENT, *FUNDED_STATUSES, SubscriptionStatus.SETTLED)
RECONFIRMING_STATUSES = (SubscriptionStatus.PENDING_PAYMENT, SubscriptionStatus.RECONFIRMATION_REQUIRED)


@in_site_language
def offering_update_emails(*, update: OfferingUpdate) -> None:
    """An issuer posted an update (called inside its transaction). Investors asked to confirm again are told what
    changed and by when; the others get the update."""
    offering = update.offering
    changed = ", ".join(change.term for change in update.term_changes.all())
    waiting = {}
    recipients = {}
    for subscription in Subscription.objects.filter(offering=offering, status__in=NEWS_STATUSES).select_related("investor"):
        recipients[subscription.investor_id] = subscription.investor
        # Paid or still paying, an investor whose subscription carries a deadline must confirm the new terms.
        if subscription.reconfirm_deadline and subscription.status in RECONFIRMING_STATUSES:
            waiting[subscription.investor_id] = subscription.reconfirm_deadline
    for investor_id, investor in recipients.items():
        if investor_id in waiting:
            subject = _("%(offering)s changed its terms: confirm your subscription again") % {"offering": offering.title}
            body = _(
                "%(offering)s posted a material change: %(title)s.\n\n%(body)s\n\nChanged terms: %(changed)s.\n\n"
                "Confirm your subscription on the \"My subscriptions\" page before %(deadline)s. If you do not, it "
                "will be cancelled and the whole amount refunded."
            ) % {
                "offering": offering.title,
                "title": update.title,
                "body": update.body,
                "changed": changed or _("none listed"),
                "deadline": timezone.localtime(waiting[investor_id]).strftime("%Y-%m-%d %H:%M %Z"),
            }
        else:
            subject = _("%(offering)s: %(title)s") % {"offering": offering.title, "title": update.title}
            body = update.body
        email_enqueue(notification=update_notification(update.pk), recipient=investor, subject=subject, body=body)


@in_site_language
def offering_milestone_emails(*, offering_id: int, percent: int) -> None:
    offering = Offering.objects.get(pk=offering_id)
    funded = Subscription.objects.filter(offering=offering, status__in=FUNDED_STATUSES).select_related("investor")
    investors = {subscription.investor_id: subscription.investor for subscription in funded}
    if percent >= 100:
        subject = _("%(offering)s reached its target") % {"offering": offering.title}
    else:
        subject = _("%(offering)s reached %(percent)s%% of its target") % {"offering": offering.title, "percent": percent}
    body = _("%(offering)s has raised %(raised)s %(currency)s of its %(target)s %(currency)s target.") % {
        "offering": offering.title,
        "raised": offering.raised_amount,
        "target": offering.target_amount,
        "currency": offering.currency,
    }
    for investor in investors.values():
        email_enqueue(
            notification=f"milestone:{offering.pk}:{percent}", recipient=investor, subject=subject, body=body
        )
