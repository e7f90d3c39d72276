"""Public offering pages, and the issuer's pages for its companies and their offerings."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from accounts.web import investor_required, issuer_required
from kernel.web import perform, posted, submit_form
from projects import documents, guide, page_cache, questions, selectors, services
from projects.forms import (
    AnswerForm,
    CancelForm,
    DocumentForm,
    IssuerForm,
    OfferingFilterForm,
    OfferingForm,
    QuestionForm,
    StatementForm,
    UpdateForm,
)
from projects.models import (
    TAKES_UPDATES_STATUSES,
    TERMS_CHANGEABLE_STATUSES,
    Issuer,
    Offering,
    OfferingStatus,
    StatementPeriod,
)

OFFERINGS_PER_PAGE = 20
OFFERINGS_ON_HOME_PAGE = 3
UPDATES_PER_PAGE = 10
QUESTIONS_PER_PAGE = 10


def home(request):
    offerings = selectors.offerings_search(user=request.user, status=OfferingStatus.LIVE)[:OFFERINGS_ON_HOME_PAGE]
    return render(request, "home.html", {"offerings": offerings})


# Public pages ------------------------------------------------------------------------------------------------------


@page_cache.cached_for_anonymous
def offering_list(request):
    filters = OfferingFilterForm(request.GET)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    offerings = selectors.offerings_search(user=request.user, **criteria)
    page = Paginator(offerings, OFFERINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/offering_list.html", {"filters": filters, "page": page})


@page_cache.cached_for_anonymous
def offering_detail(request, pk: int):
    offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=pk)
    return _offering_page(request, offering)


def _offering_page(
    request,
    offering: Offering,
    *,
    question_form: QuestionForm | None = None,
    answer_form=None,
    document_form: DocumentForm | None = None,
):
    """The offering page; a refused question, answer or upload is shown again with its errors."""
    manages = (
        request.user.is_authenticated and selectors.offerings_managed_by(request.user).filter(pk=offering.pk).exists()
    )
    asked = Paginator(questions.questions_of(offering), QUESTIONS_PER_PAGE).get_page(request.GET.get("questions_page"))
    if manages:
        for question in asked.object_list:
            refused_here = answer_form is not None and answer_form.question_id == question.pk
            question.answer_form = answer_form if refused_here else AnswerForm(auto_id=f"id_answer_{question.pk}_%s")
    return render(
        request,
        "projects/offering_detail.html",
        {
            "offering": offering,
            "updates": Paginator(selectors.updates_of(offering), UPDATES_PER_PAGE).get_page(
                request.GET.get("updates_page")
            ),
            "actions": _issuer_actions(offering) if manages else None,
            **_overdue_reports_by_period(selectors.overdue_report_duties(issuer_ids=[offering.issuer_id])),
            "days_left": selectors.offering_days_left(offering),
            "financials": selectors.offering_financials(offering),
            "questions": asked,
            "question_form": question_form or QuestionForm(),
            "documents": documents.documents_of(offering),
            "document_form": (document_form or DocumentForm()) if manages else None,
            "manages": manages,
        },
    )


def _overdue_reports_by_period(overdue: list) -> dict[str, list]:
    """Overdue annual reports and overdue half-year reports have badges of their own."""
    return {
        "overdue_reports": [duty for duty in overdue if duty.period == StatementPeriod.FY],
        "overdue_interim_reports": [duty for duty in overdue if duty.period == StatementPeriod.H1],
    }


@investor_required
@require_POST
def question_ask(request, pk: int):
    offering = get_object_or_404(selectors.offerings_visible_to(request.user), pk=pk)
    form = QuestionForm(request.POST)
    return _publish_on_page(
        request,
        offering,
        form,
        lambda: questions.question_ask(offering=offering, by=request.user, text=form.cleaned_data["text"]),
        success=_("Your question is published."),
        question_form=form,
    )


@issuer_required
@require_POST
def question_answer(request, pk: int):
    question = get_object_or_404(questions.questions_visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST, auto_id=f"id_answer_{question.pk}_%s")
    form.question_id = question.pk
    return _publish_on_page(
        request,
        question.offering,
        form,
        lambda: questions.question_answer(question=question, by=request.user, text=form.cleaned_data["text"]),
        success=_("Your answer is published."),
        answer_form=form,
    )


@issuer_required
@require_POST
def document_upload(request, pk: int):
    offering = get_object_or_404(selectors.offerings_managed_by(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    return _publish_on_page(
        request,
        offering,
        form,
        lambda: documents.document_upload(offering=offering, by=request.user, **form.cleaned_data),
        success=_("The document is in the data room."),
        anchor="documents",
        document_form=form,
    )


@login_required
def document_download(request, pk: int):
    """A data-room PDF, to signed-in users who may see its offering, always as a download (never shown inline)."""
    return documents.document_attachment(get_object_or_404(documents.documents_visible_to(request.user), pk=pk))


def _publish_on_page(
    request, offering: Offering, form, call, *, success: str, anchor: str = "questions", **refused_form
):
    """A question, answer or document posted from the offering page: back to its section, or the page again with
    the refused form and its errors."""
    if submit_form(request, form, call, success=success) is None:
        return _offering_page(request, offering, **refused_form)
    return redirect(reverse("projects:offering_detail", args=[offering.pk]) + f"#{anchor}")


def _issuer_actions(offering: Offering) -> dict[str, bool]:
    """Which of the issuer's buttons the offering's status offers. The services check again when one is pressed."""
    return {
        "edit": offering.status == OfferingStatus.DRAFT or can_proceed(offering.revise),
        "submit": can_proceed(offering.submit),
        "post_update": offering.status in TAKES_UPDATES_STATUSES,
        "cancel": can_proceed(offering.cancel),
    }


# Issuer pages: only the company's owner finds them; anyone else gets 404 -----------------------------------------


def _managed_issuer(request, pk: int) -> Issuer:
    return get_object_or_404(selectors.issuers_managed_by(request.user), pk=pk)


def _managed_offering(request, pk: int) -> Offering:
    return get_object_or_404(selectors.offerings_managed_by(request.user), pk=pk)


@issuer_required
def issuer_list(request):
    issuers = selectors.issuers_managed_by(request.user)
    return render(
        request,
        "projects/issuer_list.html",
        {
            "issuers": issuers,
            "overdue_issuer_ids": selectors.issuers_with_overdue_reports(
                issuer_ids=[issuer.pk for issuer in issuers], period=StatementPeriod.FY
            ),
        },
    )


@issuer_required
def issuer_create(request):
    form = IssuerForm(posted(request))
    issuer = submit_form(
        request,
        form,
        lambda: services.issuer_create(owner=request.user, **form.cleaned_data),
        success=_("The company is registered."),
    )
    if issuer is not None:
        return redirect("projects:issuer_detail", pk=issuer.pk)
    return render(request, "projects/issuer_form.html", {"form": form})


@issuer_required
def issuer_detail(request, pk: int):
    """The company's page, where its financial statements are also filed."""
    issuer = _managed_issuer(request, pk)
    form = StatementForm(posted(request))
    statement = submit_form(
        request,
        form,
        lambda: services.financial_statement_file(issuer=issuer, by=request.user, **form.cleaned_data),
        success=_("The statement is filed."),
    )
    if statement is not None:
        return redirect("projects:issuer_detail", pk=issuer.pk)
    duties = selectors.report_duties(issuer_ids=[issuer.pk])
    return render(
        request,
        "projects/issuer_detail.html",
        {
            "issuer": issuer,
            "statements": selectors.statements_of(issuer),
            "form": form,
            "report_duties": duties,
            "annual_report_due_days": selectors.report_deadlines(StatementPeriod.FY)[1],
            "interim_report_due_days": selectors.report_deadlines(StatementPeriod.H1)[1],
            **_overdue_reports_by_period([duty for duty in duties if duty.overdue]),
        },
    )


