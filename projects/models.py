from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from kernel.validators import FREE_TEXT, SINGLE_LINE
from projects.validation import validate_founded_on

MONEY_DIGITS = 16


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=2, **kwargs)


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


class Security(models.TextChoices):
    NEW_SHARES = "new_shares", _("New shares")
    EXISTING_SHARES = "existing_shares", _("Existing shares")


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    LIVE = "live", _("Live")
    SUSPENDED = "suspended", _("Suspended")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# Visible to everyone once staff have approved them.
PUBLIC_STATUSES = (
    OfferingStatus.APPROVED,
    OfferingStatus.LIVE,
    OfferingStatus.SUSPENDED,
    OfferingStatus.CLOSING,
    OfferingStatus.CLOSED,
    OfferingStatus.FAILED,
)

# Over without raising anything: nothing more is filed for them.
ENDED_UNFUNDED_STATUSES = (OfferingStatus.CANCELLED, OfferingStatus.FAILED)


class Offering(models.Model):
    """An issuer's raise. Its status changes only through the named transitions below, called from services."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="offerings")
    regime = models.CharField(_("regime"), max_length=16)
    currency = models.CharField(_("currency"), max_length=3)
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    summary = models.TextField(_("summary"), validators=FREE_TEXT)
    security = models.CharField(_("security"), max_length=16, choices=Security.choices)
    price_per_share = money_field(_("price per share"))
    pre_money_valuation = money_field(_("pre-money valuation"))
    target_amount = money_field(_("target amount"))
    max_amount = money_field(_("maximum amount"))
    min_investment = money_field(_("minimum investment"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    use_of_funds = models.JSONField(_("use of funds"), default=list)
    risk_factors = models.TextField(_("risk factors"), validators=FREE_TEXT)
    status = FSMField(_("status"), max_length=16, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT)
    # Set and lifted only by the risk review: a critical case holds the money (no subscriptions, no settlement),
    # a high case on an offering in review holds its approval.
    risk_hold = models.BooleanField(_("risk hold"), default=False)
    approval_hold = models.BooleanField(_("approval held by risk review"), default=False)
    # Capacity taken by subscriptions that are paying or paid; it never exceeds max_amount.
    reserved_amount = money_field(_("reserved amount"), default=Decimal("0"))
    raised_amount = money_field(_("raised amount"), default=Decimal("0"))
    investor_count = models.PositiveIntegerField(_("investors"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["reserved_amount", "raised_amount", "investor_count", "updated_at"])

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_offering", "Can approve and reject offerings"),
            ("close_offering", "Can close offerings early"),
            ("cancel_offering", "Can cancel offerings that hold money and refund their investors"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reserved_amount__lte=F("max_amount")), name="offering_not_oversold"),
            models.CheckConstraint(condition=Q(reserved_amount__gte=0), name="offering_reserved_not_negative"),
            models.CheckConstraint(condition=Q(max_amount__gte=F("target_amount")), name="offering_max_ge_target"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="offering_closes_after_opens"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_commitments(self) -> list[AnnouncedCommitment]:
        """The commitments shown to everyone (read from `commitments`, so a prefetch serves it)."""
        return [commitment for commitment in self.commitments.all() if commitment.is_public]

    @property
    def remaining_amount(self) -> Decimal:
        return self.max_amount - self.reserved_amount

    @property
    def progress_pct(self) -> Decimal:
        return (self.raised_amount * 100 / self.target_amount).quantize(Decimal("0.01"))

    # The lifecycle graph. The bodies are empty: services guard, record history and save.
    @transition(field=status, source=OfferingStatus.DRAFT, target=OfferingStatus.IN_REVIEW)
    def submit(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.REJECTED, target=OfferingStatus.DRAFT)
    def revise(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.IN_REVIEW, target=OfferingStatus.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.IN_REVIEW, target=OfferingStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.APPROVED, target=OfferingStatus.LIVE)
    def go_live(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.LIVE, target=OfferingStatus.CLOSING)
    def start_closing(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.CLOSING, target=OfferingStatus.CLOSED)
    def close(self) -> None:
        pass

    # A risk hold stops an open or closing offering; lifting it sends the offering back to where its deadline says.
    @transition(field=status, source=[OfferingStatus.LIVE, OfferingStatus.CLOSING], target=OfferingStatus.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.SUSPENDED, target=OfferingStatus.LIVE)
    def resume(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.SUSPENDED, target=OfferingStatus.CLOSING)
    def resume_closing(self) -> None:
        pass

    @transition(field=status, source=OfferingStatus.CLOSING, target=OfferingStatus.FAILED)
    def fail(self) -> None:
        pass

    @transition(
        field=status,
        source=[
            OfferingStatus.DRAFT,
            OfferingStatus.IN_REVIEW,
            OfferingStatus.APPROVED,
            OfferingStatus.LIVE,
            OfferingStatus.SUSPENDED,
        ],
        target=OfferingStatus.CANCELLED,
    )
    def cancel(self) -> None:
        pass


class OfferingTransition(models.Model):
    """Who moved an offering from which status to which, when and why."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=OfferingStatus.choices)
    to_status = models.CharField(max_length=16, choices=OfferingStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.offering_id}: {self.from_status} → {self.to_status}"


