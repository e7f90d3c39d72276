"""Domain errors shared by every app. Services raise them; the API and the web layer turn them into answers.

`ErrorCode` is the catalogue: every code a refusal can carry, each with the HTTP status the API answers with. The
REST contract (shared/api/CONTRACT.md) and the OpenAPI schema list the same codes (tests/test_error_catalogue.py).
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """A refusal's stable code, a string in the API's error body, and the HTTP status it answers with."""

    status: int

    def __new__(cls, code: str, status: int) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member

    # 400: the request itself is at fault.
    VALIDATION_ERROR = "validation_error", 400
    BELOW_MINIMUM = "below_minimum", 400
    INVALID_CREDENTIALS = "invalid_credentials", 400
    INVALID_SIGNATURE = "invalid_signature", 400
    # 401, 403: who asks, and whether their standing allows it.
    NOT_AUTHENTICATED = "not_authenticated", 401
    PERMISSION_DENIED = "permission_denied", 403
    KYC_REQUIRED = "kyc_required", 403
    SUITABILITY_REQUIRED = "suitability_required", 403
    NOT_QUALIFIED = "not_qualified", 403
    RISK_ACKNOWLEDGEMENT_REQUIRED = "risk_acknowledgement_required", 403
    NOT_FOUND = "not_found", 404
    # 409: the request is well formed, but the state of things refuses it.
    INVALID_TRANSITION = "invalid_transition", 409
    OFFERING_NOT_OPEN = "offering_not_open", 409
    OFFERING_FULL = "offering_full", 409
    INVESTOR_CAP_REACHED = "investor_cap_reached", 409
    LIMIT_EXCEEDED = "limit_exceeded", 409
    IDEMPOTENCY_CONFLICT = "idempotency_conflict", 409
    CANCELLATION_CLOSED = "cancellation_closed", 409
    RECONFIRMATION_CLOSED = "reconfirmation_closed", 409
    EARLY_CLOSE_NOT_ALLOWED = "early_close_not_allowed", 409
    REPORT_OVERDUE = "report_overdue", 409
    RISK_REVIEW_OPEN = "risk_review_open", 409
    SECOND_APPROVAL_REQUIRED = "second_approval_required", 409
    # 429: too many requests.
    THROTTLED = "throttled", 429


class DomainError(Exception):
    """A refusal with a code from the catalogue; the code decides the HTTP status.

    The frequent refusals have their own types below; others name their code: `DomainError(message,
    code=ErrorCode.OFFERING_FULL, details=...)`. A code that is not in the catalogue is refused at once."""

    code: ErrorCode

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | str | None = None,
        fields: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = ErrorCode(code)  # type: ignore[call-arg]  # a lookup by value, not the two-argument __new__
        elif not hasattr(self, "code"):
            raise TypeError("a DomainError needs a code from kernel.errors.ErrorCode")
        self.fields = fields or {}
        self.details = details or {}

    @property
    def status(self) -> int:
        return self.code.status


class ValidationFailed(DomainError):
    """Fields at fault, each with its messages; `FieldErrors` collects them."""

    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, fields: dict[str, list[str]], message: str = "") -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("Some fields are not valid."), fields=fields)


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class PermissionRefused(DomainError):
    code = ErrorCode.PERMISSION_DENIED


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Throttled(DomainError):
    code = ErrorCode.THROTTLED


def field_error(field: str, message: str) -> ValidationFailed:
    """One field at fault: the refusal of a check that stops at its first problem."""
    return ValidationFailed({field: [message]})


class FieldErrors:
    """Collects field errors so that one answer lists every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.fields[field].append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(dict(self.fields))
