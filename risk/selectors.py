"""Reads for the risk review: the facts the rules look at, and the case queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from investors.models import Holding, KycProfile, KycStatus, Subscription
from projects.models import (
    PUBLIC_COMMITMENT_STATUSES,
    RAISING_STATUSES,
    STOPPABLE_BY_RISK_STATUSES,
    AnnouncedCommitment,
    CommitmentParty,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingStatus,
    OfferingTransition,
    OfferingUpdate,
    PortfolioCompany,
    TermChange,
)
from projects.selectors import Financials, offering_financials, readable_offering
from risk.models import Case, CaseStatus, SubjectType


@dataclass
class OfferingFacts:
    offering: Offering
    commitments: list[AnnouncedCommitment]
    term_changes: list[TermChange]
    updates: list[OfferingUpdate]
    # Every subscription whose money arrived, whatever happened to it later.
    paid_subscriptions: list[Subscription]
    went_live_at: dt.datetime | None
    closed_at: dt.datetime | None

    @property
    def first_paid_at(self) -> dt.datetime | None:
        return min((s.paid_at for s in self.paid_subscriptions if s.paid_at is not None), default=None)


@dataclass
class IssuerFacts:
    issuer: Issuer
    as_of: dt.datetime
    statements: list[FinancialStatement]
    offerings: list[OfferingFacts]
    portfolio_entry: PortfolioCompany | None

    def latest(self, *, fiscal_year: int, period: str, kind: str, filed_by: dt.datetime | None = None):
        """The newest version of one period's figures (filed by a moment, if given)."""
        versions = [
            s
            for s in self.statements
            if (s.fiscal_year, s.period, s.kind) == (fiscal_year, period, kind)
            and (filed_by is None or s.filed_at <= filed_by)
        ]
        return max(versions, key=lambda s: s.version, default=None)

    def latest_versions(self) -> list[FinancialStatement]:
        newest: dict[tuple, FinancialStatement] = {}
        for statement in self.statements:
            key = (statement.fiscal_year, statement.period, statement.kind)
            if key not in newest or statement.version > newest[key].version:
                newest[key] = statement
        return list(newest.values())

    def latest_past_fy(self, *, before_year: int | None = None) -> FinancialStatement | None:
        """The most recent historical or actual full-year figures, optionally for a year before `before_year`."""
        past = [
            s
            for s in self.latest_versions()
            if s.period == "FY"
            and s.kind in ("historical", "actual")
            and (before_year is None or s.fiscal_year < before_year)
        ]
        # Where both exist for one year, the reported actual outranks the figures given before the raise.
        return max(past, key=lambda s: (s.fiscal_year, s.kind == "actual"), default=None)


def issuer_facts(*, issuer_id: int, as_of: dt.datetime) -> IssuerFacts:
    return issuers_facts({issuer_id: as_of})[issuer_id]


def issuers_facts(as_of_by_issuer: dict[int, dt.datetime]) -> dict[int, IssuerFacts]:
    """The facts of many companies, each as of its own moment, in a fixed number of queries however many there are
    (a screening of a batch of companies reads them all at once)."""
    issuer_ids = list(as_of_by_issuer)
    issuers = list(Issuer.objects.filter(pk__in=issuer_ids).order_by("pk"))
    missing = set(issuer_ids) - {issuer.pk for issuer in issuers}
    if missing:
        raise Issuer.DoesNotExist(f"no issuers {sorted(missing)}")
    entries = {entry.uscc: entry for entry in PortfolioCompany.objects.filter(uscc__in=[i.uscc for i in issuers])}
    offerings = (
        Offering.objects.filter(readable_offering(), issuer_id__in=issuer_ids)
        .exclude(status=OfferingStatus.DRAFT)
        .prefetch_related(
            # A commitment naming an investor counts once the investor accepted it, as it is shown only then.
            Prefetch(
                "commitments",
                queryset=AnnouncedCommitment.objects.filter(status__in=PUBLIC_COMMITMENT_STATUSES).order_by("pk"),
            ),
            Prefetch("term_changes", queryset=TermChange.objects.order_by("changed_at", "pk")),
            Prefetch("updates", queryset=OfferingUpdate.objects.order_by("posted_at", "pk")),
            Prefetch(
                "subscriptions",
                queryset=Subscription.objects.filter(paid_at__isnull=False)
                .select_related("investor", "investor__kyc")
                .order_by("paid_at", "pk"),
                to_attr="paid",
            ),
            Prefetch("transitions", queryset=OfferingTransition.objects.order_by("at", "pk")),
        )
        .order_by("pk")
    )
    offering_facts: dict[int, list[OfferingFacts]] = {issuer_id: [] for issuer_id in issuer_ids}
    for offering in offerings:
        transitions = list(offering.transitions.all())
        offering_facts[offering.issuer_id].append(
            OfferingFacts(
                offering=offering,
                commitments=list(offering.commitments.all()),
                term_changes=list(offering.term_changes.all()),
                updates=list(offering.updates.all()),
                paid_subscriptions=offering.paid,
                went_live_at=next((t.at for t in transitions if t.to_status == OfferingStatus.LIVE), None),
                closed_at=next((t.at for t in transitions if t.to_status == OfferingStatus.CLOSED), None),
            )
        )
    statements: dict[int, list[FinancialStatement]] = {issuer_id: [] for issuer_id in issuer_ids}
    for statement in FinancialStatement.objects.filter(issuer_id__in=issuer_ids).order_by(
        "issuer_id", "fiscal_year", "period", "version"
    ):
        statements[statement.issuer_id].append(statement)
    facts = {}
    for issuer in issuers:
        # Read above for every company at once (the property would read it for each).
        issuer.__dict__["portfolio_entry"] = entries.get(issuer.uscc)
        facts[issuer.pk] = IssuerFacts(
            issuer=issuer,
            as_of=as_of_by_issuer[issuer.pk],
            statements=statements[issuer.pk],
            offerings=offering_facts[issuer.pk],
            portfolio_entry=issuer.portfolio_entry,
        )
    return facts


