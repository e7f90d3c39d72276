"""Every write to issuers, statements and offerings. Views, the API, admin actions and tasks call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import can_proceed

from audit.services import audit_record
from kernel import events
from kernel.errors import DomainError, InvalidTransition, PermissionRefused, field_error
from kernel.permissions import CANCEL_OFFERING, CLOSE_OFFERING, REVIEW_OFFERING, ensure_permission, holds_permission
from projects import hooks, regime_checks, selectors
from projects.models import (
    AnnouncedCommitment,
    CommitmentParty,
    CommitmentStatus,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingApproval,
    OfferingMilestone,
    OfferingStatus,
    OfferingTransition,
    OfferingUpdate,
    ReportReminder,
    Security,
    StatementKind,
    StatementPeriod,
    TermChange,
)
from projects.regimes import current_regime, regime_for
from projects.validation import (
    Errors,
    add_validator_errors,
    check_free_text,
    check_offering_window,
    check_single_line,
    normalize_uscc,
    parse_money,
    validate_founded_on,
)

TERM_FIELDS = (
    "title",
    "summary",
    "security",
    "price_per_share",
    "pre_money_valuation",
    "target_amount",
    "max_amount",
    "min_investment",
    "opens_at",
    "closes_at",
    "use_of_funds",
    "risk_factors",
)
MONEY_TERMS = ("price_per_share", "pre_money_valuation", "target_amount", "max_amount", "min_investment")
# Terms an issuer may change on a running offering by posting an update.
UPDATABLE_TERMS = ("summary", "risk_factors", "security", "price_per_share", "use_of_funds", "closes_at")
# Changing one of these after money is in escrow is a material change, whatever the issuer marked.
MATERIAL_TERMS = ("security", "price_per_share", "use_of_funds")
# The longest use-of-funds category, as the API and the web form take it.
USE_OF_FUNDS_CATEGORY_LENGTH = 100
UPDATES_ALLOWED_IN = (
    OfferingStatus.IN_REVIEW,
    OfferingStatus.APPROVED,
    OfferingStatus.LIVE,
    OfferingStatus.SUSPENDED,
    OfferingStatus.CLOSING,
    OfferingStatus.CLOSED,
    OfferingStatus.FAILED,
)
TERM_CHANGES_ALLOWED_IN = (OfferingStatus.APPROVED, OfferingStatus.LIVE, OfferingStatus.SUSPENDED)


def ensure_manages_issuer(user, issuer: Issuer) -> None:
    """Only the company's own account acts as the issuer; staff decide on what it files, never file for it."""
    if issuer.owner_id != user.pk:
        raise PermissionRefused(_("You do not manage this company."))


# Issuers ---------------------------------------------------------------------------------------------------------


def issuer_create(
    *,
    owner,
    legal_name: str,
    uscc: str,
    industry: str,
    founded_on: dt.date,
    description: str,
    website: str = "",
    related_to_platform: bool = False,
    platform_stake_pct: Decimal | str = Decimal("0"),
    related_party_note: str = "",
) -> Issuer:
    if not owner.is_issuer:
        raise PermissionRefused(_("Only issuer accounts can register a company."))
    errors = Errors()
    for field, value in (("legal_name", legal_name), ("industry", industry), ("description", description)):
        if not (value or "").strip():
            errors.add(field, _("This field is required."))
    check_single_line(legal_name, "legal_name", errors, max_length=Issuer._meta.get_field("legal_name").max_length)
    check_single_line(industry, "industry", errors, max_length=Issuer._meta.get_field("industry").max_length)
    check_free_text(description, "description", errors)
    check_free_text(related_party_note, "related_party_note", errors)
    code = normalize_uscc(uscc, errors)
    if code and Issuer.objects.filter(uscc=code).exists():
        errors.add("uscc", _("A company with this credit code is already registered."))
    regime_checks.check_not_platform_own_entity(uscc=code, regime=current_regime(), errors=errors)
    if founded_on is None:
        errors.add("founded_on", _("This field is required."))
    else:
        add_validator_errors(founded_on, "founded_on", errors, [validate_founded_on])
    stake = parse_money(platform_stake_pct, "platform_stake_pct", errors, positive=False)
    if stake is not None and not Decimal("0") <= stake <= Decimal("100"):
        errors.add("platform_stake_pct", _("A stake is a percentage from 0 to 100."))
    if stake and stake > 0 and not related_to_platform and not (related_party_note or "").strip():
        errors.add("related_party_note", _("Describe the platform group's stake in this company."))
    errors.raise_if_any()
    return Issuer.objects.create(
        owner=owner,
        legal_name=legal_name.strip(),
        uscc=code,
        industry=industry.strip(),
        founded_on=founded_on,
        description=description.strip(),
        website=website or "",
        related_to_platform=bool(related_to_platform),
        platform_stake_pct=stake,
        related_party_note=(related_party_note or "").strip(),
    )