@issuer_required
def issuer_guide(request, pk: int):
    """The guided flow: the steps from the company to a submitted offering, and what is missing for each."""
    issuer = _managed_issuer(request, pk)
    asked = request.GET.get("offering", "")
    offering = guide.guided_offering(issuer, int(asked) if asked.isdigit() else None)
    if asked and offering is None:
        raise Http404
    return render(
        request,
        "projects/guide.html",
        {
            "guide": guide.submission_guide(issuer=issuer, offering=offering),
            "can_submit": offering is not None and can_proceed(offering.submit),
        },
    )


@issuer_required
def offering_create(request, pk: int):
    issuer = _managed_issuer(request, pk)
    return _offering_editor(
        request,
        issuer=issuer,
        form=OfferingForm(posted(request)),
        save=lambda terms: services.offering_create(issuer=issuer, by=request.user, **terms),
    )


@issuer_required
def offering_edit(request, pk: int):
    offering = _managed_offering(request, pk)
    return _offering_editor(
        request,
        issuer=offering.issuer,
        form=OfferingForm(posted(request), offering=offering),
        save=lambda terms: services.offering_edit_draft(offering=offering, by=request.user, **terms),
        offering=offering,
    )


def _offering_editor(request, *, issuer: Issuer, form: OfferingForm, save, offering: Offering | None = None):
    saved = submit_form(
        request, form, lambda: save(form.terms()), success=_("The draft is saved."), parts=form.formsets
    )
    if saved is not None:
        return redirect("projects:offering_detail", pk=saved.pk)
    return render(request, "projects/offering_form.html", {"issuer": issuer, "offering": offering, "form": form})


