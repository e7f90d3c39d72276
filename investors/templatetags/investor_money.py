"""The subscribe panel that the offering page (a `projects` template) shows to investors.

A template tag rather than context from the offering view, because `projects` knows no other app.
"""

from django import template

from investors.kyc import selectors as kyc_selectors
from investors.subscriptions import eligibility, selectors
from investors.subscriptions.forms import SubscribeForm
from projects.regimes import regime_for

register = template.Library()


@register.inclusion_tag("investors/subscribe_form.html", takes_context=True)
def subscribe_panel(context, offering) -> dict:
    user = context["request"].user
    # Shown exactly when the call to action above offers to subscribe: the same blocker answers both.
    shown = eligibility.subscribe_blocker(user=user, offering=offering) is None
    regime = regime_for(offering.regime)
    unsigned = shown and kyc_selectors.risk_acknowledgement_of(user, regime) is None
    statement = regime.risk_statement if unsigned else None
    return {
        "shown": shown,
        "offering": offering,
        "statement": statement,
        "form": SubscribeForm(statement_version=statement.version if statement else None) if shown else None,
        "position": selectors.position_in(user, offering) if shown else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("investors/includes/reconfirmation_banner.html", takes_context=True)
def reconfirmation_banner(context, offering=None) -> dict:
    """The banner asking an investor to confirm subscriptions held after a material change: all of them, or those
    in one offering when shown on its page."""
    request = context["request"]
    return {
        "waiting": list(selectors.subscriptions_awaiting_reconfirmation(request.user, offering=offering)),
        "on_offering_page": offering is not None,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
