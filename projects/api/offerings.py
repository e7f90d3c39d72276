"""`/api/v1/offerings/`: offerings, their lifecycle actions, updates, questions and data room."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from kernel.api_errors import PERMISSION_DENIED, documented_error
from kernel.errors import ErrorCode
from projects import documents, questions, selectors, services
from projects.api.responses import NO_OFFERING, NOT_SIGNED_IN, REPORT_OVERDUE, TEXT_INVALID
from projects.api.serializers import (
    ApprovalNoteSerializer,
    DocumentUploadSerializer,
    OfferingDocumentSerializer,
    OfferingInputSerializer,
    OfferingQuestionSerializer,
    OfferingReasonSerializer,
    OfferingSerializer,
    QuestionTextSerializer,
    UpdateInputSerializer,
    UpdateSerializer,
)
from projects.models import Issuer, Offering, OfferingStatus


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

    @extend_schema(
        request=OfferingInputSerializer,
        responses={201: OfferingSerializer, 403: PERMISSION_DENIED, 409: REPORT_OVERDUE},
    )
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

    @extend_schema(
        request=None,
        responses={
            200: OfferingSerializer,
            403: PERMISSION_DENIED,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                ErrorCode.REPORT_OVERDUE,
                description="Not a draft, or the issuer owes an annual report past its deadline.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._render(services.offering_submit(offering=self.get_object(), by=request.user))

    @extend_schema(
        request=ApprovalNoteSerializer,
        responses={
            200: OfferingSerializer,
            403: PERMISSION_DENIED,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                ErrorCode.RISK_REVIEW_OPEN,
                ErrorCode.SECOND_APPROVAL_REQUIRED,
                description="Not in review; a high or critical risk case or a hold is open on the offering; or the "
                "same staff member approves twice an offering that needs two approvers.",
            ),
        },
    )
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

    @extend_schema(methods=["GET"], responses={200: OfferingQuestionSerializer(many=True), 404: NO_OFFERING})
    @extend_schema(
        methods=["POST"],
        request=QuestionTextSerializer,
        responses={
            201: OfferingQuestionSerializer,
            400: TEXT_INVALID,
            401: NOT_SIGNED_IN,
            403: documented_error(ErrorCode.PERMISSION_DENIED, description="Only investors ask questions."),
            404: NO_OFFERING,
            409: documented_error(ErrorCode.INVALID_TRANSITION, description="The offering is not published yet."),
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
                ErrorCode.VALIDATION_ERROR,
                description="`fields.file`: not a readable PDF (by content), encrypted, or over the size limit; "
                "`fields.kind`, `fields.title`.",
            ),
            401: NOT_SIGNED_IN,
            403: documented_error(
                ErrorCode.PERMISSION_DENIED, description="Only the company's own issuer account uploads."
            ),
            404: NO_OFFERING,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                description="The offering was cancelled or failed: its data room is closed.",
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
