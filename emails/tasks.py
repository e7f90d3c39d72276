"""Celery tasks of the outbox: each loads its row by id; a row already sent is left alone."""

from celery import shared_task

from emails import services


@shared_task(name="emails.send_email")
def send_email(email_id: int) -> None:

    services.email_send(email_id=email_id)


@shared_task(name="emails.send_due_emails")
def send_due_emails() -> None:

    services.emails_send_due()
