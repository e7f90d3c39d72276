"""The issuer's guided flow from a registered company to a submitted offering: the steps, how far the company has
come, and what is missing. What blocks submission is what `offering_submit` would refuse
(`services.offering_submission_refusals`): the service stays the one rule; this only lists it beforehand."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import DomainError
from projects import documents, services
from projects.models import (
    AWAITING_APPROVAL_STATUSES,
    DocumentKind,
    Issuer,
    Offering,
    OfferingStatus,
    StatementKind,
    StatementPeriod,
)

# The offerings the guide follows: being prepared, sent back, or just submitted (the flow's last step, done).


@dataclass(frozen=True)
class Missing:
    text: str
    url: str
    blocks_submission: bool  # False: investors and reviewers look for it, but the platform does not require it


@dataclass(frozen=True)
class Step:
    title: str
    url: str
    done: bool
    missing: list[Missing] = field(default_factory=list)


@dataclass(frozen=True)
class Guide:
    issuer: Issuer
    offering: Offering | None
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def current(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)

    @property
    def blockers(self) -> list[Missing]:
        return [item for step in self.steps for item in step.missing if item.blocks_submission]


def guided_offering(issuer: Issuer, offering_id: int | None = None) -> Offering | None:
    """The offering the guide follows: the one asked for, else the company's newest one in preparation."""
    offerings = issuer.offerings.filter(status__in=AWAITING_APPROVAL_STATUSES).order_by("-created_at")
    if offering_id is not None:
        return offerings.filter(pk=offering_id).first()
    return offerings.first()


def _unless(present: bool, text: str, url: str) -> list[Missing]:
    """A recommended item, listed while it is not there."""
    return [] if present else [Missing(text, url, blocks_submission=False)]


def _refusal_texts(refusal: DomainError) -> list[str]:
    return [message for messages in refusal.fields.values() for message in messages] or [refusal.message]


def submission_guide(*, issuer: Issuer, offering: Offering | None) -> Guide:
    company_url = reverse("projects:issuer_detail", args=[issuer.pk])
    filed = {(s.kind, s.period) for s in issuer.statements.only("kind", "period")}
    statements_missing = _unless(
        (StatementKind.HISTORICAL, StatementPeriod.FY) in filed,
        _("File at least one historical full-year statement (the company's record)."),
        company_url,
    ) + _unless(
        (StatementKind.PROJECTION, StatementPeriod.FY) in filed,
        _("File the full-year projection investors will compare the results with."),
        company_url,
    )
    steps = [
        Step(_("Register the company"), company_url, done=True),
        Step(_("File financial statements"), company_url, done=not statements_missing, missing=statements_missing),
    ]
    if offering is None:
        create_url = reverse("projects:offering_create", args=[issuer.pk])
        missing = [Missing(_("Create the offering's draft: terms, dates, use of funds."), create_url, True)]
        return Guide(
            issuer, None, [*steps, Step(_("Draft the offering"), create_url, done=False, missing=missing),
                           Step(_("Upload documents"), create_url, done=False),
                           Step(_("Submit for review"), create_url, done=False)],
        )  # fmt: skip
    submitted = offering.status == OfferingStatus.IN_REVIEW
    edit_url = reverse("projects:offering_edit", args=[offering.pk])
    page_url = reverse("projects:offering_detail", args=[offering.pk])
    refusals = [] if submitted else services.offering_submission_refusals(offering)
    # A refusal naming fields is settled by editing the draft; one that names none (an overdue report) elsewhere.
    terms_missing = [
        Missing(text, edit_url, True) for refusal in refusals if refusal.fields for text in _refusal_texts(refusal)
    ]
    other_blockers = [
        Missing(text, company_url, True)
        for refusal in refusals
        if not refusal.fields
        for text in _refusal_texts(refusal)
    ]
    uploaded = set(documents.documents_of(offering).values_list("kind", flat=True))
    documents_url = f"{page_url}#documents"
    documents_missing = _unless(
        DocumentKind.BUSINESS_PLAN in uploaded, _("Upload the business plan."), documents_url
    ) + _unless(DocumentKind.AUDIT_REPORT in uploaded, _("Upload the latest audit report."), documents_url)
    return Guide(
        issuer,
        offering,
        [
            *steps,
            Step(_("Draft the offering"), edit_url, done=submitted or not terms_missing, missing=terms_missing),
            Step(_("Upload documents"), documents_url, done=not documents_missing, missing=documents_missing),
            Step(_("Submit for review"), page_url, done=submitted, missing=other_blockers),
        ],
    )