# Financial statements ---------------------------------------------------------------------------------------------

PERIOD_END_MONTH = {"FY": 12, "H1": 6, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}


def period_end(fiscal_year: int, period: str) -> dt.date:
    month = PERIOD_END_MONTH[period]
    next_month_first = dt.date(fiscal_year + (month == 12), month % 12 + 1, 1)
    return next_month_first - dt.timedelta(days=1)


def financial_statement_file(
    *,
    issuer: Issuer,
    by,
    fiscal_year: int,
    period: str,
    kind: str,
    revenue: Decimal | str,
    net_profit: Decimal | str,
    total_assets: Decimal | str,
    total_liabilities: Decimal | str,
    operating_cash_flow: Decimal | str | None = None,
    audited: bool = False,
) -> FinancialStatement:
    """File one period's figures. Filing the same period and kind again makes a new version; nothing is overwritten.

    Figures that cannot all be true (a profit above revenue, negative assets) are accepted: they are what the
    risk review exists to flag, and refusing them would hide them.
    """
    ensure_manages_issuer(by, issuer)
    now = timezone.now()
    errors = Errors()
    if period not in StatementPeriod.values:
        errors.add("period", _("Choose FY, H1, Q1, Q2, Q3 or Q4."))
    if kind not in StatementKind.values:
        errors.add("kind", _("Choose historical, projection or actual."))
    if not isinstance(fiscal_year, int) or not 1900 <= fiscal_year <= now.year + 10:
        errors.add("fiscal_year", _("Enter a fiscal year between 1900 and %(max)s.") % {"max": now.year + 10})
    figures = {
        "revenue": parse_money(revenue, "revenue", errors, positive=False),
        "net_profit": parse_money(net_profit, "net_profit", errors, positive=False),
        "total_assets": parse_money(total_assets, "total_assets", errors, positive=False),
        "total_liabilities": parse_money(total_liabilities, "total_liabilities", errors, positive=False),
        "operating_cash_flow": None
        if operating_cash_flow in (None, "")
        else parse_money(operating_cash_flow, "operating_cash_flow", errors, positive=False),
    }
    if not errors.fields and kind != StatementKind.PROJECTION:
        if period_end(fiscal_year, period) >= timezone.localdate(now):
            errors.add("fiscal_year", _("Historical and actual figures can be filed only after the period has ended."))
    errors.raise_if_any()

    with transaction.atomic():
        # Lock the company so that two filings of the same period get consecutive versions.
        Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)
        previous = (
            FinancialStatement.objects.filter(issuer=issuer, fiscal_year=fiscal_year, period=period, kind=kind)
            .order_by("-version")
            .first()
        )
        statement = FinancialStatement.objects.create(
            issuer=issuer,
            fiscal_year=fiscal_year,
            period=period,
            kind=kind,
            version=previous.version + 1 if previous else 1,
            supersedes=previous,
            audited=bool(audited),
            filed_at=now,
            filed_by=by,
            **figures,
        )
        events.announce("statement_filed", issuer_id=issuer.pk)
        return statement


# Offerings: terms -------------------------------------------------------------------------------------------------


