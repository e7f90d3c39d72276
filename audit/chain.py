"""The hash that chains audit entries: SHA-256 over the entry's content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEntry

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "subject",
    "details",
    "previous_hash",
)


def entry_hash(entry: AuditEntry) -> str:
    content = {field: getattr(entry, field) for field in HASHED_FIELDS}
    content["at"] = entry.at.isoformat()
    canonical = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def as_stored(details: dict) -> dict:
    """Details as the JSON column gives them back (dates and decimals as strings), so the hash computed when writing
    is the hash computed when verifying."""
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder))
