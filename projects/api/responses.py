"""Error answers the projects API documents, shared by its endpoints (and by the investors API about offerings)."""

from __future__ import annotations

from kernel.api_errors import documented_error

NOT_SIGNED_IN = documented_error("not_authenticated", description="No session or token.")
NO_OFFERING = documented_error("not_found", description="No offering you may see has this id.")
NO_QUESTION = documented_error("not_found", description="No public question on an offering you may see has this id.")
TEXT_INVALID = documented_error(
    "validation_error", description="`fields.text` is empty or longer than the free-text limit."
)
