from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from kernel import events
        from outbox import services

        events.send_through(services.event_send_on_commit)
