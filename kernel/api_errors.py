"""One place that shapes every API error as the contract's `{"error": {"code", "message", "fields"?}}`."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import DomainError, ErrorCode


def error_body(
    code: ErrorCode | str, message: str, fields: dict | None = None, details: dict | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": str(code), "message": message}
    if fields:
        error["fields"] = fields
    if details:
        error["details"] = details
    return {"error": error}


def _camel(code: str) -> str:
    return "".join(part.title() for part in code.split("_"))


@functools.cache
def _error_serializer(codes: tuple[ErrorCode, ...]) -> serializers.Serializer:
    """One schema component per set of codes, built once, so that answers sharing a code share its component
    (and its code enumeration, named after it)."""
    name = "Or".join(_camel(code) for code in codes)
    body: dict[str, serializers.Field] = {
        "code": serializers.ChoiceField(choices=[code.value for code in codes]),
        "message": serializers.CharField(),
        "details": serializers.DictField(required=False),
    }
    if ErrorCode.VALIDATION_ERROR in codes:
        messages = serializers.ListField(child=serializers.CharField())
        body["fields"] = serializers.DictField(child=messages, required=False)
    return inline_serializer(f"{name}Error", {"error": inline_serializer(f"{name}ErrorBody", body)})


def documented_error(*codes: ErrorCode, description: str) -> OpenApiResponse:
    """The OpenAPI description of a refusal: the contract's error body, its `code` one of `codes`, each from the
    catalogue and answered with the status it is documented under."""
    return OpenApiResponse(_error_serializer(tuple(ErrorCode(code) for code in codes)), description=description)


PERMISSION_DENIED = documented_error(
    ErrorCode.PERMISSION_DENIED,
    description="The account may not do this: a staff decision needs its role's permission (`details.permission`), "
    "only the company's own issuer account acts for it, and nobody decides on their own KYC or on a case about a "
    "company they own or are an insider of (`details.conflict`).",
)


def _flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors for lists and nested serializers; the contract wants `field: [messages]`."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten_fields(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten_fields(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten_fields(exc.detail)
        response.data = error_body(ErrorCode.VALIDATION_ERROR, _("Some fields are not valid."), fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, exceptions.Throttled):
        code, message = (
            ErrorCode.THROTTLED,
            _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": exc.wait and int(exc.wait) or 60},
        )
    elif isinstance(exc, exceptions.ParseError):
        code, message = ErrorCode.VALIDATION_ERROR, str(exc.detail)
    else:
        code = getattr(exc, "default_code", "error")
        message = str(getattr(exc, "detail", exc))
    response.data = error_body(code, message)
    return response
