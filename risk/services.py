"""Every write of the risk review: screening (rules → signals → cases → holds) and staff resolving a case.

Screening is idempotent: a signal is identified by its subject and the fingerprint of its facts, so screening the
same facts again adds nothing, and a signal staff have cleared is not raised again until the facts change."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from investors.subscriptions import settlement
from kernel.errors import FieldErrors, InvalidTransition, PermissionRefused
from kernel.permissions import CANCEL_OFFERING, RESOLVE_CASE, ensure_permission
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import NOTHING_TO_HOLD_STATUSES, Issuer, Offering
from risk import notifications, selectors
from risk.models import (
    SEVERITY_RANK,
    Case,
    CaseEvent,
    CaseStatus,
    Outcome,
    Severity,
    Signal,
    SubjectType,
    highest,
)
from risk.policy import current_policy
from risk.rules import INVESTOR_RULES, ISSUER_RULES
from risk.rules.base import Finding

logger = logging.getLogger(__name__)


def screen_issuer(*, issuer_id: int, as_of: dt.datetime | None = None) -> list[Signal]:
    """Run every issuer rule over the company's facts as of `as_of`; record new signals; apply holds."""
    return screen_issuers({issuer_id: as_of or timezone.now()})


def screen_issuers(as_of_by_issuer: dict[int, dt.datetime]) -> list[Signal]:
    """`screen_issuer` for many companies, each as of its own moment, in one transaction and with their facts read
    at once: the same findings, signals and holds as screening them one by one in the order of their ids."""
    policy = current_policy()
    issuer_ids = sorted(as_of_by_issuer)
    with transaction.atomic():
        # One screening of a company at a time, so that two at once cannot both open a case or raise a signal
        # (locked in the order of their ids, so that two batches cannot deadlock).
        locked = list(Issuer.objects.select_for_update(no_key=True).filter(pk__in=issuer_ids).order_by("pk"))
        if len(locked) != len(issuer_ids):
            raise Issuer.DoesNotExist(f"no issuers {sorted(set(issuer_ids) - {i.pk for i in locked})}")
        facts_by_issuer = selectors.issuers_facts({issuer_id: as_of_by_issuer[issuer_id] for issuer_id in issuer_ids})
        findings = {
            issuer_id: [finding for rule in ISSUER_RULES.values() for finding in rule(facts, policy)]
            for issuer_id, facts in facts_by_issuer.items()
        }
        raised = _record(
            [
                (finding, as_of_by_issuer[issuer_id], facts_by_issuer[issuer_id].issuer)
                for issuer_id in issuer_ids
                for finding in findings[issuer_id]
            ]
        )
        holds_apply(issuer_ids=issuer_ids, at=as_of_by_issuer)
    return raised


def screen_offering(*, offering_id: int, as_of: dt.datetime | None = None) -> list[Signal]:
    issuer_id = Offering.objects.values_list("issuer_id", flat=True).get(pk=offering_id)
    return screen_issuer(issuer_id=issuer_id, as_of=as_of)


def screen_investor(*, investor_id: int, as_of: dt.datetime | None = None) -> list[Signal]:
    as_of = as_of or timezone.now()
    policy = current_policy()
    with transaction.atomic():
        get_user_model().objects.select_for_update(no_key=True).get(pk=investor_id)
        facts = selectors.investor_facts(investor_id=investor_id, as_of=as_of)
        findings = [finding for rule in INVESTOR_RULES.values() for finding in rule(facts, policy)]
        return _record([(finding, as_of, None) for finding in findings])


def sweep(*, as_of: dt.datetime | None = None) -> int:
    """The periodic job: screen every company whose conclusions time alone can change. Returns how many companies."""
    unreadable = project_selectors.unreadable_offering_ids()
    if unreadable:
        logger.error("Risk sweep skips offerings whose dates cannot be read: %s", unreadable)
    issuer_ids = list(selectors.issuers_to_sweep().values_list("pk", flat=True))
    for issuer_id in issuer_ids:
        # One company whose rows cannot be read must not stop the screening of every other one.
        try:
            screen_issuer(issuer_id=issuer_id, as_of=as_of)
        except DatabaseError:
            logger.exception("Risk sweep could not screen issuer %s", issuer_id)
    return len(issuer_ids)


