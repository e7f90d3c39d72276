"""The subscribe panel that the offering page (a `projects` template) shows to investors.

A template tag rather than context from the offering view, because `projects` knows no other app.
"""

from django import template

from investors import eligibility, selectors
from investors.money_forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("investors/subscribe_form.html", takes_context=True)
def subscribe_panel(context, offering) -> dict:
    user = context["request"].user
    shown = user.is_authenticated and user.is_investor and eligibility.offering_is_open(offering)
    return {
        "shown": shown,
        "offering": offering,
        "form": SubscribeForm() if shown else None,
        "position": selectors.position_in(user, offering) if shown else None,
        "csrf_token": context.get("csrf_token"),
    }