def _clean_use_of_funds(raw: Any, errors: Errors) -> list[dict[str, str]] | None:
    if not isinstance(raw, list) or not raw:
        errors.add("use_of_funds", _("List at least one use of the funds."))
        return None
    cleaned = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.add(f"use_of_funds.{index}", _("Each use needs a category and an amount."))
            continue
        category = str(item.get("category") or "").strip()
        if not category:
            errors.add(f"use_of_funds.{index}.category", _("This field is required."))
        check_single_line(category, f"use_of_funds.{index}.category", errors, max_length=USE_OF_FUNDS_CATEGORY_LENGTH)
        amount = parse_money(item.get("amount"), f"use_of_funds.{index}.amount", errors)
        if category and amount is not None:
            cleaned.append({"category": category, "amount": str(amount)})
    return cleaned if len(cleaned) == len(raw) else None


def _clean_terms(raw: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Check a complete set of offering terms, each on its own and against the others."""
    terms: dict[str, Any] = {}
    for field in ("title", "summary", "risk_factors"):
        value = str(raw.get(field) or "").strip()
        if not value:
            errors.add(field, _("This field is required."))
        terms[field] = value
    check_single_line(terms["title"], "title", errors, max_length=Offering._meta.get_field("title").max_length)
    check_free_text(terms["summary"], "summary", errors)
    check_free_text(terms["risk_factors"], "risk_factors", errors)
    if raw.get("security") not in Security.values:
        errors.add("security", _("Choose new_shares or existing_shares."))
    terms["security"] = raw.get("security")
    for field in MONEY_TERMS:
        terms[field] = parse_money(raw.get(field), field, errors)
    for field in ("opens_at", "closes_at"):
        value = raw.get(field)
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors.add(field, _("Enter a date and time with its time zone."))
            value = None
        terms[field] = value
    check_offering_window(terms, errors, now=timezone.now())
    terms["use_of_funds"] = _clean_use_of_funds(raw.get("use_of_funds"), errors)

    price, target, maximum, minimum = (terms[f] for f in ("price_per_share", "target_amount", "max_amount", "min_investment"))
    if target is not None and maximum is not None and maximum < target:
        errors.add("max_amount", _("The maximum must be at least the target."))
    if target is not None and minimum is not None and target < minimum:
        errors.add("min_investment", _("The minimum investment cannot exceed the target."))
    if terms["opens_at"] and terms["closes_at"] and terms["closes_at"] <= terms["opens_at"]:
        errors.add("closes_at", _("The offering must close after it opens."))
    if terms["closes_at"] and terms["closes_at"] <= timezone.now():
        errors.add("closes_at", _("The closing time has already passed."))
    if terms["use_of_funds"] is not None and target is not None:
        total = sum(Decimal(item["amount"]) for item in terms["use_of_funds"])
        if total != target:
            errors.add(
                "use_of_funds",
                _("The uses of funds add up to %(total)s but the target is %(target)s.") % {"total": total, "target": target},
            )
    return terms


def _clean_commitments(raw: Iterable[dict[str, Any]] | None, errors: Errors, max_amount: Decimal | None) -> list[dict]:
    cleaned = []
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


def _record_transition(offering: Offering, from_status: str, *, by, reason: str = "") -> None:
    offering.save()
    OfferingTransition.objects.create(
        offering=offering, from_status=from_status, to_status=offering.status, by=by, at=timezone.now(), reason=reason
    )


def _locked(offering: Offering) -> Offering:
    # Only the offering's row is locked; its issuer is read along (the risk review locks an issuer, then offerings).
    return Offering.objects.select_for_update(no_key=True, of=("self",)).select_related("issuer").get(pk=offering.pk)


TRANSITION_VERBS = {
    "submit": _lazy("submitted for review"),
    "revise": _lazy("revised"),
    "approve": _lazy("approved"),
    "reject": _lazy("rejected"),
    "go_live": _lazy("opened"),
    "cancel": _lazy("cancelled"),
    "start_closing": _lazy("closed early"),
    "close": _lazy("closed"),
    "fail": _lazy("marked failed"),
    "suspend": _lazy("suspended"),
    "resume": _lazy("resumed"),
    "resume_closing": _lazy("resumed"),
}


def _transition(offering: Offering, name: str, *, by, reason: str = "") -> Offering:
    """Apply one named transition of the lifecycle, or refuse it with `invalid_transition`."""
    method = getattr(offering, name)
    if not can_proceed(method):
        raise InvalidTransition(
            _("An offering that is %(status)s cannot be %(action)s.")
            % {"status": offering.get_status_display(), "action": TRANSITION_VERBS[name]},
            details={"status": offering.status, "transition": name},
        )
    from_status = offering.status
    method()
    _record_transition(offering, from_status, by=by, reason=reason)
    return offering


def ensure_reports_filed(issuer: Issuer) -> None:
    """An issuer that owes an overdue annual report after an earlier raise may not start another one."""
    overdue = selectors.overdue_report_duties(issuer_ids=[issuer.pk], period=StatementPeriod.FY)
    if overdue:
        years = ", ".join(str(duty.fiscal_year) for duty in overdue)
        raise DomainError(
            _("%(issuer)s has not filed its actual full-year statement for %(years)s, which was due within "
              "%(days)s days of the year's end. File it before starting a new offering.")
            % {"issuer": issuer.legal_name, "years": years, "days": overdue[0].days_allowed},
            code="report_overdue",
            status=409,
            details={"fiscal_years": [duty.fiscal_year for duty in overdue]},
        )


def offering_create(*, issuer: Issuer, by, announced_commitments: list[dict] | None = None, **raw_terms: Any) -> Offering:
    ensure_manages_issuer(by, issuer)
    ensure_reports_filed(issuer)
    errors = Errors()
    unknown = set(raw_terms) - set(TERM_FIELDS)
    for field in sorted(unknown):
        errors.add(field, _("Unknown field."))
    terms = _clean_terms(raw_terms, errors)
    commitments = _clean_commitments(announced_commitments, errors, terms["max_amount"])
    regime = current_regime()
    regime_checks.check_not_platform_own_entity(uscc=issuer.uscc, regime=regime, errors=errors, field="issuer")
    regime_checks.check_open_window(terms=terms, regime=regime, errors=errors)
    errors.raise_if_any()
    with transaction.atomic():
        regime_checks.lock_issuer_for_cap(issuer_id=issuer.pk, regime=regime)
        regime_checks.ensure_issuer_cap(issuer=issuer, regime=regime, max_amount=terms["max_amount"])
        offering = Offering.objects.create(issuer=issuer, regime=regime.code, currency=regime.currency, **terms)
        _replace_commitments(offering, commitments)
    return offering


def offering_edit_draft(
    *, offering: Offering, by, announced_commitments: list[dict] | None = None, **raw_terms: Any
) -> Offering:
    """Change a draft's terms (a rejected offering goes back to draft first). Omitted terms keep their value."""
    ensure_manages_issuer(by, offering.issuer)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.status == OfferingStatus.REJECTED:
            _transition(offering, "revise", by=by, reason=_("Issuer revised the offering after rejection."))
        if offering.status != OfferingStatus.DRAFT:
            raise InvalidTransition(
                _("Only a draft can be edited; this offering is %(status)s.") % {"status": offering.get_status_display()}
            )
        errors = Errors()
        for field in sorted(set(raw_terms) - set(TERM_FIELDS)):
            errors.add(field, _("Unknown field."))
        merged = {field: getattr(offering, field) for field in TERM_FIELDS} | raw_terms
        terms = _clean_terms(merged, errors)
        regime_checks.check_open_window(terms=terms, regime=regime_for(offering.regime), errors=errors)
        if announced_commitments is not None:
            commitments = _clean_commitments(announced_commitments, errors, terms["max_amount"])
        else:
            commitments = None
            announced = sum((c.amount for c in offering.commitments.all()), Decimal("0"))
            if terms["max_amount"] is not None and announced > terms["max_amount"]:
                errors.add("announced_commitments", _("Announced commitments exceed the maximum amount."))
        errors.raise_if_any()
        for field, value in terms.items():
            setattr(offering, field, value)
        offering.save()
        if commitments is not None:
            _replace_commitments(offering, commitments)
        events.announce("offering_changed", offering_id=offering.pk)
    return offering


# Offerings: lifecycle ---------------------------------------------------------------------------------------------


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
    errors = Errors()
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
                code="risk_review_open",
                status=409,
            )
        if offering.approvals.filter(by=by, superseded=False).exists():
            raise DomainError(
                _("You have already approved this offering; a second, different staff member must approve it."),
                code="second_approval_required",
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
            _transition(offering, "go_live", by=None, reason=_("Opening time reached."))
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


def offering_cancel(*, offering: Offering, by, reason: str) -> Offering:
    ensure_manages_issuer(by, offering.issuer)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.reserved_amount > 0:
            raise InvalidTransition(_("This offering has subscriptions; staff must close or refund it instead."))
        return _transition(offering, "cancel", by=by, reason=reason)


def offering_cancel_by_staff(*, offering: Offering, by, reason: str) -> Offering:
    """Staff end an offering whatever money it holds; the caller (investors.subscriptions.settlement) refunds it in the same
    transaction. A reason is required: investors are told it."""
    ensure_permission(by, CANCEL_OFFERING)
    if not (reason or "").strip():
        raise field_error("reason", _("Give the investors a reason."))
    with transaction.atomic():
        return _transition(_locked(offering), "cancel", by=by, reason=reason.strip())


def _transition_due(due: QuerySet[Offering], *, status: str, name: str, reason: str, event: str = "") -> list[int]:
    """Apply transition `name` to each offering of `due` still in `status`, each in its own transaction, skipping
    rows another run holds. Safe to run any number of times, concurrently too."""
    moved = []
    for offering_id in list(due.filter(status=status).values_list("pk", flat=True)):
        with transaction.atomic():
            offering = Offering.objects.select_for_update(no_key=True, skip_locked=True).filter(pk=offering_id).first()
            if offering is None or offering.status != status:
                continue
            _transition(offering, name, by=None, reason=reason)
            if event:
                events.announce(event, offering_id=offering_id)
            moved.append(offering_id)
    return moved


def offerings_open_due(*, now: dt.datetime | None = None) -> list[int]:
    """Open every approved offering whose time has come."""
    return _transition_due(
        Offering.objects.filter(opens_at__lte=now or timezone.now()),
        status=OfferingStatus.APPROVED,
        name="go_live",
        reason=_("Opening time reached."),
    )


def offering_close_early(*, offering: Offering, by, closes_at: dt.datetime | None = None) -> Offering:
    """Staff end a live offering before its deadline, under every regime with notice to its investors.

    The regime's conditions are checked and the deadline is brought forward to `closes_at` or the earliest the
    notice period allows, whichever is later, by an update (so the change is kept as a term change, and investors are
    emailed it like every update). The offering stays live, and investors may cancel, until the cancel window before
    the new deadline; the deadline job then moves it to `closing` and settlement follows."""
    ensure_permission(by, CLOSE_OFFERING)
    regime = regime_for(offering.regime)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.status != OfferingStatus.LIVE:
            return _transition(offering, "start_closing", by=by)  # refuses with invalid_transition
        now = timezone.now()
        deadline = max(closes_at or now, regime_checks.earliest_early_deadline(regime=regime, now=now))
        if deadline >= offering.closes_at:
            problems = [
                _("The offering already closes at %(deadline)s, no later than an early close could.")
                % {"deadline": timezone.localtime(offering.closes_at).isoformat()}
            ]
        else:
            problems = regime_checks.early_close_problems(
                offering=offering, regime=regime, new_deadline=deadline, now=now
            )
        if problems:
            raise regime_checks.early_close_refused(
                offering=offering, regime=regime, problems=problems, new_deadline=deadline
            )
        _update_post(
            offering=offering,
            by=by,
            title=_("The offering closes early"),
            body=_(
                "The target is met. The offering now closes at %(deadline)s instead of %(previous)s. You may cancel "
                "your subscription until %(hours)s hours before the new deadline."
            )
            % {
                "deadline": timezone.localtime(deadline).isoformat(),
                "previous": timezone.localtime(offering.closes_at).isoformat(),
                "hours": regime.cancel_window_hours,
            },
            changes={"closes_at": deadline},
            now=now,
            closing_early=True,
        )
        offering.refresh_from_db()
        return offering


def offerings_close_due(*, now: dt.datetime | None = None) -> list[int]:
    """Move every live offering whose deadline has passed to `closing`."""
    return _transition_due(
        Offering.objects.filter(closes_at__lte=now or timezone.now()),
        status=OfferingStatus.LIVE,
        name="start_closing",
        reason=_("Deadline reached."),
        event="offering_closing",
    )


def offering_finish_closing(*, offering: Offering, succeeded: bool, exception: str = "") -> Offering:
    """Called by settlement once every subscription is settled (closed) or refunded (failed); `exception` names
    what staff must still settle by hand (refunds that failed)."""
    with transaction.atomic():
        offering = _locked(offering)
        reason = _("Target reached; funds released.") if succeeded else _("Target missed; every payment refunded.")
        reason = f"{reason} {exception}".strip()
        return _transition(offering, "close" if succeeded else "fail", by=None, reason=reason)


# Offerings: risk holds. Only the risk review calls these.


def offering_risk_hold_set(*, offering_id: int, hold: bool, reason: str) -> Offering:
    """Put an offering on hold (a live or closing one becomes `suspended`) or lift the hold (a suspended one goes
    back to `live`, or to `closing` if its deadline passed meanwhile). Setting what is already set changes nothing."""
    with transaction.atomic():
        offering = Offering.objects.select_for_update(no_key=True).get(pk=offering_id)
        if offering.risk_hold == hold:
            return offering
        offering.risk_hold = hold
        if hold and offering.status in (OfferingStatus.LIVE, OfferingStatus.CLOSING):
            return _transition(offering, "suspend", by=None, reason=reason)
        if not hold and offering.status == OfferingStatus.SUSPENDED:
            resume = "resume" if offering.closes_at > timezone.now() else "resume_closing"
            return _transition(offering, resume, by=None, reason=reason)
        offering.save(update_fields=["risk_hold", "updated_at"])
        return offering


def offering_approval_hold_set(*, offering_id: int, hold: bool) -> None:
    Offering.objects.filter(pk=offering_id).exclude(approval_hold=hold).update(approval_hold=hold)


# Offerings: capacity. Subscriptions hold part of an offering's capacity; these conditional updates are the only
# writes to the counters, so that no interleaving of requests can take an offering past its maximum or its cap.


def offering_capacity_reserve(
    *, offering_id: int, amount: Decimal, new_investor: bool, investor_cap: int | None, now: dt.datetime
) -> bool:
    """One statement decides: the offering takes money now (live, not on hold, inside its window, as
    `investors.subscriptions.eligibility.offering_closed_reason` reads it) and has room for `amount` (and for one more investor
    when `new_investor`). `investor_cap` None: the regime sets no limit on the number of investors."""
    fits = Q(
        pk=offering_id,
        status=OfferingStatus.LIVE,
        risk_hold=False,
        opens_at__lte=now,
        closes_at__gt=now,
        reserved_amount__lte=F("max_amount") - amount,
    )
    if new_investor and investor_cap is not None:
        fits &= Q(investor_count__lt=investor_cap)
    return (
        Offering.objects.filter(fits).update(
            reserved_amount=F("reserved_amount") + amount, investor_count=F("investor_count") + int(new_investor)
        )
        == 1
    )


def offering_capacity_release(*, offering_id: int, amount: Decimal, investor_left: bool) -> None:
    Offering.objects.filter(pk=offering_id).update(
        reserved_amount=F("reserved_amount") - amount, investor_count=F("investor_count") - int(investor_left)
    )


def offering_raised_add(*, offering_id: int, amount: Decimal) -> None:
    """`amount` is signed: a payment adds to the money raised, a cancellation or refund takes it away."""
    Offering.objects.filter(pk=offering_id).update(raised_amount=F("raised_amount") + amount)


def offering_raised_add_while_taking_money(*, offering_id: int, amount: Decimal, ended: Iterable[str]) -> bool:
    """A payment's money, added only if the offering has not `ended` meanwhile (checked by the update itself, after
    any transaction ending it has committed). False: it had ended, and nothing was added."""
    raised = F("raised_amount") + amount
    return Offering.objects.filter(pk=offering_id).exclude(status__in=ended).update(raised_amount=raised) == 1


# Offerings: updates -----------------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def offering_update_post(
    *,
    offering: Offering,
    by,
    title: str,
    body: str,
    material_change: bool = False,
    changes: dict | None = None,
    requested_closes_at: dt.datetime | None = None,
) -> OfferingUpdate:
    """The issuer publishes an update to its investors (see `_update_post`)."""
    ensure_manages_issuer(by, offering.issuer)
    return _update_post(
        offering=offering,
        by=by,
        title=title,
        body=body,
        material_change=material_change,
        changes=changes,
        requested_closes_at=requested_closes_at,
    )


