from django.apps import AppConfig


class KernelConfig(AppConfig):
    """The shared kernel: errors and their codes, events, money and calendar helpers, page, API and admin helpers.
    It imports no app of the platform; every app may import it."""

    name = "kernel"
    verbose_name = "Kernel"
