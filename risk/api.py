"""REST endpoints of the risk queue (staff only), as in the contract: list, detail, resolve."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kernel.api_errors import PERMISSION_DENIED
from kernel.permissions import VIEW_CASE, requires
from risk import selectors, services
from risk.models import Case, CaseStatus, Outcome, Signal
from risk.rules import RULE_CODES


class SignalSerializer(serializers.ModelSerializer):
    rule = serializers.ChoiceField(choices=RULE_CODES, read_only=True)

    class Meta:
        model = Signal
        fields = ["rule", "severity", "score", "evidence", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    signals = SignalSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "subject",
            "severity",
            "status",
            "signals",
            "opened_at",
            "outcome",
            "resolution_note",
            "resolved_at",
        ]

    def get_subject(self, case: Case) -> dict:
        return {"type": case.subject_type, "id": case.subject_id}


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    offering = serializers.IntegerField(required=False, min_value=1)
    issuer = serializers.IntegerField(required=False, min_value=1)
    investor = serializers.IntegerField(required=False, min_value=1)


class ResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(allow_blank=False, trim_whitespace=True)


@extend_schema_view(
    list=extend_schema(responses={200: CaseSerializer(many=True), 403: PERMISSION_DENIED}),
    retrieve=extend_schema(responses={200: CaseSerializer, 403: PERMISSION_DENIED}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, requires(VIEW_CASE)]
    serializer_class = CaseSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.cases_list()
        filters = CaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.cases_list(**filters.validated_data)

    @extend_schema(request=ResolveSerializer, responses={200: CaseSerializer, 403: PERMISSION_DENIED})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        decision = ResolveSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        case = services.case_resolve(case=self.get_object(), by=request.user, **decision.validated_data)
        return Response(CaseSerializer(selectors.cases_list().get(pk=case.pk)).data)