def _update_post(
    *,
    offering: Offering,
    by,
    title: str,
    body: str,
    material_change: bool = False,
    changes: dict | None = None,
    requested_closes_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    closing_early: bool = False,
) -> OfferingUpdate:
    """Publish an update to investors; `changes` alters terms of a running offering and is kept term by term.
    `now` is the moment of the notice, for a caller that computed a deadline from it. Posted by the issuer, or by
    staff closing early (the platform's notice, not the issuer's).

    An earlier `closes_at` is an early close, which staff decide: only `offering_close_early` passes
    `closing_early`, after its own checks. The issuer asks for one with `requested_closes_at`, which is recorded
    with the update for staff and changes nothing."""
    changes = changes or {}
    errors = Errors()
    if not (title or "").strip():
        errors.add("title", _("This field is required."))
    if not (body or "").strip():
        errors.add("body", _("This field is required."))
    check_single_line(title, "title", errors, max_length=OfferingUpdate._meta.get_field("title").max_length)
    check_free_text(body, "body", errors)
    if not isinstance(changes, dict):
        errors.add("changes", _("Give changed terms as an object of term and new value."))
        changes = {}
    for term in sorted(set(changes) - set(UPDATABLE_TERMS)):
        errors.add(f"changes.{term}", _("This term cannot be changed by an update."))
    errors.raise_if_any()

    with transaction.atomic():
        offering = _locked(offering)
        if offering.status not in UPDATES_ALLOWED_IN:
            raise InvalidTransition(_("Updates can be posted once the offering is submitted."))
        if changes and offering.status not in TERM_CHANGES_ALLOWED_IN:
            raise InvalidTransition(_("Terms can be changed only while the offering is approved or open."))
        now = now or timezone.now()
        current = {field: getattr(offering, field) for field in TERM_FIELDS}
        if "closes_at" in changes and isinstance(changes["closes_at"], str):
            changes["closes_at"] = _parse_datetime(changes["closes_at"], errors)
        # News without changed terms needs no check of the terms: it can follow an offering long after it closed.
        new_terms = _clean_terms(current | changes, errors) if changes else current
        regime = regime_for(offering.regime)
        if changes:
            regime_checks.check_open_window(terms=new_terms, regime=regime, errors=errors, field="changes.closes_at")
        if new_terms["closes_at"] is not None and "closes_at" in changes:
            if new_terms["closes_at"] < offering.closes_at and not closing_early:
                errors.add(
                    "changes.closes_at",
                    _("An earlier deadline closes the offering early, which only staff decide, with notice to "
                      "investors. Ask them instead: give the closing time you would like as an early-close request."),
                )
            for problem in regime_checks.early_close_problems(
                offering=offering, regime=regime, new_deadline=new_terms["closes_at"], now=now
            ):
                errors.add("changes.closes_at", problem)
        if requested_closes_at is not None and not (
            offering.status == OfferingStatus.LIVE and now < requested_closes_at < offering.closes_at
        ):
            errors.add(
                "requested_closes_at",
                _("An early close can be asked for a live offering, for a time between now and its deadline."),
            )
        errors.raise_if_any()
        changed = {term: new_terms[term] for term in changes if new_terms[term] != current[term]}
        # Whatever the issuer ticked, changing what investors buy, at what price or for what, is material once
        # their money is in escrow.
        material = bool(material_change) or (bool(set(changed) & set(MATERIAL_TERMS)) and offering.raised_amount > 0)
        update = OfferingUpdate.objects.create(
            offering=offering,
            title=title.strip(),
            body=body.strip(),
            material_change=material,
            changes={term: _json_value(new_terms[term]) for term in changes},
            requested_closes_at=requested_closes_at,
            posted_at=now,
            posted_by=by,
        )
        for term in changed:
            TermChange.objects.create(
                offering=offering,
                update=update,
                term=term,
                old_value=_json_value(current[term]),
                new_value=_json_value(new_terms[term]),
                changed_at=now,
            )
            setattr(offering, term, new_terms[term])
        offering.save()
        # In this transaction: a material update and the reconfirmation it asks of investors commit together.
        hooks.update_posted(update=update, changed_terms=changed)
        events.announce("offering_update_posted", offering_id=offering.pk)
    return update


