"""Builders of the facts each rule reads, in memory: unsaved model instances with explicit primary keys, put
straight into the selectors' dataclasses, so that the rule tests need no database. Builders that one family's tests
alone use stay in that family's module.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from investors.models import KycProfile, KycStatus, Subscription, SubscriptionStatus
from projects.models import (
    AnnouncedCommitment,
    CommitmentParty,
    FinancialStatement,
    Issuer,
    Offering,
    OfferingStatus,
    OfferingUpdate,
    PortfolioCompany,
    Security,
    TermChange,
)
from risk.policy import current_policy
from risk.selectors import IssuerFacts, OfferingFacts

CENT = Decimal("0.01")
ISSUER_ID = 1
USCC = "91110105000000001X"
_ids = itertools.count(1000)


def D(value) -> Decimal:
    """Money as the database gives it back: two decimal places."""
    return Decimal(str(value)).quantize(CENT)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware moment in the platform's time zone."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


# One raise's calendar, used unless a test says otherwise: live in March 2025, deadline at the end of June.
OPENS = at(2025, 3, 1, 10)
CLOSES = at(2025, 6, 30, 18)
CLOSED_AT = at(2025, 7, 1, 9)
PAID_AT = at(2025, 3, 10)
RAISE_YEAR = 2025


def policy_with(settings, **changes) -> object:
    """Move some thresholds for this test (pytest-django restores the setting) and return the policy they give."""
    settings.RISK_POLICY = {**settings.RISK_POLICY, **{name: str(value) for name, value in changes.items()}}
    return current_policy()


def make_user(
    *,
    joined: dt.datetime = at(2024, 1, 1),
    phone: str | None = None,
    kyc_status=KycStatus.VERIFIED,
    id_hash: str | None = None,
) -> User:
    pk = next(_ids)
    user = User(pk=pk, username=f"investor{pk}", role=Role.INVESTOR, date_joined=joined)
    user.kyc = KycProfile(
        pk=next(_ids),
        user=user,
        real_name=f"Investor {pk}",
        id_number_encrypted="",
        id_number_hash=id_hash or f"hash-{pk}",
        id_number_masked="110101********123X",
        date_of_birth=dt.date(1980, 5, 17),
        phone=phone or f"139{pk:08d}",
        annual_income=D("200000"),
        financial_assets=D("800000"),
        status=kyc_status,
        submitted_at=joined,
    )
    return user


def make_issuer(**overrides) -> Issuer:
    fields = dict(
        pk=ISSUER_ID,
        legal_name="Lantern Tea Tech Ltd",
        uscc=USCC,
        industry="software",
        founded_on=dt.date(2015, 3, 1),
        description="Point-of-sale software for tea shops.",
        related_to_platform=False,
        platform_stake_pct=D("0"),
    )
    return Issuer(**(fields | overrides))


def make_statement(
    fiscal_year: int,
    period: str = "FY",
    kind: str = "historical",
    *,
    revenue="10000000",
    net_profit="1000000",
    total_assets="8000000",
    total_liabilities="3000000",
    audited: bool = True,
    filed_at: dt.datetime | None = None,
    supersedes: FinancialStatement | None = None,
) -> FinancialStatement:
    if filed_at is None:
        # A projection is filed before its year starts raising; past figures after their year ends.
        filed_at = at(fiscal_year, 2, 1) if kind == "projection" else at(fiscal_year + 1, 2, 1)
    return FinancialStatement(
        pk=next(_ids),
        issuer_id=ISSUER_ID,
        fiscal_year=fiscal_year,
        period=period,
        kind=kind,
        version=supersedes.version + 1 if supersedes else 1,
        supersedes=supersedes,
        revenue=D(revenue),
        net_profit=D(net_profit),
        total_assets=D(total_assets),
        total_liabilities=D(total_liabilities),
        audited=audited,
        filed_at=filed_at,
    )


def refile(earlier: FinancialStatement, *, filed_at: dt.datetime | None = None, **figures) -> FinancialStatement:
    """A new version of `earlier` with some figures changed."""
    values = {name: getattr(earlier, name) for name in ("revenue", "net_profit", "total_assets", "total_liabilities")}
    return make_statement(
        earlier.fiscal_year,
        earlier.period,
        earlier.kind,
        audited=earlier.audited,
        supersedes=earlier,
        filed_at=filed_at or earlier.filed_at + dt.timedelta(days=30),
        **(values | figures),
    )


def make_offering(
    *, status=OfferingStatus.LIVE, target="1000000", closes_at: dt.datetime = CLOSES, **overrides
) -> Offering:
    pk = next(_ids)
    fields = dict(
        pk=pk,
        issuer_id=ISSUER_ID,
        regime="cn",
        currency="CNY",
        title=f"Lantern round {pk}",
        summary="Seed round to build the product.",
        security=Security.NEW_SHARES,
        price_per_share=D("10"),
        pre_money_valuation=D("20000000"),
        target_amount=D(target),
        max_amount=D(target) * 2,
        min_investment=D("1000"),
        opens_at=OPENS,
        closes_at=closes_at,
        use_of_funds=[{"category": "product development", "amount": str(D(target))}],
        risk_factors="You may lose everything you invest.",
        status=status,
    )
    return Offering(**(fields | overrides))


def make_subscription(
    investor: User,
    offering: Offering,
    amount,
    *,
    status=SubscriptionStatus.PAID,
    paid_at: dt.datetime | None = PAID_AT,
    created_at: dt.datetime | None = None,
    card: str = "",
    ip: str = "",
    insider: bool = False,
) -> Subscription:
    created_at = created_at or paid_at or PAID_AT
    return Subscription(
        pk=next(_ids),
        investor=investor,
        offering=offering,
        amount=D(amount),
        currency="CNY",
        shares=int(D(amount) / offering.price_per_share),
        status=status,
        idempotency_key=f"key-{next(_ids)}",
        payment_method="pm_card_visa",
        card_fingerprint=card,
        client_ip=ip or None,
        insider_of_issuer=insider,
        created_at=created_at,
        reserved_until=created_at + dt.timedelta(minutes=15),
        paid_at=paid_at,
    )


def make_commitment(
    offering: Offering, amount, *, by=CommitmentParty.LEAD, investor: User | None = None
) -> AnnouncedCommitment:
    return AnnouncedCommitment(pk=next(_ids), offering=offering, by=by, investor=investor, amount=D(amount))


def make_update(
    offering: Offering, *, title="News", body="", material_change=False, posted_at=at(2025, 4, 1)
) -> OfferingUpdate:
    return OfferingUpdate(
        pk=next(_ids), offering=offering, title=title, body=body, material_change=material_change, posted_at=posted_at
    )


def make_term_change(
    offering: Offering, term: str, *, changed_at: dt.datetime, old="old", new="new", material_change: bool = False
) -> TermChange:
    update = make_update(offering, title=f"About the {term}", material_change=material_change, posted_at=changed_at)
    return TermChange(
        pk=next(_ids), offering=offering, update=update, term=term, old_value=old, new_value=new, changed_at=changed_at
    )


def raise_of(
    offering: Offering,
    *,
    subscriptions=(),
    commitments=(),
    term_changes=(),
    updates=(),
    went_live_at: dt.datetime | None | str = "default",
    closed_at: dt.datetime | None | str = "default",
) -> OfferingFacts:
    """An offering with what the selector would have found for it. Went live at OPENS unless it never did; closed
    at CLOSED_AT if its status says so."""
    never_live = (OfferingStatus.IN_REVIEW, OfferingStatus.APPROVED, OfferingStatus.REJECTED, OfferingStatus.DRAFT)
    if went_live_at == "default":
        went_live_at = None if offering.status in never_live else OPENS
    if closed_at == "default":
        closed_at = CLOSED_AT if offering.status == OfferingStatus.CLOSED else None
    return OfferingFacts(
        offering=offering,
        commitments=list(commitments),
        term_changes=list(term_changes),
        updates=list(updates),
        paid_subscriptions=[s for s in subscriptions if s.paid_at is not None],
        went_live_at=went_live_at,
        closed_at=closed_at,
    )


def company(
    *raises: OfferingFacts,
    statements=(),
    as_of: dt.datetime = at(2025, 5, 1),
    issuer: Issuer | None = None,
    portfolio: PortfolioCompany | None = None,
) -> IssuerFacts:
    return IssuerFacts(
        issuer=issuer or make_issuer(),
        as_of=as_of,
        statements=list(statements),
        offerings=list(raises),
        portfolio_entry=portfolio,
    )


def run(rule, facts, policy=None) -> list:
    return rule.check(facts, policy or current_policy())


def severities(findings) -> list[str]:
    return [finding.severity for finding in findings]


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def figures(finding) -> list[str]:
    return [item["figure"] for item in finding.evidence["comparisons"]]


PROJECTED_REVENUE, PROJECTED_PROFIT = "10000000.00", "1000000.00"


def performance_facts(
    *,
    actual_revenue=PROJECTED_REVENUE,
    actual_profit=PROJECTED_PROFIT,
    projection_filed_at: dt.datetime | None = None,
    subscriptions: bool = True,
) -> IssuerFacts:
    offering = make_offering(status=OfferingStatus.CLOSED)
    paid = []
    if subscriptions:
        paid = [make_subscription(make_user(), offering, "100000", status=SubscriptionStatus.SETTLED)]
    statements = [
        make_statement(
            RAISE_YEAR,
            kind="projection",
            revenue=PROJECTED_REVENUE,
            net_profit=PROJECTED_PROFIT,
            filed_at=projection_filed_at,
        ),
        make_statement(RAISE_YEAR, kind="actual", revenue=actual_revenue, net_profit=actual_profit),
    ]
    return company(raise_of(offering, subscriptions=paid), statements=statements, as_of=at(2026, 3, 2))


def forecast_facts(
    *,
    base_profit="1000000",
    projected_profit="1500000",
    interim=(),
    status=OfferingStatus.LIVE,
    with_offering: bool = True,
) -> IssuerFacts:
    statements = [
        make_statement(RAISE_YEAR - 1, revenue="20000000", net_profit=base_profit),
        make_statement(RAISE_YEAR, kind="projection", revenue="30000000", net_profit=projected_profit),
        *interim,
    ]
    raises = [raise_of(make_offering(status=status))] if with_offering else []
    return company(*raises, statements=statements)


# Projected for the raise year: 1,000,000 net profit on 10,000,000 revenue, filed before the raise. Half a year's
# share is 500,000 and 5,000,000 (flagged under 250,000 and 3,000,000); a quarter's 250,000 and 2,500,000 (flagged
# under 125,000 and 1,500,000).
def interim_facts(
    *statements, status=OfferingStatus.CLOSED, projection_filed_at: dt.datetime = at(2025, 2, 1)
) -> IssuerFacts:
    projection = make_statement(
        RAISE_YEAR,
        kind="projection",
        revenue=PROJECTED_REVENUE,
        net_profit=PROJECTED_PROFIT,
        filed_at=projection_filed_at,
    )
    offering = make_offering(status=status)
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(
        raise_of(offering, subscriptions=subscriptions), statements=[projection, *statements], as_of=at(2025, 9, 1)
    )


def actual_interim(
    period: str = "H1", *, revenue="5000000", net_profit="500000", year: int = RAISE_YEAR, kind: str = "actual"
) -> FinancialStatement:
    return make_statement(year, period, kind, revenue=revenue, net_profit=net_profit, filed_at=at(2025, 8, 20))


COMMITTED = "100000.00"


def commitment_facts(
    *,
    paid=(COMMITTED,),
    status=OfferingStatus.CLOSING,
    as_of: dt.datetime = CLOSES,
    sub_status=SubscriptionStatus.PAID,
    by=CommitmentParty.LEAD,
    name_investor: bool = True,
    paid_by_someone_else: bool = False,
) -> IssuerFacts:
    offering = make_offering(status=status)
    lead, other = make_user(), make_user()
    payer = other if paid_by_someone_else else lead
    subscriptions = [make_subscription(payer, offering, amount, status=sub_status) for amount in paid]
    commitment = make_commitment(offering, COMMITTED, by=by, investor=lead if name_investor else None)
    return company(raise_of(offering, subscriptions=subscriptions, commitments=[commitment]), as_of=as_of)


def platform_facts(*, related: bool = False, stake="0", registry: str | None | bool = False) -> IssuerFacts:
    """registry: False = not in the platform's portfolio; None = listed with no stake; a string = listed with it."""
    entry = None
    if registry is not False:
        entry = PortfolioCompany(
            pk=next(_ids),
            uscc=USCC,
            legal_name="Lantern Tea Tech Ltd",
            stake_pct=None if registry is None else D(registry),
        )
    return company(issuer=make_issuer(related_to_platform=related, platform_stake_pct=D(stake)), portfolio=entry)


