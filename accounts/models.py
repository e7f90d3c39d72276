from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INVESTOR = "investor", _("Investor")
    ISSUER = "issuer", _("Issuer")


class MichouUserManager(UserManager):
    def get_by_natural_key(self, username):
        """Logging in finds the account whatever the case or compatibility form (full-width letters) typed."""
        return self.get(username__iexact=self.model.normalize_username(username))


class User(AbstractUser):
    """A person on the platform. Staff are Django staff users and need no role.

    Usernames are stored in Unicode normal form NFKC and are unique whatever their case, so that `ａｄｍｉｎ` or
    `Admin` cannot pass for `admin`."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)

    objects = MichouUserManager()

    class Meta(AbstractUser.Meta):
        constraints = [models.UniqueConstraint(Lower("username"), name="username_unique_whatever_the_case")]

    @property
    def is_investor(self) -> bool:
        return self.role == Role.INVESTOR

    @property
    def is_issuer(self) -> bool:
        return self.role == Role.ISSUER


class ApiToken(models.Model):
    """A key for `Authorization: Token <key>`. Only the SHA-256 of the key is stored: a copy of the database
    signs nobody in. A token ends at `expires_at`, when its owner revokes it or logs out with it, and when the
    owner's password changes by any path (the password hash it was issued under no longer matches)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the key, so that the owner can tell their tokens apart in the list.
    prefix = models.CharField(max_length=8)
    password_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
