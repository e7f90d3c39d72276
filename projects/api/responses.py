"""Error answers the projects API documents, shared by its endpoints (and by the investors API about offerings)."""

from __future__ import annotations

from kernel.api_errors import documented_error
from kernel.errors import ErrorCode

REPORT_OVERDUE = documented_error(
    ErrorCode.REPORT_OVERDUE, description="The issuer owes an annual report past its deadline."
)
NOT_SIGNED_IN = documented_error(ErrorCode.NOT_AUTHENTICATED, description="No session or token.")
NO_OFFERING = documented_error(ErrorCode.NOT_FOUND, description="No offering you may see has this id.")
NO_QUESTION = documented_error(
    ErrorCode.NOT_FOUND, description="No public question on an offering you may see has this id."
)
TEXT_INVALID = documented_error(
    ErrorCode.VALIDATION_ERROR, description="`fields.text` is empty or longer than the free-text limit."
)
