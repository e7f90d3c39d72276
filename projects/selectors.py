"""Every read of issuers, statements and offerings that a page or the API needs, with who may see what."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from kernel.permissions import VIEW_ISSUER, VIEW_OFFERING, holds_permission
from projects.models import (
    DEADLINE_AHEAD_STATUSES,
    OPENED_NOT_ENDED_STATUSES,
    PUBLIC_STATUSES,
    AnnouncedCommitment,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingStatus,
    OfferingTransition,
    OfferingUpdate,
    StatementKind,
    StatementPeriod,
)

# Python's datetime ends in year 9999: a stored moment at or after this one cannot be loaded (in every time zone), so
# a query that reads such a row fails as a whole. The bounds on dates keep new ones out; these skip old ones.
LAST_READABLE_MOMENT = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def readable_offering(prefix: str = "") -> Q:
    """Offerings (through `prefix`, e.g. "offering__") whose dates can be read back."""
    return Q(**{f"{prefix}opens_at__lt": LAST_READABLE_MOMENT, f"{prefix}closes_at__lt": LAST_READABLE_MOMENT})


def unreadable_offering_ids() -> list[int]:
    """Offerings that every list skips, for staff to repair; reading only their ids is safe."""
    return list(Offering.objects.exclude(readable_offering()).order_by("pk").values_list("pk", flat=True))


def issuers_visible_to(user) -> QuerySet[Issuer]:
    """An issuer sees its own companies; staff whose role reads company records see every one."""
    if holds_permission(user, VIEW_ISSUER):
        return Issuer.objects.select_related("owner").all()
    return issuers_managed_by(user)


def issuers_managed_by(user) -> QuerySet[Issuer]:
    """The companies the user acts for as their issuer: only their own, whatever their staff role."""
    return Issuer.objects.select_related("owner").filter(owner=user)


STATEMENT_ORDER = ("-fiscal_year", "period", "kind", "-version")


def statements_of(issuer: Issuer) -> QuerySet[FinancialStatement]:
    return issuer.statements.select_related("filed_by", "superseded_by").order_by(*STATEMENT_ORDER)


def offerings_visible_to(user) -> QuerySet[Offering]:
    """Everyone sees approved offerings and later; an issuer also sees its own drafts; staff whose role reads
    offerings see everything."""
    offerings = Offering.objects.filter(readable_offering()).select_related("issuer").prefetch_related("commitments")
    if holds_permission(user, VIEW_OFFERING):
        return offerings.all()
    visible = Q(status__in=PUBLIC_STATUSES)
    if user.is_authenticated:
        visible |= Q(issuer__owner=user)
    return offerings.filter(visible)


def offerings_search(*, user, status: str = "", search: str = "") -> QuerySet[Offering]:
    """The offerings page: what the user may see, narrowed to one status and to words found in the title, the
    summary or the company's name."""
    offerings = offerings_visible_to(user)
    if status:
        offerings = offerings.filter(status=status)
    if search:
        offerings = offerings.filter(
            Q(title__icontains=search) | Q(summary__icontains=search) | Q(issuer__legal_name__icontains=search)
        )
    return offerings


def updates_of(offering: Offering) -> QuerySet[OfferingUpdate]:
    """An offering's updates, newest first, with the terms each one changed; pages and the API show them by page."""
    return offering.updates.prefetch_related("term_changes")