@dataclass
class InvestorFacts:
    investor: User
    as_of: dt.datetime
    kyc: KycProfile | None
    # Other accounts whose verified KYC carries the same identity number.
    verified_twins: list[KycProfile]


def investor_facts(*, investor_id: int, as_of: dt.datetime) -> InvestorFacts:
    investor = get_user_model().objects.get(pk=investor_id)
    kyc = KycProfile.objects.filter(user=investor).first()
    twins = []
    if kyc is not None:
        twins = list(
            KycProfile.objects.filter(id_number_hash=kyc.id_number_hash, status=KycStatus.VERIFIED)
            .exclude(pk=kyc.pk)
            .select_related("user")
            .order_by("pk")
        )
    return InvestorFacts(investor=investor, as_of=as_of, kyc=kyc, verified_twins=twins)


def issuers_to_sweep() -> QuerySet:
    """Issuers whose conclusions time alone can change: an offering under way, or one that closed (reports due)."""
    return Issuer.objects.filter(offerings__status__in=(*RAISING_STATUSES, OfferingStatus.CLOSED)).distinct()


def open_cases_for_offerings(offerings: list[Offering]) -> QuerySet:
    """Open cases on these offerings themselves or on their companies: both can hold them."""
    return Case.objects.filter(status=CaseStatus.OPEN).filter(
        subject_type=SubjectType.OFFERING, subject_id__in=[offering.pk for offering in offerings]
    ) | Case.objects.filter(
        status=CaseStatus.OPEN,
        subject_type=SubjectType.ISSUER,
        subject_id__in={offering.issuer_id for offering in offerings},
    )


def cases_list(
    *, status: str | None = None, offering: int | None = None, issuer: int | None = None, investor: int | None = None
) -> QuerySet:
    cases = Case.objects.prefetch_related("signals").order_by("-severity_rank", "opened_at")
    if status:
        cases = cases.filter(status=status)
    if offering:
        cases = cases.filter(offering_id=offering)
    if issuer:
        cases = cases.filter(issuer_id=issuer)
    if investor:
        cases = cases.filter(investor_id=investor)
    return cases


def investors_of_offerings(offerings: QuerySet, *, statuses) -> list[tuple]:
    """(investor, offering) once per investor and offering, for subscriptions in the given statuses."""
    pairs: dict[tuple[int, int], tuple] = {}
    subscriptions = Subscription.objects.filter(offering__in=offerings, status__in=statuses).select_related(
        "investor", "offering"
    )
    for subscription in subscriptions.order_by("pk"):
        pairs.setdefault(
            (subscription.investor_id, subscription.offering_id), (subscription.investor, subscription.offering)
        )
    return list(pairs.values())


def offerings_concerned(case: Case) -> QuerySet:
    """The offerings a case can stop: its own, or those of its company still raising (which can be cancelled)."""
    if case.subject_type == SubjectType.OFFERING:
        return Offering.objects.filter(pk=case.subject_id)
    if case.subject_type == SubjectType.ISSUER:
        return Offering.objects.filter(issuer_id=case.subject_id, status__in=STOPPABLE_BY_RISK_STATUSES)
    return Offering.objects.none()


def has_interest_in_case(case: Case, user) -> bool:
    """Whether `user` is too close to what the case is about to judge it: the case is about their own account, or
    they own or are an insider of its company. Owning means being the company's issuer account or holding its shares
    from an earlier raise; an insider is a subscriber who declared being a director, employee or shareholder of the
    issuer, or the investor named by an announced insider commitment."""
    if case.investor_id == user.pk:
        return True
    if case.issuer_id is None:
        return False
    of_company = {"offering__issuer_id": case.issuer_id}
    return (
        Issuer.objects.filter(pk=case.issuer_id, owner=user).exists()
        or Holding.objects.filter(investor=user, **of_company).exists()
        or Subscription.objects.filter(investor=user, insider_of_issuer=True, **of_company).exists()
        or AnnouncedCommitment.objects.filter(investor=user, by=CommitmentParty.ISSUER_INSIDER, **of_company).exists()
    )


def case_financials(case: Case) -> tuple[Offering, Financials] | None:
    """The company's projections against its actual results, for a case about an offering or a company: the page's
    own figures (projects.selectors.offering_financials), of the case's offering or else the company's latest one."""
    offering = case.offering or (
        Offering.objects.filter(issuer_id=case.issuer_id).order_by("-created_at").first() if case.issuer_id else None
    )
    if offering is None:
        return None
    return offering, offering_financials(offering)
