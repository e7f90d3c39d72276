from celery import shared_task

from projects import services


@shared_task(name="projects.open_due_offerings")
def open_due_offerings() -> None:
    services.offerings_open_due()
