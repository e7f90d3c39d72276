from django.apps import AppConfig


class InvestorsConfig(AppConfig):
    name = "investors"
    verbose_name = "Investors"

    def ready(self) -> None:
        # Registers the handler that `projects` calls inside an update's transaction, and the event listeners.
        from investors import listeners  # noqa: F401
        from investors.subscriptions import (
            milestones,  # noqa: F401
            reconfirmation,  # noqa: F401
        )
