"""Emails to investors about their money. Sent from tasks after the change they report has been committed."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from investors.models import Holding, Subscription, SubscriptionStatus
from projects.models import Offering, OfferingStatus

SUBJECTS = {
    "confirmed": _lazy("Your subscription is confirmed"),
    "cancelled": _lazy("Your subscription is cancelled"),
}


def subscription_event_email(*, subscription_id: int, event: str) -> None:
    subscription = Subscription.objects.select_related("investor", "offering").get(pk=subscription_id)
    offering = subscription.offering
    if event == "confirmed":
        body = _(
            "We received %(amount)s %(currency)s for %(shares)s shares of %(offering)s. The money is held in escrow "
            "until the offering closes."
        )
    else:
        body = _("Your subscription of %(amount)s %(currency)s to %(offering)s is cancelled; the money is refunded.")
    send_mail(
        str(SUBJECTS[event]),
        body % {"amount": subscription.amount, "currency": subscription.currency, "shares": subscription.shares,
                "offering": offering.title},
        None,
        [subscription.investor.email],
    )


def offering_result_emails(*, offering_id: int) -> None:
    offering = Offering.objects.get(pk=offering_id)
    if offering.status == OfferingStatus.CLOSED:
        for holding in Holding.objects.filter(offering=offering).select_related("investor"):
            send_mail(
                _("%(offering)s closed: your shares") % {"offering": offering.title},
                _("The offering reached its target. You now hold %(shares)s shares bought for %(amount)s %(currency)s.")
                % {"shares": holding.shares, "amount": holding.amount, "currency": holding.currency},
                None,
                [holding.investor.email],
            )
    elif offering.status == OfferingStatus.FAILED:
        refunded = Subscription.objects.filter(offering=offering, status=SubscriptionStatus.REFUNDED)
        for subscription in refunded.select_related("investor"):
            send_mail(
                _("%(offering)s did not reach its target") % {"offering": offering.title},
                _("The offering failed. Your %(amount)s %(currency)s has been refunded to your card.")
                % {"amount": subscription.amount, "currency": subscription.currency},
                None,
                [subscription.investor.email],
            )
