"""The contract's error body, `{"error": {"code", "message", "fields"?, "details"?}}`, for the OpenAPI schema."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR_BODY = inline_serializer(
    "ErrorBody",
    {
        "error": inline_serializer(
            "Error",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
                "details": serializers.DictField(required=False),
            },
        )
    },
)


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR_BODY, description=description)
