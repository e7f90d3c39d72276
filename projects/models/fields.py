"""Fields shared by the app's models."""

from __future__ import annotations

from django.db import models

MONEY_DIGITS = 16


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=2, **kwargs)