def _parse_datetime(value: str, errors: Errors) -> dt.datetime | None:
    parsed = None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    if parsed is None or timezone.is_naive(parsed):
        errors.add("changes.closes_at", _("Enter a date and time with its time zone."))
        return None
    return parsed


# Post-funding duties ----------------------------------------------------------------------------------------------


def report_reminders_send(*, today: dt.date | None = None) -> list[int]:
    """Remind each issuer, once per fiscal year and period, of an actual statement (full year, first half) that is
    due soon or overdue. The reminder row and its email (in the outbox, sent after commit) are recorded together;
    running this again sends nothing new."""
    from projects import notifications

    due = (selectors.DutyStatus.REMINDER_DUE, selectors.DutyStatus.OVERDUE)
    recorded = []
    for duty in selectors.report_duties(today=today):
        if duty.status not in due:
            continue
        with transaction.atomic():
            reminder, created = ReportReminder.objects.get_or_create(
                issuer_id=duty.issuer_id, fiscal_year=duty.fiscal_year, period=duty.period,
                defaults={"sent_at": timezone.now()},
            )
            if created:
                notifications.report_reminder_email(reminder_id=reminder.pk)
                recorded.append(reminder.pk)
    return recorded


MILESTONE_PERCENTS = (50, 100)
MILESTONE_STATUSES = (OfferingStatus.LIVE, OfferingStatus.SUSPENDED, OfferingStatus.CLOSING)


def offering_milestones_record(*, offering_id: int) -> list[int]:
    """Record each share of the target (50 %, 100 %) that the money raised has reached for the first time, and
    return those newly reached. Each is recorded once, even if cancellations later take the offering below it.

    Runs after every payment, so it takes no lock on the offering (payments queue on that lock): the unique
    constraint makes the first of two concurrent runs the only one to record a milestone."""
    offering = Offering.objects.get(pk=offering_id)
    if offering.status not in MILESTONE_STATUSES:
        return []
    reached = [p for p in MILESTONE_PERCENTS if offering.raised_amount * 100 >= offering.target_amount * p]
    recorded = set(offering.milestones.filter(percent__in=reached).values_list("percent", flat=True))
    new = []
    for percent in reached:
        if percent in recorded:
            continue
        try:
            with transaction.atomic():
                OfferingMilestone.objects.create(offering=offering, percent=percent, reached_at=timezone.now())
        except IntegrityError:
            continue
        new.append(percent)
    return new
