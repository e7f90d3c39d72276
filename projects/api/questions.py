"""`/api/v1/questions/`: answering and hiding questions asked on offerings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kernel.api_errors import documented_error
from kernel.errors import ErrorCode
from projects import questions
from projects.api.responses import NO_QUESTION, NOT_SIGNED_IN, TEXT_INVALID
from projects.api.serializers import OfferingQuestionSerializer, QuestionHideSerializer, QuestionTextSerializer
from projects.models import OfferingQuestion


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
            403: documented_error(ErrorCode.PERMISSION_DENIED, description="You do not manage the offering's company."),
            404: NO_QUESTION,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                description="Already answered (`details.answered`) or hidden (`details.hidden`).",
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
            400: documented_error(
                ErrorCode.VALIDATION_ERROR, description="`fields.reason` is longer than the free-text limit."
            ),
            401: NOT_SIGNED_IN,
            403: documented_error(ErrorCode.PERMISSION_DENIED, description="Only staff hide questions."),
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
