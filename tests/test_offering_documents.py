"""The data room: the company uploads PDFs judged by their content, signed-in users download them as attachments
through a view that checks access, staff withdraw one; the same rules through the page, the REST API and the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, OfferingReviewerFactory, SupportFactory
from audit.models import AuditEntry
from kernel.errors import PermissionRefused, ValidationFailed
from projects import documents
from projects.models import DocumentKind, OfferingDocument, OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory, live_offering, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    return live_offering(issuer=IssuerFactory(owner=IssuerUserFactory()))


def pdf_upload(content: bytes | None = None, name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(pages=2) if content is None else content, "application/pdf")


def upload(offering, *, content=None, by=None, title="Business plan 2027") -> OfferingDocument:
    return documents.document_upload(
        offering=offering, by=by or offering.issuer.owner, kind=DocumentKind.BUSINESS_PLAN, title=title,
        file=pdf_upload(content),
    )  # fmt: skip


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# The service -------------------------------------------------------------------------------------------------------


def test_a_real_pdf_is_stored_outside_static_files_under_a_generated_name(offering, settings):
    document = upload(offering)

    assert (document.pages, document.kind, document.uploaded_by) == (2, "business_plan", offering.issuer.owner)
    [path] = stored_files(settings)
    assert path.read_bytes().startswith(b"%PDF-")
    assert path.name != "plan.pdf" and "static" not in str(path)
    assert document.size == path.stat().st_size


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"<html><script>alert(1)</script></html>", id="html-named-pdf"),
        pytest.param(b"%PDF-1.7\n" + b"\x00garbage" * 50, id="pdf-header-then-garbage"),
        pytest.param(b"MZ\x90\x00" + pdf_bytes(), id="executable-header"),
    ],
)
def test_a_file_that_is_not_a_pdf_by_content_is_refused_and_nothing_is_stored(offering, settings, content):
    with pytest.raises(ValidationFailed) as refusal:
        upload(offering, content=content)

    assert "file" in refusal.value.fields
    assert OfferingDocument.objects.count() == 0
    assert stored_files(settings) == []


def test_a_pdf_over_the_size_limit_is_refused(offering, settings, english):
    settings.DOCUMENT_MAX_BYTES = 100

    with pytest.raises(ValidationFailed) as refusal:
        upload(offering)

    assert "largest accepted is 100" in refusal.value.fields["file"][0]
    assert OfferingDocument.objects.count() == 0
    assert stored_files(settings) == []


def test_only_the_companys_own_account_uploads(offering, settings):
    for outsider in (IssuerUserFactory(), InvestorFactory(), OfferingReviewerFactory()):
        with pytest.raises(PermissionRefused):
            upload(offering, by=outsider)

    assert OfferingDocument.objects.count() == 0
    assert stored_files(settings) == []


def test_reviewer_withdraws_a_document_with_a_reason_on_record_and_support_may_not(offering):
    document = upload(offering)

    with pytest.raises(PermissionRefused):
        documents.document_withdraw(document=document, by=SupportFactory(), reason="Looks wrong.")
    document.refresh_from_db()
    assert not document.withdrawn

    reviewer = OfferingReviewerFactory()
    documents.document_withdraw(document=document, by=reviewer, reason="Contains an investor's identity number.")

    document.refresh_from_db()
    assert (document.withdrawn_by, document.withdrawn_reason) == (reviewer, "Contains an investor's identity number.")
    assert list(documents.documents_of(offering)) == []
    entry = AuditEntry.objects.get(action="document_withdrawn")
    assert entry.subject_id == str(document.pk)


# Web ---------------------------------------------------------------------------------------------------------------


def test_issuer_uploads_on_the_offering_page_and_it_is_listed(client, offering):
    client.force_login(offering.issuer.owner)

    response = client.post(
        reverse("projects:document_upload", args=[offering.pk]),
        {"kind": "audit_report", "title": "Audit report FY2025", "file": pdf_upload()},
    )

    assert response.status_code == 302 and response["Location"].endswith("#documents")
    shown = client.get(reverse("projects:offering_detail", args=[offering.pk]))
    assertContains(shown, "Audit report FY2025")
    assertContains(shown, reverse("projects:document_download", args=[OfferingDocument.objects.get().pk]))


def test_a_refused_upload_is_shown_beside_the_field(client, offering):
    client.force_login(offering.issuer.owner)

    response = client.post(
        reverse("projects:document_upload", args=[offering.pk]),
        {"kind": "articles", "title": "Articles", "file": pdf_upload(b"just text", name="articles.pdf")},
    )

    assert response.status_code == 200
    assertContains(response, "This file is not a readable PDF document")
    assert OfferingDocument.objects.count() == 0


def test_signed_in_investor_downloads_an_attachment_that_is_never_sniffed(client, offering):
    document = upload(offering)
    client.force_login(InvestorFactory())

    response = client.get(reverse("projects:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'-{document.pk}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_anonymous_visitors_see_the_list_but_cannot_download(client, offering):
    document = upload(offering)

    shown = client.get(reverse("projects:offering_detail", args=[offering.pk]))
    assertContains(shown, "Business plan 2027")
    assertNotContains(shown, reverse("projects:document_download", args=[document.pk]))
    assertContains(shown, "Log in to download the documents.")

    response = client.get(reverse("projects:document_download", args=[document.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_withdrawn_document_or_one_of_a_draft_cannot_be_downloaded(client, offering):
    withdrawn = upload(offering)
    documents.document_withdraw(document=withdrawn, by=OfferingReviewerFactory(), reason="Wrong file.")
    draft = OfferingFactory(issuer=offering.issuer, status=OfferingStatus.DRAFT)
    of_draft = upload(draft)
    client.force_login(InvestorFactory())

    for document in (withdrawn, of_draft):
        assert client.get(reverse("projects:document_download", args=[document.pk])).status_code == 404
    assertNotContains(client.get(reverse("projects:offering_detail", args=[offering.pk])), "Business plan 2027")


# API ---------------------------------------------------------------------------------------------------------------


def test_api_lists_documents_to_signed_in_users_only(offering):
    upload(offering)
    url = f"/api/v1/offerings/{offering.pk}/documents/"

    assert APIClient().get(url).status_code == 401
    client = APIClient()
    client.force_authenticate(InvestorFactory())
    [listed] = client.get(url).json()["results"]
    assert listed["title"] == "Business plan 2027" and listed["pages"] == 2
    assert listed["download_url"] == reverse("projects:document_download", args=[listed["id"]])
    assert listed["api_download_url"] == f"/api/v1/documents/{listed['id']}/download/"


def test_api_download_is_an_attachment_for_signed_in_users_under_the_pages_rule(offering):
    document = upload(offering)
    withdrawn = upload(offering, title="Old plan")
    documents.document_withdraw(document=withdrawn, by=OfferingReviewerFactory(), reason="Wrong file.")
    of_draft = upload(OfferingFactory(issuer=offering.issuer, status=OfferingStatus.DRAFT))
    url = "/api/v1/documents/{}/download/".format
    client = APIClient()

    anonymous = client.get(url(document.pk))
    client.force_authenticate(InvestorFactory())
    downloaded = client.get(url(document.pk), HTTP_ACCEPT="application/pdf")
    refused = [client.get(url(hidden.pk)) for hidden in (withdrawn, of_draft)]

    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert b"".join(downloaded.streaming_content) == document.file.open("rb").read()
    assert [(r.status_code, r.json()["error"]["code"]) for r in refused] == [(404, "not_found")] * 2


def test_api_upload_by_the_company_and_refusals_with_their_codes(offering):
    url = f"/api/v1/offerings/{offering.pk}/documents/"
    client = APIClient()
    client.force_authenticate(offering.issuer.owner)

    created = client.post(url, {"kind": "articles", "title": "Articles", "file": pdf_upload()}, format="multipart")
    not_pdf = client.post(url, {"kind": "articles", "title": "Fake", "file": pdf_upload(b"GIF89a")}, format="multipart")
    client.force_authenticate(InvestorFactory())
    by_investor = client.post(url, {"kind": "articles", "title": "Mine", "file": pdf_upload()}, format="multipart")

    assert created.status_code == 201 and created.json()["kind"] == "articles"
    assert not_pdf.status_code == 400 and not_pdf.json()["error"]["code"] == "validation_error"
    assert "file" in not_pdf.json()["error"]["fields"]
    assert by_investor.status_code == 403 and by_investor.json()["error"]["code"] == "permission_denied"
    assert OfferingDocument.objects.count() == 1


def test_api_upload_to_a_cancelled_offering_is_refused(offering):
    offering.status = OfferingStatus.CANCELLED
    offering.save(update_fields=["status"])
    client = APIClient()
    client.force_authenticate(offering.issuer.owner)

    response = client.post(
        f"/api/v1/offerings/{offering.pk}/documents/",
        {"kind": "articles", "title": "Articles", "file": pdf_upload()},
        format="multipart",
    )

    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    assert OfferingDocument.objects.count() == 0


# Admin -------------------------------------------------------------------------------------------------------------


def test_admin_action_withdraws_through_the_service(client, offering):
    document = upload(offering)
    client.force_login(OfferingReviewerFactory())

    response = client.post(
        reverse("admin:projects_offeringdocument_changelist"),
        {"action": "withdraw_documents", "_selected_action": [document.pk], "apply": "1", "reason": "Outdated."},
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn and document.withdrawn_reason == "Outdated."
