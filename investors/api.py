"""REST endpoints for KYC, suitability and staff review of investors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdfund.errors import DomainError
from investors import questionnaire, selectors, services
from investors.models import KycProfile

MONEY = {"max_digits": 16, "decimal_places": 2}


class KycInputSerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=32)
    date_of_birth = serializers.DateField()
    phone = serializers.CharField(max_length=20)
    annual_income = serializers.DecimalField(**MONEY)
    financial_assets = serializers.DecimalField(**MONEY)


class KycSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked")

    class Meta:
        model = KycProfile
        fields = [
            "status",
            "real_name",
            "id_number",
            "date_of_birth",
            "phone",
            "currency",
            "annual_income",
            "financial_assets",
            "submitted_at",
            "decision_reason",
            "qualified",
            "qualification_evidence",
        ]


class SuitabilityInputSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField())


class KycReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MyKycApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=KycSerializer)
    def get(self, request):
        kyc = selectors.kyc_of(request.user)
        if kyc is None:
            raise DomainError("No KYC submission yet.", code="not_found", status=404)
        return Response(KycSerializer(kyc).data)

    @extend_schema(request=KycInputSerializer, responses=KycSerializer)
    def put(self, request):
        data = KycInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kyc = services.kyc_submit(user=request.user, **data.validated_data)
        return Response(KycSerializer(kyc).data)


class KycReviewApi(APIView):
    permission_classes = [IsAdminUser]
    approve = True

    @extend_schema(request=KycReasonSerializer, responses=KycSerializer)
    def post(self, request, user_id: int):
        kyc = get_object_or_404(KycProfile, user=get_object_or_404(get_user_model(), pk=user_id))
        data = KycReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kyc = services.kyc_review(kyc=kyc, by=request.user, approve=self.approve, **data.validated_data)
        return Response(KycSerializer(kyc).data)


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    options = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class QuestionnaireApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Questionnaire", {"version": serializers.CharField(), "questions": QuestionSerializer(many=True)}
        )
    )
    def get(self, request):
        return Response(
            {
                "version": questionnaire.VERSION,
                "questions": [
                    {
                        "id": question.id,
                        "text": str(question.text),
                        "options": [{"id": option.id, "text": str(option.text)} for option in question.options],
                    }
                    for question in questionnaire.QUESTIONS
                ],
            }
        )


class MySuitabilityApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SuitabilityInputSerializer,
        responses={
            201: inline_serializer(
                "SuitabilityResult", {"score": serializers.IntegerField(), "risk_level": serializers.CharField()}
            )
        },
    )
    def post(self, request):
        data = SuitabilityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.suitability_submit(user=request.user, **data.validated_data)
        return Response(
            {"score": assessment.score, "risk_level": assessment.risk_level, "version": assessment.version},
            status=status.HTTP_201_CREATED,
        )
