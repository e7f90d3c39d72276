"""Companies, the figures they file, the reminders of what they owe, and the platform group's registry of its own holdings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects.models.fields import money_field
from projects.validation import validate_founded_on


class Issuer(models.Model):
    """A company raising money on the platform, managed by one issuer account."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="issuers")
    legal_name = models.CharField(_("legal name"), max_length=200, validators=SINGLE_LINE)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=100, validators=SINGLE_LINE)
    founded_on = models.DateField(_("founded on"), validators=[validate_founded_on])
    description = models.TextField(_("description"), validators=FREE_TEXT)
    website = models.URLField(_("website"), blank=True)
    related_to_platform = models.BooleanField(_("related to the platform"), default=False)
    platform_stake_pct = models.DecimalField(
        _("platform group's stake (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    related_party_note = models.TextField(_("related-party note"), blank=True, validators=FREE_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(platform_stake_pct__gte=0) & Q(platform_stake_pct__lte=100), name="issuer_stake_0_to_100"
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    @cached_property
    def portfolio_entry(self) -> PortfolioCompany | None:
        """The platform group's registry entry for this company's credit code, if staff have listed it."""
        return PortfolioCompany.objects.filter(uscc=self.uscc).first()

    @property
    def tied_to_platform(self) -> bool:
        """Declared as related, a declared platform stake, or listed in the platform group's portfolio registry."""
        return self.related_to_platform or self.platform_stake_pct > 0 or self.portfolio_entry is not None

    @property
    def disclosed_stake_pct(self) -> Decimal:
        """The platform group's stake as disclosed to investors: the larger of the declared and the registered one."""
        registered = self.portfolio_entry.stake_pct if self.portfolio_entry else None
        return max(self.platform_stake_pct, registered or Decimal("0"))


class StatementPeriod(models.TextChoices):
    FY = "FY", _("Full year")
    H1 = "H1", _("First half")
    Q1 = "Q1", "Q1"
    Q2 = "Q2", "Q2"
    Q3 = "Q3", "Q3"
    Q4 = "Q4", "Q4"


class StatementKind(models.TextChoices):
    HISTORICAL = "historical", _("Historical")
    PROJECTION = "projection", _("Projection")
    ACTUAL = "actual", _("Actual (after funding)")


class FinancialStatement(models.Model):
    """One filing of one period's figures. Never edited: a re-filing is a new version that supersedes it."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="statements")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    period = models.CharField(_("period"), max_length=2, choices=StatementPeriod.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=StatementKind.choices)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    currency = models.CharField(max_length=3, default="CNY")
    revenue = money_field(_("revenue"))
    net_profit = money_field(_("net profit"))
    total_assets = money_field(_("total assets"))
    total_liabilities = money_field(_("total liabilities"))
    operating_cash_flow = money_field(_("operating cash flow"), null=True, blank=True)
    audited = models.BooleanField(_("audited"), default=False)
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issuer", "fiscal_year", "period", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "fiscal_year", "period", "kind", "version"], name="statement_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.fiscal_year} {self.period} {self.kind} v{self.version}"

    @property
    def is_latest(self) -> bool:
        return not hasattr(self, "superseded_by")


class PortfolioCompany(models.Model):
    """The platform group's registry of companies it holds a stake in, kept by staff. An issuer whose credit code is
    listed here is tied to the platform whatever it declares."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True, validators=SINGLE_LINE)
    stake_pct = models.DecimalField(
        _("platform group's stake (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True, validators=FREE_TEXT)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("portfolio company")
        verbose_name_plural = _("platform portfolio registry")

    def __str__(self) -> str:
        return f"{self.uscc} {self.legal_name}".strip()


class ReportReminder(models.Model):
    """The email that reminded an issuer of its report for one fiscal year and period (the full year or its first
    half): sent once, never again."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="report_reminders")
    fiscal_year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=2, choices=StatementPeriod.choices, default=StatementPeriod.FY)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["issuer", "fiscal_year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "fiscal_year", "period"], name="one_report_reminder_per_fiscal_year_and_period"
            )
        ]
