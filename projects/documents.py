"""The offering's data room: the company uploads PDFs, signed-in users download them, staff withdraw one.
The writes (`document_*`) and the reads the page, the API and the download view share."""

from __future__ import annotations

import hashlib
import uuid

import pypdf
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypdf.errors import PyPdfError

from audit.services import audit_record
from kernel.errors import InvalidTransition
from kernel.permissions import REVIEW_OFFERING, ensure_permission
from projects.models import ENDED_UNFUNDED_STATUSES, DocumentKind, Offering, OfferingDocument
from projects.selectors import offerings_visible_to
from projects.services import ensure_manages_issuer
from projects.validation import Errors, check_free_text, check_single_line

PDF_SIGNATURE = b"%PDF-"
# What pypdf raises on a damaged file besides its own errors: it reads untrusted structure as Python objects.
UNREADABLE_PDF = (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError)


def _pdf_page_count(file: File) -> int | None:
    """Pages of a readable, unencrypted PDF; None when the content is not one, whatever its name says."""
    file.seek(0)
    if file.read(len(PDF_SIGNATURE)) != PDF_SIGNATURE:
        return None
    file.seek(0)
    try:
        reader = pypdf.PdfReader(file, strict=False)
        pages = None if reader.is_encrypted else len(reader.pages)
    except UNREADABLE_PDF:
        return None
    return pages or None


def _sha256(file: File) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def document_upload(*, offering: Offering, by, kind: str, title: str, file: File) -> OfferingDocument:
    """The company adds a PDF to its offering's data room. The file is judged by its content: a PDF that opens and
    has pages, no larger than DOCUMENT_MAX_BYTES."""
    ensure_manages_issuer(by, offering.issuer)
    errors = Errors()
    if kind not in DocumentKind.values:
        errors.add("kind", _("Choose the kind of document."))
    title = (title or "").strip()
    if not title:
        errors.add("title", _("This field is required."))
    check_single_line(title, "title", errors, max_length=OfferingDocument._meta.get_field("title").max_length)
    if file.size > settings.DOCUMENT_MAX_BYTES:
        errors.add(
            "file",
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)},
        )
        pages = None
    else:
        pages = _pdf_page_count(file)
        if pages is None:
            errors.add("file", _("This file is not a readable PDF document (encrypted files are not accepted)."))
    errors.raise_if_any()
    if offering.status in ENDED_UNFUNDED_STATUSES:
        raise InvalidTransition(_("Documents cannot be added to an offering that has ended without raising."))
    document = OfferingDocument(
        offering=offering, kind=kind, title=title, size=file.size, pages=pages, sha256=_sha256(file),
        uploaded_by=by, uploaded_at=timezone.now(),
    )  # fmt: skip
    file.seek(0)
    # A generated name: nothing the uploader chose reaches the file system.
    document.file.save(f"{uuid.uuid4().hex}.pdf", file, save=False)
    try:
        document.save()
    except DatabaseError:
        document.file.delete(save=False)  # no row, no file: nothing is stored that no one can reach
        raise
    return document


def document_withdraw(*, document: OfferingDocument, by, reason: str = "") -> OfferingDocument:
    """Staff who review offerings take a document out of the data room; withdrawing again changes nothing."""
    ensure_permission(by, REVIEW_OFFERING)
    errors = Errors()
    check_free_text(reason, "reason", errors)
    errors.raise_if_any()
    with transaction.atomic():
        document = OfferingDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
        if not document.withdrawn:
            document.withdrawn_at, document.withdrawn_by, document.withdrawn_reason = timezone.now(), by, reason.strip()
            document.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
            audit_record(actor=by, action="document_withdrawn", subject=document, details={"reason": reason.strip()})
    return document


def documents_of(offering: Offering) -> QuerySet[OfferingDocument]:
    """An offering's data room: documents not withdrawn, by kind, newest first."""
    return offering.documents.filter(withdrawn_at__isnull=True)


def documents_visible_to(user) -> QuerySet[OfferingDocument]:
    """Documents a user may download: only signed-in users, only of offerings they may see, never withdrawn ones."""
    if not user.is_authenticated:
        return OfferingDocument.objects.none()
    return OfferingDocument.objects.filter(
        offering__in=offerings_visible_to(user), withdrawn_at__isnull=True
    ).select_related("offering")


def document_download_name(document: OfferingDocument) -> str:
    return f"{slugify(document.title) or 'document'}-{document.pk}.pdf"
