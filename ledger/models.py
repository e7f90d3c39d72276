"""A double-entry ledger. Entries are appended, never edited; every balance is a sum of lines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import money_field


class AccountKind(models.TextChoices):
    INVESTOR_FUNDING = "investor_funding", _("Investor funding")
    OFFERING_ESCROW = "offering_escrow", _("Offering escrow")
    ISSUER_PAYABLE = "issuer_payable", _("Issuer payable")
    PLATFORM_FEES = "platform_fees", _("Platform fees")


class Account(models.Model):
    """One account, named by kind, the owner it belongs to (an investor, an offering, an issuer, or none) and the one
    currency it holds: an owner with money in two currencies has two accounts."""

    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_id", "currency"], nulls_distinct=False, name="one_account_per_owner_and_currency"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Entry(models.Model):
    """One balanced movement. Its key makes posting the same business event twice impossible."""

    key = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200)
    posted_at = models.DateTimeField()
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.key


class Line(models.Model):
    """A signed amount on one account: positive debits it, negative credits it. An entry's lines sum to zero."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = money_field(_("amount"))

    class Meta:
        ordering = ["entry", "id"]
