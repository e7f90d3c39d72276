"""Forms for subscribing from the offering page. They parse what was typed; investors.subscriptions.services judges it."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.web import MoneyField

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

    def __init__(self, data=None, *, statement_version: str | None = None) -> None:
        """`statement_version`: the risk statement the investor has yet to sign, whose checkbox the form then has."""
        super().__init__(data, initial={"idempotency_key": str(uuid.uuid4()), "risk_version": statement_version})
        if statement_version is not None or (data is not None and data.get("risk_version")):
            # Not required here: without the tick, the subscription service names what is missing.
            self.fields["accept_risks"] = forms.BooleanField(
                label=_("I have read the risk statement above and accept these risks."), required=False
            )
            self.fields["risk_version"] = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def subscription(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("amount", "payment_method", "idempotency_key")}

    def risk_acknowledgement(self) -> dict | None:
        """The signature to record with the subscription, when the investor ticked the box."""
        if not self.cleaned_data.get("accept_risks"):
            return None
        return {"version": self.cleaned_data["risk_version"], "accepted": True}