def _record(found: list[tuple[Finding, dt.datetime, Issuer | None]]) -> list[Signal]:
    """Signals, cases and case events for the findings (each with its moment and company) not raised before: the
    rows recording them one by one in this order would write, in a few bulk statements however many there are."""
    if not found:
        return []
    known = set(
        Signal.objects.filter(fingerprint__in={finding.fingerprint for finding, _at, _issuer in found}).values_list(
            "subject_type", "subject_id", "fingerprint"
        )
    )
    new = []
    for finding, at, issuer in found:
        key = (finding.subject.type, finding.subject.id, finding.fingerprint)
        if key not in known:
            known.add(key)
            new.append((finding, at, issuer))
    if not new:
        return []
    ids_by_type: dict[str, set[int]] = {}
    for finding, _at, _issuer in new:
        ids_by_type.setdefault(finding.subject.type, set()).add(finding.subject.id)
    of_subjects = Q()
    for subject_type, subject_ids in ids_by_type.items():
        of_subjects |= Q(subject_type=subject_type, subject_id__in=subject_ids)
    cases = {
        (case.subject_type, case.subject_id): case
        for case in Case.objects.select_for_update(no_key=True).filter(of_subjects, status=CaseStatus.OPEN)
    }
    opened_by: dict[int, Case] = {}  # the finding that opens a case: id(finding) → case
    for finding, at, issuer in new:
        subject = finding.subject
        if (subject.type, subject.id) not in cases:
            cases[subject.type, subject.id] = opened_by[id(finding)] = Case(
                subject_type=subject.type,
                subject_id=subject.id,
                issuer=issuer,
                offering_id=subject.id if subject.type == SubjectType.OFFERING else None,
                investor_id=subject.id if subject.type == SubjectType.INVESTOR else None,
                severity=finding.severity,
                severity_rank=SEVERITY_RANK[finding.severity],
                opened_at=at,
            )
    Case.objects.bulk_create(opened_by.values())
    signals = Signal.objects.bulk_create(
        Signal(
            case=cases[finding.subject.type, finding.subject.id],
            subject_type=finding.subject.type,
            subject_id=finding.subject.id,
            rule=finding.rule,
            severity=finding.severity,
            score=finding.score,
            evidence=finding.evidence,
            fingerprint=finding.fingerprint,
            created_at=at,
        )
        for finding, at, _issuer in new
    )
    events, raised_cases = [], {}
    for (finding, at, _issuer), signal in zip(new, signals, strict=True):
        case = signal.case
        if id(finding) in opened_by:
            events.append(CaseEvent(case=case, at=at, action="opened"))
        detail = {"signal": signal.pk, "rule": signal.rule, "severity": signal.severity}
        events.append(CaseEvent(case=case, at=at, action="signal_raised", detail=detail))
        if SEVERITY_RANK[finding.severity] > case.severity_rank:
            events.append(
                CaseEvent(
                    case=case, at=at, action="severity_raised", detail={"from": case.severity, "to": finding.severity}
                )
            )
            case.severity, case.severity_rank = finding.severity, SEVERITY_RANK[finding.severity]
            raised_cases[case.pk] = case
    CaseEvent.objects.bulk_create(events)
    Case.objects.bulk_update(raised_cases.values(), ["severity", "severity_rank"])
    return signals


