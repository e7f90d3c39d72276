"""REST endpoints for KYC, suitability and staff review of investors."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from investors.kyc import questionnaire, selectors, services
from investors.models import KycProfile
from kernel.api_errors import PERMISSION_DENIED
from kernel.errors import NotFound
from kernel.validators import SINGLE_LINE
from projects.api import MONEY
from projects.regimes import current_regime, regime_for


class KycInputSerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=100, validators=SINGLE_LINE)
    id_number = serializers.CharField(max_length=32)
    date_of_birth = serializers.DateField()
    phone = serializers.CharField(max_length=20)
    annual_income = serializers.DecimalField(**MONEY)
    financial_assets = serializers.DecimalField(**MONEY)
    # Read by regimes with an investment limit (us_reg_cf).
    net_worth = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    accredited_investor = serializers.BooleanField(required=False, default=False)


class KycSerializer(serializers.ModelSerializer):
    """A KYC profile as `viewer` (in the context) may see it: the birth date is null unless the viewer is the
    investor or holds the identity permission; its year is always given."""

    id_number = serializers.CharField(source="id_number_masked")
    date_of_birth = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = KycProfile
        fields = [
            "status",
            "real_name",
            "id_number",
            "date_of_birth",
            "birth_year",
            "phone",
            "currency",
            "annual_income",
            "financial_assets",
            "net_worth",
            "accredited_investor",
            "submitted_at",
            "decision_reason",
            "qualified",
            "qualification_evidence",
        ]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_date_of_birth(self, kyc: KycProfile) -> dt.date | None:
        return kyc.date_of_birth if selectors.identity_visible_to(self.context["viewer"], kyc) else None

    def get_birth_year(self, kyc: KycProfile) -> int:
        return kyc.date_of_birth.year


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
            raise NotFound("No KYC submission yet.")
        return Response(KycSerializer(kyc, context={"viewer": request.user}).data)

    @extend_schema(request=KycInputSerializer, responses=KycSerializer)
    def put(self, request):
        data = KycInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kyc = services.kyc_submit(user=request.user, **data.validated_data)
        return Response(KycSerializer(kyc, context={"viewer": request.user}).data)


class KycReviewApi(APIView):
    """The KYC officer's decision; the service checks the permission (403 `permission_denied`)."""

    approve = True

    @extend_schema(request=KycReasonSerializer, responses={200: KycSerializer, 403: PERMISSION_DENIED})
    def post(self, request, user_id: int):
        kyc = get_object_or_404(KycProfile, user=get_object_or_404(get_user_model(), pk=user_id))
        data = KycReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kyc = services.kyc_review(kyc=kyc, by=request.user, approve=self.approve, **data.validated_data)
        return Response(KycSerializer(kyc, context={"viewer": request.user}).data)


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


class RiskAcknowledgementInputSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=32)
    accepted = serializers.BooleanField()
    regime = serializers.CharField(max_length=16, required=False)


class RiskStatementSerializer(serializers.Serializer):
    regime = serializers.CharField()
    version = serializers.CharField()
    text = serializers.CharField()
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)


class MyRiskAcknowledgementApi(APIView):
    """The risk statement an investor signs before the first subscription under a regime (`?regime=`, default the
    platform's current one)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("regime", str, OpenApiParameter.QUERY, required=False)],
        responses=RiskStatementSerializer,
    )
    def get(self, request):
        regime = _regime_asked(request.query_params.get("regime"))
        return Response(_statement(request.user, regime))

    @extend_schema(request=RiskAcknowledgementInputSerializer, responses={201: RiskStatementSerializer})
    def post(self, request):
        data = RiskAcknowledgementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        regime_code = data.validated_data.get("regime") or current_regime().code
        services.risk_acknowledgement_sign(
            investor=request.user,
            regime_code=regime_code,
            version=data.validated_data["version"],
            accepted=data.validated_data["accepted"],
            client_ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(_statement(request.user, regime_for(regime_code)), status=status.HTTP_201_CREATED)


def _regime_asked(code: str | None):
    if not code:
        return current_regime()
    try:
        return regime_for(code)
    except KeyError:
        raise NotFound(_("There is no regime %(code)s.") % {"code": code}) from None


def _statement(user, regime) -> dict:
    signature = selectors.risk_acknowledgement_of(user, regime)
    return {
        "regime": regime.code,
        "version": regime.risk_statement.version,
        "text": str(regime.risk_statement.text),
        "signed": signature is not None,
        "signed_at": signature.signed_at if signature else None,
    }