@issuer_required
@require_POST
def offering_submit(request, pk: int):
    offering = _managed_offering(request, pk)
    perform(
        request,
        lambda: services.offering_submit(offering=offering, by=request.user),
        success=_("The offering is submitted for review."),
    )
    return redirect("projects:offering_detail", pk=pk)


@issuer_required
def offering_update_post(request, pk: int):
    offering = _managed_offering(request, pk)
    form = UpdateForm(posted(request))
    update = submit_form(
        request,
        form,
        lambda: services.offering_update_post(offering=offering, by=request.user, **form.update()),
        success=_("The update is published."),
        # The service names a changed term `changes.<term>`; the form has a field for each term.
        parts={"changes": form},
    )
    if update is not None:
        return redirect("projects:offering_detail", pk=pk)
    return render(
        request,
        "projects/update_form.html",
        {"offering": offering, "form": form, "terms_can_change": offering.status in TERMS_CHANGEABLE_STATUSES},
    )


@issuer_required
def offering_cancel(request, pk: int):
    offering = _managed_offering(request, pk)
    form = CancelForm(posted(request))
    cancelled = submit_form(
        request,
        form,
        lambda: services.offering_cancel(offering=offering, by=request.user, **form.cleaned_data),
        success=_("The offering is cancelled."),
    )
    if cancelled is not None:
        return redirect("projects:offering_detail", pk=pk)
    return render(request, "projects/offering_cancel.html", {"offering": offering, "form": form})


# The investor's page of commitments issuers announced in their name ------------------------------------------------


@investor_required
def my_commitments(request):
    return render(request, "projects/my_commitments.html", {"commitments": selectors.commitments_naming(request.user)})


def _answer_commitment(request, pk: int, service, *, success: str):
    commitment = get_object_or_404(selectors.commitments_naming(request.user), pk=pk)
    perform(request, lambda: service(commitment_id=commitment.pk, by=request.user), success=success)
    return redirect("projects:my_commitments")


@investor_required
@require_POST
def commitment_accept(request, pk: int):
    return _answer_commitment(
        request, pk, services.commitment_accept, success=_("You confirmed the commitment; it is now shown.")
    )


@investor_required
@require_POST
def commitment_decline(request, pk: int):
    return _answer_commitment(
        request, pk, services.commitment_decline, success=_("You declined the commitment; it will not be shown.")
    )
