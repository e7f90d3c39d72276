"""Submitting an offering and staff's review of it: approval (four eyes for an issuer tied to the platform) or rejection."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from kernel import events
from kernel.errors import DomainError, ErrorCode, FieldErrors, InvalidTransition, PermissionRefused, field_error
from kernel.permissions import REVIEW_OFFERING, ensure_permission, holds_permission
from projects import regime_checks
from projects.models import Offering, OfferingApproval, OfferingStatus
from projects.regimes import regime_for
from projects.services.drafts import ensure_reports_filed
from projects.services.issuers import ensure_manages_issuer
from projects.services.terms import TERM_FIELDS
from projects.services.transitions import _locked, _transition


def offering_submission_refusals(offering: Offering) -> list[DomainError]:
    """Every reason the offering's terms cannot be submitted now, in the order `offering_submit` checks them: the
    service refuses with the first (holding its locks), and the issuer's guided flow lists them all beforehand."""
    refusals: list[DomainError] = []
    regime = regime_for(offering.regime)
    for check in (
        lambda: ensure_reports_filed(offering.issuer),
        lambda: _ensure_closing_ahead(offering),
        lambda: _ensure_submittable_terms(offering, regime),
        lambda: regime_checks.ensure_issuer_cap(
            issuer=offering.issuer, regime=regime, max_amount=offering.max_amount, excluding=offering.pk
        ),
    ):
        try:
            check()
        except DomainError as refusal:
            refusals.append(refusal)
    return refusals


def _ensure_closing_ahead(offering: Offering) -> None:
    if offering.closes_at <= timezone.now():
        raise field_error("closes_at", _("The closing time has already passed; edit the dates first."))


def _ensure_submittable_terms(offering: Offering, regime) -> None:
    errors = FieldErrors()
    regime_checks.check_not_platform_own_entity(uscc=offering.issuer.uscc, regime=regime, errors=errors, field="issuer")
    terms = {field: getattr(offering, field) for field in TERM_FIELDS}
    regime_checks.check_open_window(terms=terms, regime=regime, errors=errors)
    errors.raise_if_any()


def offering_submit(*, offering: Offering, by) -> Offering:
    ensure_manages_issuer(by, offering.issuer)
    ensure_reports_filed(offering.issuer)
    regime = regime_for(offering.regime)
    with transaction.atomic():
        regime_checks.lock_issuer_for_cap(issuer_id=offering.issuer_id, regime=regime)
        offering = _locked(offering)
        refusals = offering_submission_refusals(offering)
        if refusals:
            raise refusals[0]
        events.announce("offering_submitted", offering_id=offering.pk)
        return _transition(offering, "submit", by=by)


def approvals_required(offering: Offering) -> int:
    """Four eyes for an issuer tied to the platform: as many different staff users as its regime asks (two)."""
    return regime_for(offering.regime).related_party_approvals if offering.issuer.tied_to_platform else 1


def offering_approve(*, offering: Offering, by, note: str = "") -> Offering:
    """Record one staff approval; the offering is approved once enough different staff have approved it, and goes
    live at once if its opening time has already come."""
    ensure_permission(by, REVIEW_OFFERING)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.status != OfferingStatus.IN_REVIEW:
            return _transition(offering, "approve", by=by, reason=note)  # refuses with invalid_transition
        if offering.issuer.owner_id == by.pk:
            raise PermissionRefused(_("Staff cannot approve an offering of a company they manage."))
        if offering.closes_at <= timezone.now():
            raise InvalidTransition(
                _("The closing time of this offering has passed; the issuer must change the dates first.")
            )
        if offering.approval_hold or offering.risk_hold:
            raise DomainError(
                _("The risk review has an open case on this offering or its company that holds it; resolve it first."),
                code=ErrorCode.RISK_REVIEW_OPEN,
            )
        if offering.approvals.filter(by=by, superseded=False).exists():
            raise DomainError(
                _("You have already approved this offering; a second, different staff member must approve it."),
                code=ErrorCode.SECOND_APPROVAL_REQUIRED,
            )
        now = timezone.now()
        OfferingApproval.objects.create(offering=offering, by=by, at=now, note=note)
        audit_record(actor=by, action="offering_approved", subject=offering, details={"note": note})
        # Four eyes are two reviewers: an approval counts while its author still holds the permission.
        approvers = [approval.by for approval in offering.approvals.filter(superseded=False).select_related("by")]
        if sum(holds_permission(approver, REVIEW_OFFERING) for approver in approvers) < approvals_required(offering):
            return offering
        _transition(offering, "approve", by=by, reason=note)
        if offering.opens_at <= now:
            _transition(offering, "go_live", by=None)
        return offering


def offering_reject(*, offering: Offering, by, reason: str) -> Offering:
    ensure_permission(by, REVIEW_OFFERING)
    if not (reason or "").strip():
        raise field_error("reason", _("Give the issuer a reason."))
    with transaction.atomic():
        offering = _locked(offering)
        # Approvals of this round no longer count, but stay on record.
        offering.approvals.update(superseded=True)
        audit_record(actor=by, action="offering_rejected", subject=offering, details={"reason": reason.strip()})
        return _transition(offering, "reject", by=by, reason=reason.strip())
