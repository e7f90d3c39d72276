"""The issuer's guided flow: steps from the company to a submitted offering with a progress indicator, and what is
missing listed beforehand — what blocks submission being exactly what the submit service refuses."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import IssuerUserFactory
from kernel.errors import DomainError
from projects import documents, services
from projects.guide import submission_guide
from projects.models import DocumentKind, Offering, OfferingStatus, StatementKind
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory, pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def issuer():
    return IssuerFactory(owner=IssuerUserFactory())


def guide_url(issuer, offering=None) -> str:
    url = reverse("projects:issuer_guide", args=[issuer.pk])
    return f"{url}?offering={offering.pk}" if offering else url


def complete_draft(issuer) -> Offering:
    FinancialStatementFactory(issuer=issuer, kind=StatementKind.HISTORICAL, fiscal_year=2024)
    FinancialStatementFactory(issuer=issuer, kind=StatementKind.PROJECTION, fiscal_year=2026)
    offering = OfferingFactory(issuer=issuer)
    for kind in (DocumentKind.BUSINESS_PLAN, DocumentKind.AUDIT_REPORT):
        documents.document_upload(
            offering=offering, by=issuer.owner, kind=kind, title=kind.label,
            file=SimpleUploadedFile("doc.pdf", pdf_bytes(), "application/pdf"),
        )  # fmt: skip
    return offering


def test_a_new_company_is_at_step_one_of_five_with_the_draft_to_create(client, issuer):
    client.force_login(issuer.owner)

    response = client.get(guide_url(issuer))

    assertContains(response, "1 of 5 steps done")
    assertContains(response, '<progress value="1" max="5"')
    assertContains(response, "File the full-year projection investors will compare the results with.")
    assertContains(response, reverse("projects:offering_create", args=[issuer.pk]))
    assertContains(response, 'aria-current="step"')
    assertNotContains(response, "Submit for review</button>")


def test_a_complete_draft_has_nothing_required_missing_and_is_submitted_from_the_guide(client, issuer):
    offering = complete_draft(issuer)
    client.force_login(issuer.owner)

    response = client.get(guide_url(issuer))

    assertContains(response, "4 of 5 steps done")
    assertContains(response, "Nothing required is missing.")
    assertNotContains(response, "Required</strong>")
    client.post(reverse("projects:offering_submit", args=[offering.pk]))
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW
    assertContains(client.get(guide_url(issuer, offering)), "5 of 5 steps done")


def test_what_blocks_submission_is_listed_as_the_submit_service_refuses_it(client, issuer):
    offering = complete_draft(issuer)
    past = timezone.now() - dt.timedelta(days=1)
    Offering.objects.filter(pk=offering.pk).update(opens_at=past - dt.timedelta(days=30), closes_at=past)
    offering.refresh_from_db()

    with pytest.raises(DomainError) as refusal:
        services.offering_submit(offering=offering, by=issuer.owner)
    guide = submission_guide(issuer=issuer, offering=offering)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.DRAFT
    [blocker] = guide.blockers
    assert blocker.text == refusal.value.fields["closes_at"][0]
    assert blocker.url == reverse("projects:offering_edit", args=[offering.pk])
    client.force_login(issuer.owner)
    page = client.get(guide_url(issuer))
    assertContains(page, "The closing time has already passed; edit the dates first.")
    assertContains(page, "submitting now would be refused")


def test_recommended_items_do_not_block_submission(issuer):
    offering = OfferingFactory(issuer=issuer)

    guide = submission_guide(issuer=issuer, offering=offering)

    assert guide.blockers == []
    assert [item.text for item in guide.steps[3].missing] == [
        "Upload the business plan.", "Upload the latest audit report.",
    ]  # fmt: skip
    assert services.offering_submit(offering=offering, by=issuer.owner).status == OfferingStatus.IN_REVIEW


def test_only_the_companys_account_opens_its_guide(client, issuer):
    offering = OfferingFactory(issuer=issuer)
    client.force_login(IssuerUserFactory())

    assert client.get(guide_url(issuer)).status_code == 404
    client.force_login(issuer.owner)
    someone_elses = OfferingFactory()
    assert client.get(f"{guide_url(issuer)}?offering={someone_elses.pk}").status_code == 404
    assert client.get(guide_url(issuer, offering)).status_code == 200
