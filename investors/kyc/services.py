"""Every write to an investor's identity, suitability and qualification."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from audit.services import audit_record
from investors.kyc import identity_numbers, questionnaire
from investors.kyc.identity import Verdict, identity_provider
from investors.models import KycDecision, KycProfile, KycStatus, RiskAcknowledgement, SuitabilityAssessment
from kernel import events
from kernel.errors import FieldErrors, InvalidTransition, PermissionRefused, field_error
from kernel.money import parse_money
from kernel.permissions import REVIEW_KYC, VIEW_IDENTITY_NUMBER, ensure_permission
from outbox import services as outbox
from projects.regimes import Regime, current_regime, regime_for
from projects.validation import check_single_line

ADULT_AGE = 18
MOBILE_NUMBER = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _clean_identity_number(id_number: str, date_of_birth: dt.date | None, errors: FieldErrors) -> str | None:
    try:
        number = ric.validate(id_number or "")
    except stdnum_errors.InvalidChecksum:
        errors.add("id_number", _("The check digit of this identity number is wrong."))
        return None
    except stdnum_errors.InvalidComponent:
        errors.add("id_number", _("The birth date or region in this identity number is not valid."))
        return None
    except stdnum_errors.ValidationError:
        errors.add("id_number", _("An identity number has 18 characters: 17 digits and a digit or X."))
        return None
    born = ric.get_birth_date(number)
    if date_of_birth is not None and date_of_birth != born:
        errors.add("date_of_birth", _("The date of birth does not match the identity number."))
    elif _age_on(born, timezone.localdate()) < ADULT_AGE:
        errors.add("date_of_birth", _("Investors must be at least 18 years old."))
    return number


def _record_kyc_change(kyc: KycProfile, from_status: str, *, by, reason: str) -> None:
    now = timezone.now()
    kyc.save()
    KycDecision.objects.create(kyc=kyc, from_status=from_status, to_status=kyc.status, by=by, at=now, reason=reason)


def kyc_submit(
    *,
    user,
    real_name: str,
    id_number: str,
    date_of_birth: dt.date | None,
    phone: str,
    annual_income: Decimal | str,
    financial_assets: Decimal | str,
    net_worth: Decimal | str | None = None,
    accredited_investor: bool = False,
) -> KycProfile:
    """Store a KYC submission as pending and ask the identity provider to check it once the write is committed.

    Net worth and accredited status are optional: regimes with an investment limit (us_reg_cf) read them, and count
    a missing net worth as zero."""
    if not user.is_investor:
        raise PermissionRefused(_("Only investor accounts go through KYC."))
    errors = FieldErrors()
    real_name = (real_name or "").strip()
    if not real_name:
        errors.add("real_name", _("This field is required."))
    check_single_line(real_name, "real_name", errors, max_length=KycProfile._meta.get_field("real_name").max_length)
    if date_of_birth is None:
        errors.add("date_of_birth", _("This field is required."))
    number = _clean_identity_number(id_number, date_of_birth, errors)
    phone = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE_NUMBER.match(phone):
        errors.add("phone", _("Enter a mainland China mobile number, such as 13800138000."))
    income = parse_money(annual_income, "annual_income", errors, positive=False)
    assets = parse_money(financial_assets, "financial_assets", errors, positive=False)
    worth = None if net_worth in (None, "") else parse_money(net_worth, "net_worth", errors, positive=False)
    if not isinstance(accredited_investor, bool):
        errors.add("accredited_investor", _("Answer true or false."))
    for field, amount in (("annual_income", income), ("financial_assets", assets), ("net_worth", worth)):
        if amount is not None and amount < 0:
            errors.add(field, _("The amount cannot be negative."))
    errors.raise_if_any()
    assert number is not None  # a missing or invalid identity number was refused above

    values: dict[str, Any] = {
        "real_name": real_name,
        "id_number_encrypted": identity_numbers.encrypt(number),
        "id_number_hash": identity_numbers.lookup_hash(number),
        "id_number_masked": identity_numbers.mask(number),
        "date_of_birth": date_of_birth,
        "phone": phone,
        "annual_income": income,
        "financial_assets": assets,
        "net_worth": worth,
        "accredited_investor": accredited_investor is True,
        # Figures are in the currency of the regime the platform runs under when they are given.
        "currency": current_regime().currency,
        "submitted_at": timezone.now(),
        "review_reason": "",
        "decision_reason": "",
        "decided_by": None,
        "decided_at": None,
        "qualified": False,
        "qualification_regime": "",
        "qualification_evidence": {},
    }
    with transaction.atomic():
        kyc = KycProfile.objects.select_for_update(no_key=True).filter(user=user).first()
        if kyc is None:
            kyc = KycProfile.objects.create(user=user, **values)
            KycDecision.objects.create(
                kyc=kyc, from_status="", to_status=kyc.status, by=user, at=kyc.submitted_at, reason="submitted"
            )
        else:
            from_status = kyc.status
            for field, value in values.items():
                setattr(kyc, field, value)
            kyc.resubmit()
            _record_kyc_change(kyc, from_status, by=user, reason="resubmitted")
        kyc_id = kyc.pk
        outbox.task_send_on_commit(task="investors.check_identity", args=[kyc_id])
        events.announce("kyc_submitted", investor_id=user.pk)
    return kyc


def kyc_check_identity(*, kyc_id: int) -> KycProfile | None:
    """The identity provider's check of a pending submission. Running it again changes nothing."""
    with transaction.atomic():
        kyc = KycProfile.objects.select_for_update(no_key=True).filter(pk=kyc_id).first()
        if kyc is None or kyc.status != KycStatus.PENDING or kyc.review_reason:
            return kyc
        # Pending and verified elsewhere are held alike: a submitter who saw a difference would learn whether the
        # number is verified on another account. Only staff read the reason.
        duplicate = (
            KycProfile.objects.filter(
                id_number_hash=kyc.id_number_hash, status__in=[KycStatus.PENDING, KycStatus.VERIFIED]
            )
            .exclude(pk=kyc.pk)
            .select_related("user")
            .first()
        )
        if duplicate is not None:
            kyc.review_reason = _("This identity number is also on account %(username)s (%(status)s).") % {
                "username": duplicate.user.username,
                "status": duplicate.get_status_display(),
            }
            kyc.save(update_fields=["review_reason"])
        else:
            _provider_check(kyc)
        # Whatever the outcome (held as a duplicate, left for staff, verified or rejected), the risk review screens
        # the investor again with it.
        events.announce("kyc_checked", investor_id=kyc.user_id)
        return kyc


