"""The investor-side parts of the offering page (a `projects` template): the call to subscribe, and whether each
announced commitment is backed by money. Template tags, because `projects` knows no other app."""

from django import template

from investors.subscriptions import eligibility, selectors

register = template.Library()


@register.inclusion_tag("investors/includes/subscribe_call.html", takes_context=True)
def subscribe_call(context, offering) -> dict:
    request = context["request"]
    return {
        "offering": offering,
        "blocker": eligibility.subscribe_blocker(user=request.user, offering=offering),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("investors/includes/announced_commitments.html")
def announced_commitments(offering) -> dict:
    return {"offering": offering, "backings": selectors.commitments_backing(offering)}
