from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INVESTOR = "investor", _("Investor")
    ISSUER = "issuer", _("Issuer")


class User(AbstractUser):
    """A person on the platform. Staff are Django staff users and need no role."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)

    @property
    def is_investor(self) -> bool:
        return self.role == Role.INVESTOR

    @property
    def is_issuer(self) -> bool:
        return self.role == Role.ISSUER
