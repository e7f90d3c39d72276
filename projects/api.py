"""REST endpoints for issuers, statements and offerings. They check shape, call one service and render."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from kernel.api_errors import PERMISSION_DENIED, documented_error
from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects import documents, questions, selectors, services
from projects.models import (
    AnnouncedCommitment,
    CommitmentParty,
    DocumentKind,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingDocument,
    OfferingQuestion,
    OfferingStatus,
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

    class Meta:
        model = OfferingDocument
        fields = ["id", "offering", "kind", "title", "pages", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, document: OfferingDocument) -> str:
        return reverse("projects:document_download", args=[document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField(max_length=200, validators=SINGLE_LINE)
    file = serializers.FileField(help_text="A PDF, at most DOCUMENT_MAX_BYTES; judged by its content, not its name.")


NOT_SIGNED_IN = documented_error("not_authenticated", description="No session or token.")
NO_OFFERING = documented_error("not_found", description="No offering you may see has this id.")
NO_QUESTION = documented_error("not_found", description="No public question on an offering you may see has this id.")
TEXT_INVALID = documented_error(
    "validation_error", description="`fields.text` is empty or longer than the free-text limit."
)


class ApprovalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", validators=FREE_TEXT)


class OfferingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(validators=FREE_TEXT)


class IssuerViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IssuerSerializer
    queryset = Issuer.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.issuers_visible_to(self.request.user)

    @extend_schema(responses={201: IssuerSerializer, 403: PERMISSION_DENIED})
    def create(self, request, *args, **kwargs):
        data = IssuerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issuer = services.issuer_create(owner=request.user, **data.validated_data)
        return Response(IssuerSerializer(issuer).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=StatementSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=StatementInputSerializer, responses={201: StatementSerializer, 403: PERMISSION_DENIED}
    )
    @action(detail=True, methods=["get", "post"])
    def financials(self, request, pk=None):
        issuer = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.statements_of(issuer))
            return self.get_paginated_response(StatementSerializer(page, many=True).data)
        data = StatementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.financial_statement_file(issuer=issuer, by=request.user, **data.validated_data)
        return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)


class OfferingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferingStatus.choices)

    class Meta:
        model = Offering
        fields = ["status", "issuer"]


class OfferingViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = OfferingSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.SearchFilter]
    filterset_class = OfferingFilter
    search_fields = ["title", "summary", "issuer__legal_name"]

    def get_queryset(self):
        return selectors.offerings_visible_to(self.request.user)

    def _managed_issuer(self, issuer_id: int) -> Issuer:
        return get_object_or_404(selectors.issuers_visible_to(self.request.user), pk=issuer_id)

    @extend_schema(request=OfferingInputSerializer, responses={201: OfferingSerializer, 403: PERMISSION_DENIED})
    def create(self, request, *args, **kwargs):
        data = OfferingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        issuer = self._managed_issuer(terms.pop("issuer"))
        offering = services.offering_create(issuer=issuer, by=request.user, **terms)
        return Response(OfferingSerializer(offering).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfferingInputSerializer, responses={200: OfferingSerializer, 403: PERMISSION_DENIED})
    def partial_update(self, request, *args, **kwargs):
        offering = self.get_object()
        data = OfferingInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        terms.pop("issuer", None)
        offering = services.offering_edit_draft(offering=offering, by=request.user, **terms)
        return Response(OfferingSerializer(offering).data)

    def _render(self, offering: Offering) -> Response:
        offering.refresh_from_db()
        return Response(OfferingSerializer(offering).data)

    @extend_schema(request=None, responses={200: OfferingSerializer, 403: PERMISSION_DENIED})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._render(services.offering_submit(offering=self.get_object(), by=request.user))

    @extend_schema(request=ApprovalNoteSerializer, responses={200: OfferingSerializer, 403: PERMISSION_DENIED})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ApprovalNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_approve(offering=self.get_object(), by=request.user, **data.validated_data)
        return self._render(offering)

    @extend_schema(request=OfferingReasonSerializer, responses={200: OfferingSerializer, 403: PERMISSION_DENIED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = OfferingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_reject(offering=self.get_object(), by=request.user, **data.validated_data)
        return self._render(offering)

    @extend_schema(request=OfferingReasonSerializer, responses={200: OfferingSerializer, 403: PERMISSION_DENIED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = OfferingReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = services.offering_cancel(offering=self.get_object(), by=request.user, **data.validated_data)
        return self._render(offering)

    @extend_schema(methods=["GET"], responses=UpdateSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=UpdateInputSerializer, responses={201: UpdateSerializer, 403: PERMISSION_DENIED}
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        offering = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.updates_of(offering))
            return self.get_paginated_response(UpdateSerializer(page, many=True).data)
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.offering_update_post(offering=offering, by=request.user, **data.validated_data)
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], responses={200: OfferingQuestionSerializer(many=True), 404: NO_OFFERING}
    )
    @extend_schema(
        methods=["POST"],
        request=QuestionTextSerializer,
        responses={
            201: OfferingQuestionSerializer,
            400: TEXT_INVALID,
            401: NOT_SIGNED_IN,
            403: documented_error("permission_denied", description="Only investors ask questions."),
            404: NO_OFFERING,
            409: documented_error("invalid_transition", description="The offering is not published yet."),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def questions(self, request, pk=None):
        """Public questions on the offering, newest first (hidden ones left out); investors ask one."""
        offering = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(questions.questions_of(offering))
            return self.get_paginated_response(OfferingQuestionSerializer(page, many=True).data)
        data = QuestionTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = questions.question_ask(offering=offering, by=request.user, **data.validated_data)
        return Response(OfferingQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


    @extend_schema(
        methods=["GET"],
        responses={200: OfferingDocumentSerializer(many=True), 401: NOT_SIGNED_IN, 404: NO_OFFERING},
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: OfferingDocumentSerializer,
            400: documented_error(
                "validation_error",
                description="`fields.file`: not a readable PDF (by content), encrypted, or over the size limit; "
                "`fields.kind`, `fields.title`.",
            ),
            401: NOT_SIGNED_IN,
            403: documented_error("permission_denied", description="Only the company's own issuer account uploads."),
            404: NO_OFFERING,
            409: documented_error(
                "invalid_transition", description="The offering was cancelled or failed: its data room is closed."
            ),
        },
    )
    @action(
        detail=True, methods=["get", "post"], permission_classes=[IsAuthenticated],
        parser_classes=[MultiPartParser],
    )  # fmt: skip
    def documents(self, request, pk=None):
        """The offering's data room, to signed-in users (withdrawn documents left out); the company uploads a PDF."""
        offering = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(documents.documents_of(offering))
            return self.get_paginated_response(OfferingDocumentSerializer(page, many=True).data)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = documents.document_upload(offering=offering, by=request.user, **data.validated_data)
        return Response(OfferingDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

COMMITMENT_ANSWER_RESPONSES = {
    200: NamedCommitmentSerializer,
    404: documented_error("not_found", description="No commitment names you with this id."),
    409: documented_error("invalid_transition", description="Already accepted or declined (`details.status`)."),
}


class MyCommitmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Commitments issuers announced in the signed-in investor's name; the investor accepts or declines each once.
    Someone else's commitment is 404."""

    serializer_class = NamedCommitmentSerializer
    permission_classes = [IsAuthenticated]
    queryset = AnnouncedCommitment.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.commitments_naming(self.request.user)

    def _answer(self, service) -> Response:
        commitment = service(commitment_id=self.get_object().pk, by=self.request.user)
        return Response(NamedCommitmentSerializer(commitment).data)

    @extend_schema(request=None, responses=COMMITMENT_ANSWER_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.commitment_accept)

    @extend_schema(request=None, responses=COMMITMENT_ANSWER_RESPONSES)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(services.commitment_decline)


class QuestionViewSet(viewsets.GenericViewSet):
    """A question by id: the company's manager answers it once; staff hide abuse."""

    serializer_class = OfferingQuestionSerializer
    permission_classes = [IsAuthenticated]
    queryset = OfferingQuestion.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return questions.questions_visible_to(self.request.user)

    @extend_schema(
        request=QuestionTextSerializer,
        responses={
            200: OfferingQuestionSerializer,
            400: TEXT_INVALID,
            401: NOT_SIGNED_IN,
            403: documented_error("permission_denied", description="You do not manage the offering's company."),
            404: NO_QUESTION,
            409: documented_error(
                "invalid_transition", description="Already answered (`details.answered`) or hidden (`details.hidden`)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = QuestionTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = questions.question_answer(question=self.get_object(), by=request.user, **data.validated_data)
        return Response(OfferingQuestionSerializer(question).data)

    @extend_schema(
        request=QuestionHideSerializer,
        responses={
            200: OfferingQuestionSerializer,
            400: documented_error("validation_error", description="`fields.reason` is longer than the free-text limit."),
            401: NOT_SIGNED_IN,
            403: documented_error("permission_denied", description="Only staff hide questions."),
            404: NO_QUESTION,
        },
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        """Staff take a question out of every public list (hiding a hidden one again changes nothing)."""
        data = QuestionHideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = questions.question_hide(question=self.get_object(), by=request.user, **data.validated_data)
        return Response(OfferingQuestionSerializer(question).data)
