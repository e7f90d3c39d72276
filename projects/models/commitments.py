"""Amounts someone publicly promised to invest in an offering."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models.fields import money_field
from projects.models.offerings import Offering


class CommitmentParty(models.TextChoices):
    LEAD = "lead", _("Lead investor")
    PLATFORM = "platform", _("Platform")
    ISSUER_INSIDER = "issuer_insider", _("Issuer insider")


class CommitmentStatus(models.TextChoices):
    UNNAMED = "unnamed", _("Names no account")
    PENDING = "pending", _("Awaiting the investor")
    ACCEPTED = "accepted", _("Accepted by the investor")
    DECLINED = "declined", _("Declined by the investor")


# Shown to the public and weighed by the risk review: a commitment naming an investor counts once they accept it.
PUBLIC_COMMITMENT_STATUSES = (CommitmentStatus.UNNAMED, CommitmentStatus.ACCEPTED)


class AnnouncedCommitment(models.Model):
    """An amount that someone publicly promised to invest; risk review checks that it is paid."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="commitments")
    by = models.CharField(max_length=16, choices=CommitmentParty.choices)
    # The account number the issuer gave, kept as given: whether it is an investor's is never told to the issuer.
    named_account_id = models.PositiveBigIntegerField(_("account number named"), null=True, blank=True)
    # The investor that number belongs to, if it is one: only they can accept or decline the commitment.
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = money_field(_("amount"))
    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.UNNAMED
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_COMMITMENT_STATUSES