def financial_facts(*statements) -> IssuerFacts:
    return company(statements=statements)


def assurance_facts(*, target, audited: bool | None = False, status=OfferingStatus.IN_REVIEW, extra=()) -> IssuerFacts:
    """audited=None: no full-year figures filed at all."""
    statements = [] if audited is None else [make_statement(2024, audited=audited)]
    return company(raise_of(make_offering(status=status, target=target)), statements=[*statements, *extra])


def reporting_facts(*, as_of: dt.datetime, status=OfferingStatus.CLOSED, statements=()) -> IssuerFacts:
    offering = make_offering(status=status)
    closed_at = CLOSED_AT if status in (OfferingStatus.CLOSED, OfferingStatus.FAILED) else None
    subscriptions = [make_subscription(make_user(), offering, "500000", status=SubscriptionStatus.SETTLED)]
    return company(
        raise_of(offering, subscriptions=subscriptions, closed_at=closed_at), statements=statements, as_of=as_of
    )


SUBSCRIBED_AT = at(2025, 3, 20)
YOUNG = SUBSCRIBED_AT - dt.timedelta(days=3)
OLD = at(2024, 1, 1)
SHARED = {"ip": "203.0.113.7", "card": "fp_shared_card", "phone": "13900000000"}


def linked(*, amount, joined: dt.datetime = YOUNG, share: str = "ip", insider: bool = False, offering) -> Subscription:
    """A subscription from an account that shares `share` with the other linked ones."""
    investor = make_user(joined=joined, phone=SHARED["phone"] if share == "phone" else None)
    return make_subscription(
        investor,
        offering,
        amount,
        paid_at=SUBSCRIBED_AT,
        created_at=SUBSCRIBED_AT,
        insider=insider,
        ip=SHARED["ip"] if share == "ip" else f"198.51.100.{next(_ids) % 250}",
        card=SHARED["card"] if share == "card" else f"fp_{next(_ids)}",
    )


