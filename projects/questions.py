"""Public questions and answers on an offering: investors ask, the company's manager answers once, staff hide abuse.
The writes (`question_*`) and the read the page and the API share."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import InvalidTransition, PermissionRefused
from kernel.permissions import REVIEW_OFFERING, ensure_permission, holds_permission
from projects.models import PUBLIC_STATUSES, Offering, OfferingQuestion
from projects.selectors import offerings_visible_to
from projects.services import ensure_manages_issuer
from projects.validation import Errors, check_free_text


def _required_free_text(value: str, field: str) -> str:
    errors = Errors()
    if not (value or "").strip():
        errors.add(field, _("This field is required."))
    check_free_text(value, field, errors)
    errors.raise_if_any()
    return value.strip()


def question_ask(*, offering: Offering, by, text: str) -> OfferingQuestion:
    if not (by.is_authenticated and by.is_investor):
        raise PermissionRefused(_("Only signed-in investors can ask questions."))
    text = _required_free_text(text, "text")
    if offering.status not in PUBLIC_STATUSES:
        raise InvalidTransition(_("Questions can be asked once the offering is published."))
    return OfferingQuestion.objects.create(offering=offering, asked_by=by, text=text, asked_at=timezone.now())


def question_answer(*, question: OfferingQuestion, by, text: str) -> OfferingQuestion:
    """The company's one public answer; a hidden question is not answered."""
    ensure_manages_issuer(by, question.offering.issuer)
    text = _required_free_text(text, "text")
    with transaction.atomic():
        question = OfferingQuestion.objects.select_for_update(no_key=True).get(pk=question.pk)
        if question.hidden:
            raise InvalidTransition(_("This question was hidden by staff."), details={"hidden": True})
        if question.answered_at is not None:
            raise InvalidTransition(_("This question is already answered."), details={"answered": True})
        question.answer, question.answered_by, question.answered_at = text, by, timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question


def question_hide(*, question: OfferingQuestion, by, reason: str = "") -> OfferingQuestion:
    """Staff take an abusive question (and its answer) out of every public list; hiding again changes nothing."""
    # Moderating an offering's public page is the offering reviewers' work.
    ensure_permission(by, REVIEW_OFFERING)
    errors = Errors()
    check_free_text(reason, "reason", errors)
    errors.raise_if_any()
    with transaction.atomic():
        question = OfferingQuestion.objects.select_for_update(no_key=True).get(pk=question.pk)
        if not question.hidden:
            question.hidden_at, question.hidden_by, question.hidden_reason = timezone.now(), by, reason.strip()
            question.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return question


def questions_of(offering: Offering) -> QuerySet[OfferingQuestion]:
    """An offering's public questions, newest first, with who asked and who answered."""
    return offering.questions.filter(hidden_at__isnull=True).select_related("asked_by", "answered_by")


def questions_visible_to(user) -> QuerySet[OfferingQuestion]:
    """Questions the API may find by id: public ones on offerings the user may see (hidden ones too, for the offering
    reviewers who hide them)."""
    questions = OfferingQuestion.objects.filter(offering__in=offerings_visible_to(user)).select_related(
        "offering__issuer"
    )
    return questions if holds_permission(user, REVIEW_OFFERING) else questions.filter(hidden_at__isnull=True)
