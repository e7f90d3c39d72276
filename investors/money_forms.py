"""Forms for subscribing from the offering page. They parse what was typed; investors.subscriptions judges it."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdfund.web import MoneyField

# Stripe's test payment methods, which the fake Stripe server also knows: one that pays and one that is declined.
TEST_CARDS = [
    ("pm_card_visa", _("Visa (succeeds)")),
    ("pm_card_visa_chargeDeclined", _("Visa (declined)")),
]


class SubscribeForm(forms.Form):
    amount = MoneyField(label=_("Amount"))
    payment_method = forms.ChoiceField(label=_("Card"), choices=TEST_CARDS)
    # A fresh key each time the form is shown: posting the same form twice (a double click, a resent request)
    # carries the same key, and the service answers the second post with the first subscription.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, data=None) -> None:
        super().__init__(data, initial={"idempotency_key": str(uuid.uuid4())})
