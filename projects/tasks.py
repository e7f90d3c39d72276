from celery import shared_task

from projects import services


@shared_task(name="projects.open_due_offerings")
def open_due_offerings() -> None:
    services.offerings_open_due()


@shared_task(name="projects.close_due_offerings")
def close_due_offerings() -> None:
    services.offerings_close_due()


@shared_task(name="projects.remind_annual_reports")
def remind_annual_reports() -> None:
    services.report_reminders_send()