def _provider_check(kyc: KycProfile) -> None:
    check = identity_provider().check(
        real_name=kyc.real_name,
        id_number=identity_numbers.decrypt(kyc.id_number_encrypted),
        date_of_birth=kyc.date_of_birth,
    )
    if check.verdict == Verdict.NEEDS_REVIEW:
        kyc.review_reason = check.reason or _("The identity provider asked for a manual review.")
        kyc.save(update_fields=["review_reason"])
        return
    _decide(kyc, approve=check.verdict == Verdict.VERIFIED, by=None, reason=check.reason)


def _decide(kyc: KycProfile, *, approve: bool, by, reason: str) -> None:
    from_status = kyc.status
    transition = kyc.verify if approve else kyc.reject
    if not can_proceed(transition):
        raise InvalidTransition(
            _("This KYC submission is %(status)s, not pending.") % {"status": kyc.get_status_display()}
        )
    transition()
    kyc.decided_by = by
    kyc.decided_at = timezone.now()
    kyc.decision_reason = reason
    if approve:
        _assess_qualification(kyc, current_regime())
    _record_kyc_change(kyc, from_status, by=by, reason=reason)


def _assess_qualification(kyc: KycProfile, regime: Regime) -> None:
    rule = regime.qualification
    kyc.qualification_regime = regime.code
    if rule is None:
        # The regime has no qualified-investor test; its investment limit reads the figures at each subscription.
        kyc.qualified = False
        kyc.qualification_evidence = {"not_applicable": True, "assessed_at": timezone.now().isoformat()}
        return
    by_assets = kyc.financial_assets >= rule.financial_assets
    by_income = kyc.annual_income >= rule.average_income
    kyc.qualified = rule.is_met(financial_assets=kyc.financial_assets, average_income=kyc.annual_income)
    kyc.qualification_evidence = {
        "currency": regime.currency,
        "financial_assets": str(kyc.financial_assets),
        "financial_assets_threshold": str(rule.financial_assets),
        "average_annual_income": str(kyc.annual_income),
        "average_annual_income_threshold": str(rule.average_income),
        "met_by": [name for name, met in (("financial_assets", by_assets), ("income", by_income)) if met],
        "assessed_at": timezone.now().isoformat(),
    }


