from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from investors.kyc.selectors import investor_summary


class MeApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "is_staff": serializers.BooleanField(),
                "kyc_status": serializers.CharField(),
                "qualified": serializers.BooleanField(),
                "risk_level": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {"id": user.pk, "username": user.username, "role": user.role, "is_staff": user.is_staff}
            | investor_summary(user)
        )


class HealthApi(APIView):
    """Answers without touching the database: a load balancer's liveness check, and the benchmarks' measure of what
    the server stack itself costs per request (bench/pages.py)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(responses=inline_serializer("Health", {"status": serializers.CharField()}))
    def get(self, request):
        return Response({"status": "ok"})
