"""The one way in to the audit log. Domain services call `audit_record` at each staff decision, inside their own
transaction: a decision that rolls back leaves no entry, and an entry cannot exist without its decision."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from audit import chain
from audit.models import AuditEntry

# Any fixed number: the PostgreSQL advisory lock that makes writers of the chain take turns.
CHAIN_LOCK = 7_412_001


def audit_record(*, actor, action: str, subject: Model, details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry: `actor` (a user, or None for the system) did `action` to `subject`."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Held until the caller's transaction ends, so two decisions cannot both chain onto the same entry.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        last = AuditEntry.objects.order_by("-pk").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor=actor.get_username() if actor is not None else "system",
            action=action,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            subject=str(subject)[:255],
            details=chain.as_stored(details or {}),
            previous_hash=last or chain.GENESIS,
        )
        entry.entry_hash = chain.entry_hash(entry)
        entry.save()
    return entry