def kyc_review(*, kyc: KycProfile, by, approve: bool, reason: str = "") -> KycProfile:
    """A staff decision on a pending submission, never on one's own."""
    ensure_permission(by, REVIEW_KYC)
    if kyc.user_id == by.pk:
        raise PermissionRefused(_("Staff cannot decide their own KYC submission."), details={"conflict": "own_kyc"})
    if not approve and not (reason or "").strip():
        raise field_error("reason", _("Give the investor a reason."))
    with transaction.atomic():
        kyc = KycProfile.objects.select_for_update(no_key=True).get(pk=kyc.pk)
        _decide(kyc, approve=approve, by=by, reason=(reason or "").strip() or "approved by staff")
        audit_record(actor=by, action=f"kyc_{kyc.status}", subject=kyc, details={"reason": kyc.decision_reason})
    return kyc


def identity_number_reveal(*, kyc: KycProfile, by) -> str:
    """The full identity number, for staff holding the identity permission; every look is audited."""
    ensure_permission(by, VIEW_IDENTITY_NUMBER)
    audit_record(actor=by, action="identity_number_viewed", subject=kyc)
    return identity_numbers.decrypt(kyc.id_number_encrypted)


def suitability_submit(*, user, answers: dict) -> SuitabilityAssessment:
    if not user.is_investor:
        raise PermissionRefused(_("Only investor accounts take the suitability questionnaire."))
    if not isinstance(answers, dict):
        raise field_error("answers", _("Give one option id for each question id."))
    errors = FieldErrors()
    score = 0
    for question in questionnaire.QUESTIONS:
        chosen = answers.get(question.id)
        option = next((o for o in question.options if o.id == chosen), None)
        if option is None:
            errors.add(f"answers.{question.id}", _("Choose one of the options."))
        else:
            score += option.points
    known = {q.id for q in questionnaire.QUESTIONS}
    for unknown in sorted(set(answers) - known):
        errors.add(f"answers.{unknown}", _("There is no such question."))
    errors.raise_if_any()
    return SuitabilityAssessment.objects.create(
        user=user,
        version=questionnaire.VERSION,
        answers={q.id: answers[q.id] for q in questionnaire.QUESTIONS},
        score=score,
        risk_level=questionnaire.level_for(score),
        taken_at=timezone.now(),
    )


def risk_acknowledgement_sign(
    *, investor, regime_code: str, version: str, accepted: bool, client_ip: str | None = None
) -> RiskAcknowledgement:
    """The investor signs the regime's current risk statement. Signing the same version again returns the first
    signature; an outdated version is refused, so that nobody signs a text they were not shown."""
    regime = risk_signature_check(investor=investor, regime_code=regime_code, version=version, accepted=accepted)
    signature, _created = RiskAcknowledgement.objects.get_or_create(
        investor=investor,
        regime=regime.code,
        version=version,
        defaults={"text": str(regime.risk_statement.text), "signed_at": timezone.now(), "client_ip": client_ip},
    )
    return signature


def risk_signature_check(*, investor, regime_code: str, version: str, accepted: bool) -> Regime:
    """Refuses a signature that `risk_acknowledgement_sign` would refuse, without recording anything: a subscription
    that carries the signature checks it first and records it with itself."""
    if not investor.is_investor:
        raise PermissionRefused(_("Only investor accounts sign the risk statement."))
    errors = FieldErrors()
    regime = _known_regime(regime_code, errors)
    if regime is not None and version != regime.risk_statement.version:
        errors.add(
            "version",
            _("The current statement is version %(current)s; read it again and sign that one.")
            % {"current": regime.risk_statement.version},
        )
    if accepted is not True:
        errors.add("accepted", _("Tick the box to confirm that you have read and accept the risks."))
    errors.raise_if_any()
    assert regime is not None  # an unknown regime was refused above
    return regime


def _known_regime(code: str, errors: FieldErrors) -> Regime | None:
    try:
        return regime_for(code)
    except KeyError:
        errors.add("regime", _("There is no regime %(code)s.") % {"code": code})
        return None