def offering_days_left(offering: Offering, *, now: dt.datetime | None = None) -> int | None:
    """Whole days (rounded up) until the subscription deadline, while the offering has one ahead; else None."""
    now = now or timezone.now()
    if offering.status not in DEADLINE_AHEAD_STATUSES or offering.closes_at <= now:
        return None
    return -((now - offering.closes_at) // dt.timedelta(days=1))


def commitments_naming(user) -> QuerySet[AnnouncedCommitment]:
    """The commitments issuers announced in the investor's name, newest first, for them to accept or decline."""
    return (
        AnnouncedCommitment.objects.filter(readable_offering("offering__"), investor=user)
        .select_related("offering")
        .order_by("-pk")
    )


def offerings_managed_by(user) -> QuerySet[Offering]:
    """Offerings of the companies the user manages as their issuer."""
    return offerings_visible_to(user).filter(issuer__in=issuers_managed_by(user))


# Post-funding reports --------------------------------------------------------------------------------------------


class DutyStatus:
    FILED = "filed"
    NOT_YET_DUE = "not_yet_due"  # the period has ended; the reminder date has not come
    REMINDER_DUE = "reminder_due"  # the reminder date has come; still within the time allowed
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ReportDuty:
    """An issuer's duty after a successful raise to file the actual statement of one period: the full year (the
    calendar year) or its first half. A reminder `reminder_on`, overdue once `days_allowed` after the period's end
    have passed."""

    issuer_id: int
    fiscal_year: int
    period: str  # StatementPeriod.FY or StatementPeriod.H1
    period_end: dt.date
    reminder_on: dt.date
    due_on: dt.date
    days_allowed: int
    filed_on: dt.date | None
    status: str

    @property
    def overdue(self) -> bool:
        return self.status == DutyStatus.OVERDUE


# The periods reported on after a raise, and the month and day each ends in its fiscal year.
REPORTED_PERIODS = (StatementPeriod.FY, StatementPeriod.H1)
PERIOD_END = {StatementPeriod.FY: (12, 31), StatementPeriod.H1: (6, 30)}


def report_deadlines(period: str) -> tuple[int, int]:
    """Days from the period's end to the reminder, and to the deadline."""
    if period == StatementPeriod.H1:
        return settings.INTERIM_REPORT_REMINDER_DAYS, int(settings.RISK_POLICY["interim_report_due_days"])
    return settings.ANNUAL_REPORT_REMINDER_DAYS, settings.ANNUAL_REPORT_DUE_DAYS


def first_successful_close_by_issuer(issuer_ids=None) -> dict[int, dt.date]:
    """The local date on which each issuer's first successful offering closed (the transition to `closed`, or the
    offering's closing time when no transition was recorded)."""
    closed = Offering.objects.filter(status=OfferingStatus.CLOSED)
    if issuer_ids is not None:
        closed = closed.filter(issuer_id__in=issuer_ids)
    closed_at = dict(
        OfferingTransition.objects.filter(offering__in=closed, to_status=OfferingStatus.CLOSED)
        .values("offering_id")
        .annotate(at=Min("at"))
        .values_list("offering_id", "at")
    )
    first: dict[int, dt.date] = {}
    for offering_id, issuer_id, closes_at in closed.values_list("pk", "issuer_id", "closes_at"):
        day = timezone.localdate(closed_at.get(offering_id, closes_at))
        if issuer_id not in first or day < first[issuer_id]:
            first[issuer_id] = day
    return first


def report_duties(*, today: dt.date | None = None, issuer_ids=None) -> list[ReportDuty]:
    """Every report an issuer owes after its first successful close, for the periods that have ended by `today`
    (local date), with where each stands."""
    today = today or timezone.localdate()
    first_close = first_successful_close_by_issuer(issuer_ids)
    # Each issuer's reported periods, with the day the period's actual statement was first filed.
    filed: dict[int, dict[tuple[int, str], dt.date]] = defaultdict(dict)
    statements = (
        FinancialStatement.objects.filter(
            issuer_id__in=first_close, kind=StatementKind.ACTUAL, period__in=REPORTED_PERIODS
        )
        .order_by("filed_at")
        .values_list("issuer_id", "fiscal_year", "period", "filed_at")
    )
    for issuer_id, fiscal_year, period, filed_at in statements:
        filed[issuer_id].setdefault((fiscal_year, period), timezone.localdate(filed_at))
    duties = []
    for issuer_id, closed_on in sorted(first_close.items()):
        duties += duties_of_issuer(
            issuer_id=issuer_id, first_closed_on=closed_on, filed_on=filed[issuer_id], today=today
        )
    return duties


def duties_of_issuer(
    *, issuer_id: int, first_closed_on: dt.date, filed_on: dict[tuple[int, str], dt.date], today: dt.date
) -> list[ReportDuty]:
    """The rule itself, over plain facts (the risk review calls it with its own): each full year from that of the
    first successful close, and each first half whose June 30 falls after that close, that has ended by `today`, with
    the day its actual statement was first filed (`filed_on`, by fiscal year and period), if it was. In order of
    their deadlines."""
    duties = []
    for period in REPORTED_PERIODS:
        reminder_days, days_allowed = report_deadlines(period)
        for fiscal_year in range(first_closed_on.year, today.year + 1):
            period_end = dt.date(fiscal_year, *PERIOD_END[period])
            if period_end >= today or (period == StatementPeriod.H1 and period_end <= first_closed_on):
                continue
            reminder_on = period_end + dt.timedelta(days=reminder_days)
            due_on = period_end + dt.timedelta(days=days_allowed)
            filed = filed_on.get((fiscal_year, period))
            if filed is not None:
                status = DutyStatus.FILED
            elif today > due_on:
                status = DutyStatus.OVERDUE
            elif today >= reminder_on:
                status = DutyStatus.REMINDER_DUE
            else:
                status = DutyStatus.NOT_YET_DUE
            duties.append(
                ReportDuty(issuer_id, fiscal_year, period, period_end, reminder_on, due_on, days_allowed, filed, status)
            )
    return sorted(duties, key=lambda duty: (duty.due_on, duty.period))


def overdue_report_duties(
    *, today: dt.date | None = None, issuer_ids=None, period: str | None = None
) -> list[ReportDuty]:
    """Overdue reports, of one period (StatementPeriod.FY, H1) if given."""
    return [
        duty
        for duty in report_duties(today=today, issuer_ids=issuer_ids)
        if duty.overdue and (period is None or duty.period == period)
    ]


def issuers_with_overdue_reports(
    *, today: dt.date | None = None, issuer_ids=None, period: str | None = None
) -> set[int]:
    return {duty.issuer_id for duty in overdue_report_duties(today=today, issuer_ids=issuer_ids, period=period)}


# The offering page's financials ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """One fiscal year's full-year revenue and net profit as historical, projected and actual (newest filing of
    each; None where none was filed)."""

    fiscal_year: int
    revenue: dict[str, Decimal | None]
    net_profit: dict[str, Decimal | None]


@dataclass(frozen=True)
class Deviation:
    """The projection shown to investors before a raise closed against the actual result of the same year."""

    fiscal_year: int
    metric: str  # "revenue" or "net_profit"
    projected: Decimal
    actual: Decimal
    # (actual - projected) / |projected| in percent; None when nothing (zero) was projected.
    deviation_pct: Decimal | None
    # Below the review policy's shortfall ratio of the projection (a loss against a projected profit included).
    breaches_policy: bool


@dataclass(frozen=True)
class Financials:
    statements: list[FinancialStatement]  # every filing, newest year first; superseded ones are `not is_latest`
    years: list[YearFigures]
    deviations: list[Deviation]
    # The review policy's shortfall thresholds, in percent of the projection, for the page to name.
    profit_threshold_pct: Decimal
    revenue_threshold_pct: Decimal


def _newest(statements, **match) -> FinancialStatement | None:
    versions = [s for s in statements if all(getattr(s, name) == value for name, value in match.items())]
    return max(versions, key=lambda s: s.version, default=None)


def _deviation(*, fiscal_year: int, metric: str, projected: Decimal, actual: Decimal) -> Deviation:
    ratio_setting = "profit_shortfall_ratio" if metric == "net_profit" else "revenue_shortfall_ratio"
    shortfall_ratio = Decimal(settings.RISK_POLICY[ratio_setting])
    return Deviation(
        fiscal_year=fiscal_year,
        metric=metric,
        projected=projected,
        actual=actual,
        deviation_pct=((actual - projected) * 100 / abs(projected)).quantize(Decimal("0.1")) if projected else None,
        breaches_policy=projected > 0 and actual < projected * shortfall_ratio,
    )


def offering_financials(offering: Offering) -> Financials:
    """The company's statements for the offering page: every filing; full-year revenue and net profit by year and
    kind; and, after each successful raise, the projection filed before it closed against the actual result."""
    return issuers_financials([offering.issuer_id])[offering.issuer_id]


def issuers_financials(issuer_ids) -> dict[int, Financials]:
    """`offering_financials` of several companies at once, in two queries whatever their number (a portfolio)."""
    statements: dict[int, list[FinancialStatement]] = {issuer_id: [] for issuer_id in issuer_ids}
    for statement in (
        FinancialStatement.objects.filter(issuer_id__in=statements)
        .select_related("filed_by", "superseded_by")
        .order_by("issuer_id", *STATEMENT_ORDER)
    ):
        statements[statement.issuer_id].append(statement)
    raises: dict[int, list[Offering]] = {issuer_id: [] for issuer_id in statements}
    closed = Offering.objects.filter(issuer_id__in=statements, status=OfferingStatus.CLOSED).order_by("closes_at")
    for raise_ in closed.only("issuer_id", "opens_at", "closes_at"):
        raises[raise_.issuer_id].append(raise_)
    return {
        issuer_id: _financials(statements=filed, raises=raises[issuer_id]) for issuer_id, filed in statements.items()
    }


def _financials(*, statements: list[FinancialStatement], raises: list[Offering]) -> Financials:
    full_years = [s for s in statements if s.period == StatementPeriod.FY]
    years = []
    for fiscal_year in sorted({s.fiscal_year for s in full_years}):
        newest = {kind: _newest(full_years, fiscal_year=fiscal_year, kind=kind) for kind in StatementKind.values}
        years.append(
            YearFigures(
                fiscal_year=fiscal_year,
                revenue={kind: s.revenue if s else None for kind, s in newest.items()},
                net_profit={kind: s.net_profit if s else None for kind, s in newest.items()},
            )
        )
    deviations: list[Deviation] = []
    compared_years: set[int] = set()
    for raise_ in raises:
        for fiscal_year in sorted({s.fiscal_year for s in full_years if s.fiscal_year >= raise_.opens_at.year}):
            actual = _newest(full_years, fiscal_year=fiscal_year, kind=StatementKind.ACTUAL)
            shown = [s for s in full_years if s.filed_at <= raise_.closes_at]
            projection = _newest(shown, fiscal_year=fiscal_year, kind=StatementKind.PROJECTION)
            if actual is None or projection is None or fiscal_year in compared_years:
                continue
            compared_years.add(fiscal_year)
            for metric in ("revenue", "net_profit"):
                deviations.append(
                    _deviation(
                        fiscal_year=fiscal_year,
                        metric=metric,
                        projected=getattr(projection, metric),
                        actual=getattr(actual, metric),
                    )
                )
    return Financials(
        statements=statements,
        years=years,
        deviations=deviations,
        profit_threshold_pct=Decimal(settings.RISK_POLICY["profit_shortfall_ratio"]) * 100,
        revenue_threshold_pct=Decimal(settings.RISK_POLICY["revenue_shortfall_ratio"]) * 100,
    )


# Shares of the target that investors are told of when the money raised first reaches them.
MILESTONE_PERCENTS = (50, 100)


def offering_milestones_unrecorded(*, offering_id: int) -> list[int]:
    """The shares of the target (MILESTONE_PERCENTS) that an open offering's money raised has reached and no
    milestone records yet. One query while none is reached, which is what most payments of a sale find."""
    offering = Offering.objects.only("status", "raised_amount", "target_amount").get(pk=offering_id)
    if offering.status not in OPENED_NOT_ENDED_STATUSES:
        return []
    reached = [p for p in MILESTONE_PERCENTS if offering.raised_amount * 100 >= offering.target_amount * p]
    if not reached:
        return []
    recorded = set(offering.milestones.filter(percent__in=reached).values_list("percent", flat=True))
    return [percent for percent in reached if percent not in recorded]
