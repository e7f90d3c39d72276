"""Domain errors shared by every app. Services raise them; the API and the web layer turn them into answers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any


class DomainError(Exception):
    """A refusal with a stable code from the REST contract and the HTTP status it maps to."""

    code = "domain_error"
    status = 409

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = fields or {}
        self.details = details or {}


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400

    def __init__(self, fields: dict[str, list[str]], message: str = "") -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("Some fields are not valid."), fields=fields)


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class PermissionRefused(DomainError):
    code = "permission_denied"
    status = 403


def field_error(field: str, message: str) -> ValidationFailed:
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
