"""Shapes of what the projects API takes and returns."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects import services
from projects.models import (
    AnnouncedCommitment,
    CommitmentParty,
    DocumentKind,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingDocument,
    OfferingQuestion,
    OfferingUpdate,
    Security,
    StatementKind,
    StatementPeriod,
    TermChange,
)

MONEY = {"max_digits": 16, "decimal_places": 2}


class IssuerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issuer
        fields = [
            "id",
            "legal_name",
            "uscc",
            "industry",
            "founded_on",
            "description",
            "website",
            "platform_stake_pct",
            "related_to_platform",
            "related_party_note",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # Uniqueness and checksum are the service's to judge, with its own messages.
        extra_kwargs = {"uscc": {"validators": []}, "website": {"required": False}}


class StatementInputSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    period = serializers.ChoiceField(choices=StatementPeriod.choices)
    kind = serializers.ChoiceField(choices=StatementKind.choices)
    revenue = serializers.DecimalField(**MONEY)
    net_profit = serializers.DecimalField(**MONEY)
    total_assets = serializers.DecimalField(**MONEY)
    total_liabilities = serializers.DecimalField(**MONEY)
    operating_cash_flow = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    audited = serializers.BooleanField()


class StatementSerializer(serializers.ModelSerializer):
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = FinancialStatement
        fields = [
            "id",
            "issuer",
            "fiscal_year",
            "period",
            "kind",
            "version",
            "supersedes",
            "currency",
            "revenue",
            "net_profit",
            "total_assets",
            "total_liabilities",
            "operating_cash_flow",
            "audited",
            "filed_at",
        ]


class UseOfFundsSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=services.USE_OF_FUNDS_CATEGORY_LENGTH, validators=SINGLE_LINE)
    amount = serializers.DecimalField(**MONEY)


class CommitmentSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=CommitmentParty.choices)
    investor = serializers.IntegerField(required=False, allow_null=True)
    amount = serializers.DecimalField(**MONEY)


class OfferingInputSerializer(serializers.Serializer):
    issuer = serializers.IntegerField()
    title = serializers.CharField(max_length=200, validators=SINGLE_LINE)
    summary = serializers.CharField(validators=FREE_TEXT)
    security = serializers.ChoiceField(choices=Security.choices)
    price_per_share = serializers.DecimalField(**MONEY)
    pre_money_valuation = serializers.DecimalField(**MONEY)
    target_amount = serializers.DecimalField(**MONEY)
    max_amount = serializers.DecimalField(**MONEY)
    min_investment = serializers.DecimalField(**MONEY)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    use_of_funds = UseOfFundsSerializer(many=True)
    risk_factors = serializers.CharField(validators=FREE_TEXT)
    announced_commitments = CommitmentSerializer(many=True, required=False)


class CommitmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnouncedCommitment
        fields = ["by", "investor", "amount"]


class NamedCommitmentSerializer(serializers.ModelSerializer):
    """A commitment an issuer announced in the investor's name, as the investor sees it."""

    offering_title = serializers.CharField(source="offering.title", read_only=True)
    currency = serializers.CharField(source="offering.currency", read_only=True)

    class Meta:
        model = AnnouncedCommitment
        fields = ["id", "offering", "offering_title", "by", "amount", "currency", "status", "answered_at"]


class RelatedPartyDisclosureSerializer(serializers.Serializer):
    """Present on every offering; `tied_to_platform` says whether there is anything to disclose."""

    tied_to_platform = serializers.BooleanField()
    related_to_platform = serializers.BooleanField()
    in_platform_portfolio = serializers.BooleanField()
    platform_stake_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    note = serializers.CharField()
    approvals_required = serializers.IntegerField()

    def to_representation(self, offering: Offering) -> dict:
        issuer = offering.issuer
        return super().to_representation(
            {
                "tied_to_platform": issuer.tied_to_platform,
                "related_to_platform": issuer.related_to_platform,
                "in_platform_portfolio": issuer.portfolio_entry is not None,
                "platform_stake_pct": issuer.disclosed_stake_pct,
                "note": issuer.related_party_note,
                "approvals_required": services.approvals_required(offering),
            }
        )


class OfferingSerializer(serializers.ModelSerializer):
    use_of_funds = UseOfFundsSerializer(many=True)
    related_party_disclosure = RelatedPartyDisclosureSerializer(source="*", read_only=True)
    # Commitments naming an investor appear once the investor accepts them.
    announced_commitments = CommitmentOutputSerializer(many=True, source="public_commitments", read_only=True)
    remaining_amount = serializers.DecimalField(**MONEY)
    progress_pct = serializers.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        model = Offering
        fields = [
            "id",
            "issuer",
            "title",
            "summary",
            "security",
            "currency",
            "regime",
            "price_per_share",
            "pre_money_valuation",
            "target_amount",
            "max_amount",
            "min_investment",
            "opens_at",
            "closes_at",
            "use_of_funds",
            "risk_factors",
            "announced_commitments",
            "status",
            "raised_amount",
            "investor_count",
            "progress_pct",
            "remaining_amount",
            "risk_hold",
            "related_party_disclosure",
            "created_at",
        ]


class UpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=SINGLE_LINE)
    body = serializers.CharField(validators=FREE_TEXT)
    material_change = serializers.BooleanField(default=False)
    changes = serializers.DictField(required=False)
    requested_closes_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Ask staff to close the offering early at this time."
    )


class TermChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TermChange
        fields = ["term", "old_value", "new_value", "changed_at"]


class UpdateSerializer(serializers.ModelSerializer):
    term_changes = TermChangeSerializer(many=True, read_only=True)

    class Meta:
        model = OfferingUpdate
        fields = [
            "id",
            "offering",
            "title",
            "body",
            "material_change",
            "changes",
            "requested_closes_at",
            "term_changes",
            "posted_at",
        ]


class OfferingQuestionSerializer(serializers.ModelSerializer):
    asked_by = serializers.CharField(source="asked_by.username", read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = OfferingQuestion
        fields = ["id", "offering", "text", "asked_by", "asked_at", "answer", "answered_at"]

    def get_answer(self, question: OfferingQuestion) -> str | None:
        return question.answer if question.answered_at else None


class QuestionTextSerializer(serializers.Serializer):
    text = serializers.CharField(validators=FREE_TEXT)


class QuestionHideSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", validators=FREE_TEXT)


class OfferingDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Where a signed-in browser session downloads the PDF (as an attachment)."
    )
    api_download_url = serializers.SerializerMethodField(
        help_text="Where an API client (token or session) downloads the PDF (as an attachment)."
    )

    class Meta:
        model = OfferingDocument
        fields = [
            "id", "offering", "kind", "title", "pages", "size", "sha256", "uploaded_at", "download_url",
            "api_download_url",
        ]  # fmt: skip

    def get_download_url(self, document: OfferingDocument) -> str:
        return reverse("projects:document_download", args=[document.pk])

    def get_api_download_url(self, document: OfferingDocument) -> str:
        return reverse("api:document-download", args=[document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField(max_length=200, validators=SINGLE_LINE)
    file = serializers.FileField(help_text="A PDF, at most DOCUMENT_MAX_BYTES; judged by its content, not its name.")


class ApprovalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", validators=FREE_TEXT)


class OfferingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(validators=FREE_TEXT)
