"""The investor-side parts of the offering page (a `projects` template): the call to subscribe, and whether each
announced commitment is backed by money. Template tags, because `projects` knows no other app."""

from django import template

from investors.kyc import selectors
from investors.subscriptions import eligibility
from investors.models import KycStatus

register = template.Library()


class SubscribeBlocker:
    """Why the investor reading the page cannot subscribe now (beyond the offering's own `ClosedReason`)."""

    SOLD_OUT = "sold_out"
    SIGN_IN = "sign_in"
    KYC_REQUIRED = "kyc_required"
    NOT_AN_INVESTOR = "not_an_investor"


def subscribe_blocker(*, user, offering) -> str | None:
    reason = eligibility.offering_closed_reason(offering)
    if reason is not None:
        return reason
    if offering.remaining_amount < offering.min_investment:
        return SubscribeBlocker.SOLD_OUT
    if not user.is_authenticated:
        return SubscribeBlocker.SIGN_IN
    if not user.is_investor:
        return SubscribeBlocker.NOT_AN_INVESTOR
    kyc = selectors.kyc_of(user)
    if kyc is None or kyc.status != KycStatus.VERIFIED:
        return SubscribeBlocker.KYC_REQUIRED
    return None


@register.inclusion_tag("investors/includes/subscribe_call.html", takes_context=True)
def subscribe_call(context, offering) -> dict:
    request = context["request"]
    return {
        "offering": offering,
        "blocker": subscribe_blocker(user=request.user, offering=offering),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("investors/includes/announced_commitments.html")
def announced_commitments(offering) -> dict:
    return {"offering": offering, "backings": selectors.commitments_backing(offering)}
