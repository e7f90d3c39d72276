"""Recording emails in the outbox and sending them.

`email_enqueue` runs inside the caller's transaction, beside the change the email reports: if that change rolls back,
so does the email, and a re-run of the change finds the first row instead of mailing twice. The row is sent after
commit by a task, and again by the periodic sweep while it is pending (a lost task, a mail server down). A row is
sent under its row lock and marked sent in the same transaction, so two senders never both send it; the one window
left is a crash between the mail server's acceptance and that commit, which sends it again (at least once, never
lost)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import smtplib

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import timezone, translation

from emails.models import EmailStatus, OutgoingEmail
from outbox import services as outbox

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: a header cannot carry them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SUBJECT_MAX_LENGTH = 255


def subject_line(text: str) -> str:
    """One line fit for a Subject header: control characters become a space, runs of spaces one, and it is cut to
    the column's length. Issuer text (titles) goes into subjects, so a newline in it must not stop the email."""
    single = " ".join(_CONTROL_CHARACTERS.sub(" ", str(text)).split())
    return single[:SUBJECT_MAX_LENGTH]


def in_site_language(render):
    """Emails are written in the site's language (LANGUAGE_CODE), whoever's request records them: an issuer's
    update is mailed to investors, not back to the issuer."""

    @functools.wraps(render)
    def rendered(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return render(*args, **kwargs)

    return rendered


def email_render(template: str, context: dict) -> dict[str, str]:
    """The subject and body of an email from its template (`templates/<app>/emails/<name>.txt`), which holds a
    `subject` and a `body` block. Rendered as plain text (no HTML escaping: titles arrive as typed) in the active
    language, so callers wrap it in `in_site_language`. Each block is rendered on its own, so a newline in a title
    stays inside the subject, where `email_enqueue` makes it one line."""
    compiled = get_template(template).template  # type: ignore[attr-defined]  # the Django engine's own Template
    blocks = {node.name: node for node in compiled.nodelist.get_nodes_by_type(BlockNode)}
    rendering = Context(context, autoescape=False)
    with rendering.bind_template(compiled):
        return {name: blocks[name].render(rendering).strip() for name in ("subject", "body")}


def email_enqueue(*, notification: str, recipient, subject: str, body: str) -> OutgoingEmail:
    """Record one email to `recipient` about `notification`, sent after the caller's commit. Recording the same
    notification for the same recipient again returns the first row, whatever its text."""
    now = timezone.now()
    email, created = OutgoingEmail.objects.get_or_create(
        notification=notification,
        recipient=recipient,
        defaults={
            "address": recipient.email,
            "subject": subject_line(subject),
            "body": str(body),
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if created:
        outbox.task_send_on_commit(task="emails.send_email", args=[email.pk])
    return email


def emails_enqueue(*, notification: str, messages: list[tuple]) -> None:
    """`email_enqueue` for many recipients of one notification (`messages`: recipient, subject, body), in a few
    statements: an offering's result to every investor. A recipient already mailed about it, or named twice, gets one
    email."""
    now = timezone.now()
    mailed = set(
        OutgoingEmail.objects.filter(notification=notification, recipient__in=[m[0] for m in messages]).values_list(
            "recipient_id", flat=True
        )
    )
    fresh: dict[int, tuple] = {}
    for recipient, subject, body in messages:
        if recipient.pk not in mailed:
            fresh.setdefault(recipient.pk, (recipient, subject, body))
    created = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            notification=notification,
            recipient=recipient,
            address=recipient.email,
            subject=subject_line(subject),
            body=str(body),
            created_at=now,
            next_attempt_at=now,
        )
        for recipient, subject, body in fresh.values()
    )
    outbox.tasks_send_on_commit(task="emails.send_email", args_list=[[email.pk] for email in created])


def email_send(*, email_id: int) -> OutgoingEmail | None:
    """Send one pending email once. A failure is recorded on the row and tried again later with a growing delay;
    after EMAIL_MAX_ATTEMPTS it is `failed`, for staff. Returns None when another sender holds the row."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update(no_key=True, skip_locked=True).filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.PENDING:
            return email
        now = timezone.now()
        try:
            send_mail(email.subject, email.body, None, [email.address])
        # BadHeaderError: a header with a newline; OSError covers SMTPException and a refused connection.
        except (BadHeaderError, OSError, smtplib.SMTPException) as error:
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = EmailStatus.FAILED
            email.next_attempt_at = now + dt.timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (email.attempts - 1))
            email.save()
            return email
        email.status = EmailStatus.SENT
        email.sent_at = now
        email.attempts += 1
        email.save()
    return email


def emails_send_due(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: send every pending email whose next attempt is due. Returns how many were sent."""
    now = now or timezone.now()
    due = OutgoingEmail.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now).order_by("pk")
    sent = 0
    for email_id in list(due.values_list("pk", flat=True)[: settings.EMAIL_SWEEP_BATCH]):
        email = email_send(email_id=email_id)
        sent += email is not None and email.status == EmailStatus.SENT
    return sent


def email_retry(*, email_id: int) -> OutgoingEmail | None:
    """Staff send a failed email again (after fixing the address or the mail server): it gets a fresh set of
    attempts. A sent email is never sent again."""
    with transaction.atomic():
        updated = OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.FAILED).update(
            status=EmailStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
    if not updated:
        return OutgoingEmail.objects.filter(pk=email_id).first()
    return email_send(email_id=email_id)


def notifications_mark_read(*, recipient, ids: list[int]) -> int:
    """The notifications `recipient` has just been shown are read; others' rows are never touched. Returns how many
    were unread."""
    return OutgoingEmail.objects.filter(recipient=recipient, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
