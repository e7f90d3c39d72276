"""Emails to investors about their money. Each is recorded in the email outbox (emails/) inside the transaction of
the change it reports, one row per investor and notification, and sent after commit."""

from __future__ import annotations

from django.utils import timezone

from emails.services import email_enqueue, email_render, emails_enqueue, in_site_language
from investors.models import (
    FUNDED_STATUSES,
    RECEIVES_NEWS_STATUSES,
    RECONFIRMING_STATUSES,
    Holding,
    RefundReason,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
)
from projects.models import Offering, OfferingStatus, OfferingUpdate


def update_notification(update_id: int) -> str:
    """The outbox's name for the email about an update: the reconfirmation request after a material one."""
    return f"offering_update:{update_id}"


@in_site_language
def subscription_event_email(*, subscription: Subscription, event: str) -> None:
    """`event`: confirmed, reconfirmed, reconfirmation_lapsed or cancelled, each its own template."""
    email_enqueue(
        notification=f"subscription:{subscription.pk}:{event}",
        recipient=subscription.investor,
        **email_render(
            f"investors/emails/subscription_{event}.txt",
            {
                "amount": subscription.amount,
                "currency": subscription.currency,
                "shares": subscription.shares,
                "offering": subscription.offering.title,
            },
        ),
    )


@in_site_language
def offering_result_emails(*, offering: Offering) -> None:
    """Called as the offering reaches `closed` or `failed`. A refund that failed is not announced as made."""
    notification = f"offering_result:{offering.pk}"
    if offering.status == OfferingStatus.CLOSED:
        holdings = Holding.objects.filter(offering=offering).select_related("investor").order_by("pk")
        messages = [
            (holding.investor, "investors/emails/offering_closed.txt",
             {"offering": offering.title, "shares": holding.shares, "amount": holding.amount, "currency": holding.currency})
            for holding in holdings
        ]  # fmt: skip
    elif offering.status == OfferingStatus.FAILED:
        refunded = Subscription.objects.filter(
            offering=offering,
            status=SubscriptionStatus.REFUNDED,
            refunds__reason=RefundReason.OFFERING_FAILED,
            refunds__status=RefundStatus.SUCCEEDED,
        )
        messages = [
            (subscription.investor, "investors/emails/offering_failed.txt",
             {"offering": offering.title, "amount": subscription.amount, "currency": subscription.currency})
            for subscription in refunded.select_related("investor").order_by("pk")
        ]  # fmt: skip
    else:
        return
    rendered = []
    for investor, template, context in messages:
        email = email_render(template, context)
        rendered.append((investor, email["subject"], email["body"]))
    emails_enqueue(notification=notification, messages=rendered)


@in_site_language
def offering_update_emails(*, update: OfferingUpdate) -> None:
    """An issuer posted an update (called inside its transaction). Investors asked to confirm again are told what
    changed and by when; the others get the update."""
    offering = update.offering
    changed = ", ".join(change.term for change in update.term_changes.all())
    waiting = {}
    recipients = {}
    for subscription in Subscription.objects.filter(
        offering=offering, status__in=RECEIVES_NEWS_STATUSES
    ).select_related("investor"):
        recipients[subscription.investor_id] = subscription.investor
        # Paid or still paying, an investor whose subscription carries a deadline must confirm the new terms.
        if subscription.reconfirm_deadline and subscription.status in RECONFIRMING_STATUSES:
            waiting[subscription.investor_id] = subscription.reconfirm_deadline
    for investor_id, investor in recipients.items():
        context = {"offering": offering.title, "title": update.title, "body": update.body}
        if investor_id in waiting:
            template = "investors/emails/offering_update_reconfirm.txt"
            context |= {
                "changed": changed,
                "deadline": timezone.localtime(waiting[investor_id]).strftime("%Y-%m-%d %H:%M %Z"),
            }
        else:
            template = "investors/emails/offering_update.txt"
        email_enqueue(
            notification=update_notification(update.pk), recipient=investor, **email_render(template, context)
        )


@in_site_language
def offering_milestone_emails(*, offering_id: int, percent: int) -> None:
    offering = Offering.objects.get(pk=offering_id)
    funded = Subscription.objects.filter(offering=offering, status__in=FUNDED_STATUSES).select_related("investor")
    investors = {subscription.investor_id: subscription.investor for subscription in funded}
    email = email_render(
        "investors/emails/offering_milestone.txt",
        {
            "offering": offering.title,
            "percent": percent,
            "raised": offering.raised_amount,
            "target": offering.target_amount,
            "currency": offering.currency,
        },
    )
    for investor in investors.values():
        email_enqueue(notification=f"milestone:{offering.pk}:{percent}", recipient=investor, **email)