class OfferingApproval(models.Model):
    """One staff approval. Offerings of issuers tied to the platform need two, from different people."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True, validators=FREE_TEXT)
    # A rejection ends a review round: its approvals stay on record but no longer count.
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "by"], condition=models.Q(superseded=False), name="one_approval_per_staff_user"
            )
        ]


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


class OfferingUpdate(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    body = models.TextField(_("body"), validators=FREE_TEXT)
    material_change = models.BooleanField(_("material change"), default=False)
    changes = models.JSONField(_("changed terms"), default=dict, blank=True)
    # The issuer asks staff to close early at this time; staff decide (projects.services.offering_close_early).
    requested_closes_at = models.DateTimeField(_("early close requested for"), null=True, blank=True)
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TermChange(models.Model):
    """One term of a running offering changed by an update: the old and new value, kept for investors and review."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="term_changes")
    update = models.ForeignKey(OfferingUpdate, on_delete=models.CASCADE, related_name="term_changes")
    term = models.CharField(max_length=32)
    old_value = models.JSONField()
    new_value = models.JSONField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]


class PortfolioCompany(models.Model):
    """The platform group's registry of companies it holds a stake in, kept by staff. An issuer whose credit code is
    listed here is tied to the platform whatever it declares."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True, validators=SINGLE_LINE)
    stake_pct = models.DecimalField(_("platform group's stake (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
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


class OfferingMilestone(models.Model):
    """An offering reached a share of its target (50 or 100 per cent) and its investors were told, once."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="milestones")
    percent = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField()

    class Meta:
        ordering = ["offering", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "percent"], name="one_notice_per_offering_milestone")
        ]


class OfferingQuestion(models.Model):
    """A question a signed-in investor asked in public about an offering, and the issuer's one answer. Staff hide
    abuse: a hidden question stays on record (who hid it, when, why) but leaves every public list."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"), validators=FREE_TEXT)
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True, validators=FREE_TEXT)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.TextField(_("why hidden"), blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["offering", "hidden_at"])]

    def __str__(self) -> str:
        return f"{self.offering}: {self.text[:60]}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class DocumentKind(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    AUDIT_REPORT = "audit_report", _("Audit report")
    ARTICLES = "articles", _("Articles of association")
    OTHER = "other", _("Other")


class OfferingDocument(models.Model):
    """A PDF in an offering's data room, uploaded by the company. Staff withdraw one rather than delete it: a
    withdrawn document leaves every list and cannot be downloaded, but stays on record with who withdrew it and why."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE)
    # Stored under MEDIA_ROOT with a generated name; never reachable by URL, only through the download view.
    file = models.FileField(_("file"), upload_to="offering-documents/%Y/%m/")
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True, validators=FREE_TEXT)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["offering", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.offering}: {self.title}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
