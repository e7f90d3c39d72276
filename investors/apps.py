from django.apps import AppConfig


class InvestorsConfig(AppConfig):
    name = "investors"
    verbose_name = "Investors"

    def ready(self) -> None:
        # Registers the handler that `projects` calls inside an update's transaction, and the event listeners.
        from investors.subscriptions import milestones, reconfirmation  # noqa: F401
