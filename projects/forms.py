"""Forms for the issuer and public pages. They parse what was typed; projects.services judges it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.validators import FREE_TEXT, SINGLE_LINE
from kernel.web import DateInput, DateTimeInput, MoneyField, RowFormSet
from projects.models import (
    CommitmentParty,
    DocumentKind,
    Offering,
    OfferingStatus,
    Security,
    StatementKind,
    StatementPeriod,
)
from projects.validation import validate_founded_on


def with_blank(choices, blank_label) -> list:
    return [("", blank_label), *choices]


class OfferingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=with_blank(OfferingStatus.choices, _("All")), required=False)
    search = forms.CharField(label=_("Search"), required=False)


class IssuerForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, validators=SINGLE_LINE)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        help_text=_("The 18-character code on the business licence."),
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, validators=SINGLE_LINE)
    founded_on = forms.DateField(label=_("Founded on"), widget=DateInput(), validators=[validate_founded_on])
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), validators=FREE_TEXT
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    related_to_platform = forms.BooleanField(
        label=_("Related to the platform"),
        required=False,
        help_text=_("Tick if the company is controlled by, or shares managers with, the platform or its group."),
    )
    platform_stake_pct = forms.DecimalField(
        label=_("Platform group's stake (%)"), max_digits=5, decimal_places=2, initial=0
    )
    related_party_note = forms.CharField(
        label=_("Related-party note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=FREE_TEXT
    )


class StatementForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"))
    period = forms.ChoiceField(label=_("Period"), choices=StatementPeriod.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=StatementKind.choices)
    revenue = MoneyField(label=_("Revenue"))
    net_profit = MoneyField(label=_("Net profit"))
    total_assets = MoneyField(label=_("Total assets"))
    total_liabilities = MoneyField(label=_("Total liabilities"))
    operating_cash_flow = MoneyField(label=_("Operating cash flow"), required=False)
    audited = forms.BooleanField(label=_("Audited"), required=False)


class UseOfFundsRow(forms.Form):
    category = forms.CharField(label=_("Use"), max_length=100, required=False, validators=SINGLE_LINE)
    amount = MoneyField(label=_("Amount"), required=False)


class CommitmentRow(forms.Form):
    by = forms.ChoiceField(label=_("Committed by"), choices=with_blank(CommitmentParty.choices, "—"), required=False)
    investor = forms.IntegerField(
        label=_("Investor account number"),
        required=False,
        help_text=_("Optional: the investor's account number. The commitment is shown once the investor accepts it."),
    )
    amount = MoneyField(label=_("Amount"), required=False)


UseOfFundsFormSet = forms.formset_factory(UseOfFundsRow, formset=RowFormSet, extra=3)
CommitmentFormSet = forms.formset_factory(CommitmentRow, formset=RowFormSet, extra=2)


class OfferingForm(forms.Form):
    """An offering's terms, with its uses of funds and announced commitments as row formsets in `formsets`."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=SINGLE_LINE)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), validators=FREE_TEXT)
    security = forms.ChoiceField(label=_("Security"), choices=Security.choices)
    price_per_share = MoneyField(label=_("Price per share"))
    pre_money_valuation = MoneyField(label=_("Pre-money valuation"))
    target_amount = MoneyField(label=_("Target amount"))
    max_amount = MoneyField(label=_("Maximum amount"))
    min_investment = MoneyField(label=_("Minimum investment"))
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeInput())
    risk_factors = forms.CharField(
        label=_("Risk factors"), widget=forms.Textarea(attrs={"rows": 5}), validators=FREE_TEXT
    )

    def __init__(self, data=None, *, offering: Offering | None = None) -> None:
        if offering is None:
            terms = uses = commitments = None
        else:
            terms = {field: getattr(offering, field) for field in self.base_fields}
            uses = offering.use_of_funds
            commitments = [
                {"by": c.by, "investor": c.named_account_id, "amount": c.amount} for c in offering.commitments.all()
            ]
        super().__init__(data, initial=terms)
        # The prefixes are the services' names for the lists, so that their errors find their rows.
        self.formsets: dict[str, RowFormSet] = {
            "use_of_funds": UseOfFundsFormSet(data, prefix="use_of_funds", initial=uses),
            "announced_commitments": CommitmentFormSet(data, prefix="announced_commitments", initial=commitments),
        }

    def terms(self) -> dict:
        return self.cleaned_data | {name: formset.rows() for name, formset in self.formsets.items()}


class UpdateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=SINGLE_LINE)
    body = forms.CharField(
        label=_("Message to investors"), widget=forms.Textarea(attrs={"rows": 6}), validators=FREE_TEXT
    )
    material_change = forms.BooleanField(
        label=_("Material change"),
        required=False,
        help_text=_("Investors who have paid must confirm their subscription again."),
    )
    # Terms that may change with an update; left blank, a term stays as it is.
    security = forms.ChoiceField(
        label=_("New security"), choices=with_blank(Security.choices, _("Unchanged")), required=False
    )
    price_per_share = MoneyField(label=_("New price per share"), required=False)
    closes_at = forms.DateTimeField(
        label=_("New closing time"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Only a later one: an earlier deadline is an early close, which staff decide."),
    )
    requested_closes_at = forms.DateTimeField(
        label=_("Ask staff to close early at"), required=False, widget=DateTimeInput()
    )

    CHANGEABLE_TERMS = ("security", "price_per_share", "closes_at")

    def update(self) -> dict:
        """What projects.services.offering_update_post takes."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "material_change": data["material_change"],
            "changes": {term: data[term] for term in self.CHANGEABLE_TERMS if data[term] not in (None, "")},
            "requested_closes_at": data["requested_closes_at"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=FREE_TEXT
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=FREE_TEXT,
        help_text=_("Everyone can read your question, your user name and the company's answer."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), validators=FREE_TEXT)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, validators=SINGLE_LINE)
    # The browser offers PDFs; the service judges the content, not the name.
    file = forms.FileField(label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
