"""Reading the audit log back: is the chain whole?"""

from __future__ import annotations

from dataclasses import dataclass

from audit import chain
from audit.models import AuditEntry


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    head: str
    first_bad: AuditEntry | None = None
    problem: str = ""


def audit_chain_check() -> ChainCheck:
    """Walk the log in order. An entry is bad when its content no longer gives its hash (altered), or when it does
    not point at the hash of the entry before it (that entry was removed or altered). The first bad one is named."""
    previous = chain.GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("pk").iterator():
        count += 1
        if entry.previous_hash != previous:
            return ChainCheck(count, previous, entry, "does not follow the entry before it: one was removed or altered")
        if chain.entry_hash(entry) != entry.entry_hash:
            return ChainCheck(count, previous, entry, "was altered: its content no longer matches its hash")
        previous = entry.entry_hash
    return ChainCheck(count, previous)


def audit_head_known(head: str) -> bool:
    """Whether a head hash printed by an earlier check is still in the log."""
    return head == chain.GENESIS or AuditEntry.objects.filter(entry_hash=head).exists()
