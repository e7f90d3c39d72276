from django.apps import AppConfig


class RiskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "risk"
    verbose_name = "Risk review"

    def ready(self) -> None:
        from risk import listeners  # noqa: F401  (registers the event listeners)
