from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import ApiToken, Role
from accounts.throttles import LOGIN_THROTTLES, RegisterThrottle
from kernel.api_errors import documented_error
from kernel.errors import ErrorCode


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices)


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


THROTTLED = documented_error(
    ErrorCode.THROTTLED, description="Too many attempts, with the seconds to wait in the message."
)


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, RegisterThrottle]

    @extend_schema(
        request=RegisterSerializer,
        responses={
            201: inline_serializer(
                "Registered",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "role": serializers.CharField(),
                    "token": serializers.CharField(),
                },
            ),
            400: documented_error(ErrorCode.VALIDATION_ERROR, description="The fields at fault."),
            429: THROTTLED,
        },
    )
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, key = services.user_register(**data.validated_data)
        return Response(
            {"id": user.pk, "username": user.username, "role": user.role, "token": key},
            status=status.HTTP_201_CREATED,
        )


class TokenApi(APIView):
    """A new API token, valid for API_TOKEN_TTL_HOURS; every login makes one."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, *LOGIN_THROTTLES]

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: inline_serializer("TokenAnswer", {"token": serializers.CharField()}),
            400: documented_error(
                ErrorCode.INVALID_CREDENTIALS,
                ErrorCode.VALIDATION_ERROR,
                description="Wrong credentials, or a missing field.",
            ),
            429: THROTTLED,
        },
    )
    def post(self, request):
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = services.token_obtain(request=request._request, **data.validated_data)
        return Response({"token": key})


class LogoutApi(APIView):
    """Ends the token the request was made with (and the browser session, if any); other tokens stay."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Logged out.")})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            services.token_revoke(user=request.user, token_id=request.auth.pk)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "created_at", "expires_at", "current"]

    def get_current(self, token: ApiToken) -> bool:
        """Whether this request was made with this token."""
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class MyTokensApi(generics.ListAPIView):
    """The caller's live API tokens, newest first; keys are never shown again, only their first characters."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model, signed in as nobody
            return ApiToken.objects.none()
        return selectors.tokens_of(self.request.user)


class MyTokenApi(APIView):
    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked."),
            404: documented_error(ErrorCode.NOT_FOUND, description="Not one of your tokens."),
        },
    )
    def delete(self, request, pk: int):
        services.token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