def independent(*, amount, offering, insider: bool = False) -> Subscription:
    """A subscription from an old account that shares nothing with anyone."""
    return make_subscription(
        make_user(joined=OLD),
        offering,
        amount,
        paid_at=SUBSCRIBED_AT,
        created_at=SUBSCRIBED_AT,
        ip=f"192.0.2.{next(_ids) % 250}",
        card=f"fp_{next(_ids)}",
        insider=insider,
    )


def shill_facts(
    *,
    linked_amounts=(),
    insider_amounts=(),
    others="0",
    target="1000000",
    joined=YOUNG,
    share="ip",
    linked_old_amounts=(),
) -> IssuerFacts:
    offering = make_offering(target=target)
    subscriptions = [linked(amount=a, joined=joined, share=share, offering=offering) for a in linked_amounts]
    subscriptions += [linked(amount=a, joined=OLD, share=share, offering=offering) for a in linked_old_amounts]
    subscriptions += [independent(amount=a, offering=offering, insider=True) for a in insider_amounts]
    if D(others) > 0:
        subscriptions.append(independent(amount=others, offering=offering))
    return company(raise_of(offering, subscriptions=subscriptions), as_of=SUBSCRIBED_AT + dt.timedelta(hours=1))


def fresh(build, *args):
    """Build facts with row ids counted from the same start, so that building the same facts twice gives equal rows
    (as reading them twice from the database would)."""
    global _ids
    saved, _ids = _ids, itertools.count(1000)
    try:
        return build(*args)
    finally:
        _ids = saved
