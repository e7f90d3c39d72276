from celery import shared_task

from outbox import services


@shared_task(name="outbox.relay")
def relay() -> None:
    services.messages_relay()
