"""Commitments an issuer announces, and the named investor's answer to one."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import events
from kernel.errors import FieldErrors, InvalidTransition, PermissionRefused
from kernel.money import parse_money
from projects.models import AnnouncedCommitment, CommitmentParty, CommitmentStatus, Offering


def _clean_commitments(
    raw: Iterable[dict[str, Any]] | None, errors: FieldErrors, max_amount: Decimal | None
) -> list[dict]:
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(raw or []):
        prefix = f"announced_commitments.{index}"
        party = item.get("by")
        if party not in CommitmentParty.values:
            errors.add(f"{prefix}.by", _("Choose lead, platform or issuer_insider."))
        amount = parse_money(item.get("amount"), f"{prefix}.amount", errors)
        named = item.get("investor")
        account_id = getattr(named, "pk", named)
        if account_id is None:
            cleaned.append({"by": party, "amount": amount, "status": CommitmentStatus.UNNAMED})
            continue
        if not isinstance(account_id, int) or account_id <= 0:
            errors.add(f"{prefix}.investor", _("Enter an account number."))
            continue
        # Any number is taken the same way, so that the answer never tells which accounts are investors'; only an
        # investor can accept, and until then the commitment is neither shown nor counted.
        investor = get_user_model().objects.filter(pk=account_id, role="investor").first()
        cleaned.append(
            {
                "by": party,
                "amount": amount,
                "named_account_id": account_id,
                "investor": investor,
                "status": CommitmentStatus.PENDING,
            }
        )
    total = sum((c["amount"] for c in cleaned if c["amount"] is not None), Decimal("0"))
    if max_amount is not None and total > max_amount:
        errors.add("announced_commitments", _("Announced commitments exceed the maximum amount."))
    return cleaned


def _replace_commitments(offering: Offering, commitments: list[dict]) -> None:
    """A named investor confirms the commitment as it now stands: a replaced one awaits them again."""
    offering.commitments.all().delete()
    AnnouncedCommitment.objects.bulk_create(AnnouncedCommitment(offering=offering, **c) for c in commitments)


def _commitment_answer(*, commitment_id: int, by, status: str) -> AnnouncedCommitment:
    with transaction.atomic():
        commitment = AnnouncedCommitment.objects.select_for_update(no_key=True).get(pk=commitment_id)
        if commitment.investor_id != by.pk:
            raise PermissionRefused(_("This commitment does not name you."))
        if commitment.status != CommitmentStatus.PENDING:
            raise InvalidTransition(
                _("You have already answered this commitment: %(status)s.")
                % {"status": commitment.get_status_display()},
                details={"status": commitment.status},
            )
        commitment.status = status
        commitment.answered_at = timezone.now()
        commitment.save(update_fields=["status", "answered_at"])
        events.announce("offering_changed", offering_id=commitment.offering_id)
    return commitment


def commitment_accept(*, commitment_id: int, by) -> AnnouncedCommitment:
    """The investor an issuer named confirms the commitment: from now on it is shown and the risk review holds the
    investor to it."""
    return _commitment_answer(commitment_id=commitment_id, by=by, status=CommitmentStatus.ACCEPTED)


def commitment_decline(*, commitment_id: int, by) -> AnnouncedCommitment:
    return _commitment_answer(commitment_id=commitment_id, by=by, status=CommitmentStatus.DECLINED)