def holds_apply(
    *, issuer_ids: list[int], at: dt.datetime | dict[int, dt.datetime] | None = None, resolved: Case | None = None
) -> None:
    """Bring every offering of these companies in line with their open cases: a critical case on the offering or the
    company holds the money; a high case on the offering itself holds its approval (the contract's rule: findings
    about the company alone, such as its figures, are for staff to weigh while reviewing). Lifting works the same way
    once the cases are resolved. The change is recorded, at `at` (one moment, or one per company), on the open cases
    that placed the hold, or on the `resolved` case whose resolution lifted it."""
    now = timezone.now()
    offerings = list(
        Offering.objects.filter(project_selectors.readable_offering(), issuer_id__in=issuer_ids)
        .exclude(status__in=NOTHING_TO_HOLD_STATUSES)
        .order_by("issuer_id", "pk")
    )
    open_cases = list(selectors.open_cases_for_offerings(offerings))
    for offering in offerings:
        cases = [
            case
            for case in open_cases
            if (case.subject_type, case.subject_id)
            in ((SubjectType.OFFERING, offering.pk), (SubjectType.ISSUER, offering.issuer_id))
        ]
        hold = highest(case.severity for case in cases) == Severity.CRITICAL
        own_worst = highest(case.severity for case in cases if case.subject_type == SubjectType.OFFERING)
        block_approval = own_worst in (Severity.HIGH, Severity.CRITICAL)
        if offering.risk_hold != hold:
            project_services.offering_risk_hold_set(
                offering_id=offering.pk,
                hold=hold,
                reason=_("Risk review: critical case open.") if hold else _("Risk review: cases resolved."),
            )
            moment = (at.get(offering.issuer_id) if isinstance(at, dict) else at) or now
            for case in [resolved] if resolved else cases:
                CaseEvent.objects.create(
                    case=case,
                    at=moment,
                    action="hold_placed" if hold else "hold_lifted",
                    detail={"offering": offering.pk},
                )
        if offering.approval_hold != block_approval:
            project_services.offering_approval_hold_set(offering_id=offering.pk, hold=block_approval)


def case_resolve(*, case: Case, by, outcome: str, note: str) -> Case:
    """Staff close a case: `cleared` (no risk after review) or `action_taken` (the finding is confirmed; investors of
    the offerings concerned are told). Holds the case caused are lifted if no other open case keeps them."""
    ensure_permission(by, RESOLVE_CASE)
    if selectors.has_interest_in_case(case, by):
        raise PermissionRefused(
            _("You own or are an insider of what this case is about; another analyst must resolve it."),
            details={"conflict": "interest_in_subject"},
        )
    errors = FieldErrors()
    if outcome not in Outcome.values:
        errors.add("outcome", _("Choose cleared or action_taken."))
    if not (note or "").strip():
        errors.add("note", _("Explain the decision."))
    errors.raise_if_any()

    with transaction.atomic():
        case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise InvalidTransition(_("This case is already resolved."))
        now = timezone.now()
        case.resolve()
        case.outcome = outcome
        case.resolution_note = note.strip()
        case.resolved_by = by
        case.resolved_at = now
        case.save()
        CaseEvent.objects.create(
            case=case, at=now, by=by, action="resolved", note=case.resolution_note, detail={"outcome": outcome}
        )
        audit_record(
            actor=by,
            action="risk_case_resolved",
            subject=case,
            details={"outcome": outcome, "note": case.resolution_note},
        )
        if case.issuer_id:
            holds_apply(issuer_ids=[case.issuer_id], at=now, resolved=case)
        if outcome == Outcome.ACTION_TAKEN and case.severity_rank >= SEVERITY_RANK[Severity.HIGH] and case.issuer_id:
            notifications.material_finding_emails(case_id=case.pk)
    return case


def case_offerings_cancel(*, case: Case, by, reason: str) -> list[Offering]:
    """Staff cancel every offering a case can stop and refund every investor in it: all of them, or (when one is
    refused) none. The refunds go to Stripe after commit."""
    ensure_permission(by, CANCEL_OFFERING)
    with transaction.atomic():
        audit_record(actor=by, action="risk_offerings_cancelled", subject=case, details={"reason": reason})
        return [
            settlement.offering_cancel_with_refunds(offering=offering, by=by, reason=reason)
            for offering in selectors.offerings_concerned(case).order_by("pk")
        ]
