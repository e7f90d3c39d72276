"""Forms for the investor's pages. They parse what was typed; investors.kyc.services judges it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from investors.kyc import questionnaire
from investors.models import KycProfile
from kernel.validators import SINGLE_LINE
from kernel.web import DateInput, MoneyField


class KycForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=100, validators=SINGLE_LINE)
    id_number = forms.CharField(
        label=_("Resident identity card number"),
        max_length=32,
        help_text=_("18 characters: 17 digits and a digit or X."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    annual_income = MoneyField(
        label=_("Average annual income over the last 3 years"), help_text=_("In yuan (CNY), before tax.")
    )
    financial_assets = MoneyField(
        label=_("Financial assets"), help_text=_("Deposits, stocks, bonds, funds and similar, in yuan (CNY).")
    )
    # Asked by regimes with an investment limit (us_reg_cf); optional elsewhere.
    net_worth = MoneyField(
        label=_("Net worth"),
        required=False,
        help_text=_("Optional. What you own less what you owe, without your home. Left empty, it counts as zero."),
    )
    accredited_investor = forms.BooleanField(
        label=_("I am an accredited investor"), required=False, help_text=_("Optional. Only some regimes ask this.")
    )

    def __init__(self, data=None, *, kyc: KycProfile | None = None) -> None:
        # A resubmission starts from what was sent last time, except the identity number, which is kept encrypted.
        previous = {field: getattr(kyc, field) for field in self.base_fields if field != "id_number"} if kyc else None
        super().__init__(data, initial=previous)


class QuestionnaireForm(forms.Form):
    """One radio group per question of the current questionnaire, named by the question's id."""

    def __init__(self, data=None) -> None:
        super().__init__(data)
        for question in questionnaire.QUESTIONS:
            # Not required here: the service names every unanswered question at once.
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=[(option.id, option.text) for option in question.options],
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, str]:
        return dict(self.cleaned_data)
