"""Issuers, statements and offerings for tests. Every factory builds rows that the services would accept."""

import datetime as dt
import io
from decimal import Decimal

import factory
import pypdf
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import uscc

from accounts.tests.factories import IssuerUserFactory
from projects.models import (
    FinancialStatement,
    Issuer,
    Offering,
    OfferingStatus,
    OfferingUpdate,
    Security,
    StatementKind,
    StatementPeriod,
    TermChange,
)


def make_uscc(serial: int) -> str:
    """A unified social credit code with a correct check digit, different for each serial."""
    first17 = f"91110105{serial:09d}"
    return first17 + uscc.calc_check_digit(first17)


def with_wrong_check_digit(code: str) -> str:
    wrong = next(c for c in "0123456789" if c != code[-1])
    return code[:-1] + wrong


class IssuerFactory(DjangoModelFactory):
    class Meta:
        model = Issuer

    owner = factory.SubFactory(IssuerUserFactory)
    legal_name = factory.Sequence(lambda n: f"Company {n} Ltd")
    uscc = factory.Sequence(make_uscc)
    industry = "software"
    founded_on = dt.date(2015, 3, 1)
    description = "Makes software for small shops."
    website = ""
    related_to_platform = False
    platform_stake_pct = Decimal("0")
    related_party_note = ""

    class Params:
        tied = factory.Trait(related_to_platform=True, related_party_note="A platform director sits on the board.")


class FinancialStatementFactory(DjangoModelFactory):
    class Meta:
        model = FinancialStatement

    issuer = factory.SubFactory(IssuerFactory)
    fiscal_year = 2023
    period = StatementPeriod.FY
    kind = StatementKind.HISTORICAL
    version = 1
    revenue = Decimal("5000000.00")
    net_profit = Decimal("400000.00")
    total_assets = Decimal("8000000.00")
    total_liabilities = Decimal("3000000.00")
    operating_cash_flow = Decimal("350000.00")
    audited = True
    filed_at = factory.LazyFunction(timezone.now)
    filed_by = factory.LazyAttribute(lambda statement: statement.issuer.owner)


def use_of_funds(target: Decimal = Decimal("1000000.00")) -> list[dict[str, str]]:
    """Two uses adding up to `target`, as the service stores them."""
    first = (target * Decimal("0.6")).quantize(Decimal("0.01"))
    return [
        {"category": "product development", "amount": str(first)},
        {"category": "marketing", "amount": str(target - first)},
    ]


class OfferingFactory(DjangoModelFactory):
    """A valid offering in any status (set `status=`); opens in a day and closes in 30 unless told otherwise."""

    class Meta:
        model = Offering

    issuer = factory.SubFactory(IssuerFactory)
    regime = "cn"
    currency = "CNY"
    title = factory.Sequence(lambda n: f"Round {n}")
    summary = "Seed round to build the product."
    security = Security.NEW_SHARES
    price_per_share = Decimal("10.00")
    pre_money_valuation = Decimal("20000000.00")
    target_amount = Decimal("1000000.00")
    max_amount = Decimal("1500000.00")
    min_investment = Decimal("1000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda offering: offering.opens_at + dt.timedelta(days=30))
    use_of_funds = factory.LazyAttribute(lambda offering: use_of_funds(offering.target_amount))
    risk_factors = "You may lose everything you invest."
    status = OfferingStatus.DRAFT


def live_offering(**kwargs) -> Offering:
    """A live offering, open for two days, that closes in twenty."""
    now = timezone.now()
    return OfferingFactory(
        status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=2), closes_at=now + dt.timedelta(days=20), **kwargs
    )


def assert_nothing_posted() -> None:
    """A refused update left no update and no term change behind."""
    assert OfferingUpdate.objects.count() == 0
    assert TermChange.objects.count() == 0


def offering_snapshot(offering) -> dict:
    """Every stored field of `offering`, fresh from the database: what a refused edit must leave as it was."""
    offering.refresh_from_db()
    return {field.attname: getattr(offering, field.attname) for field in Offering._meta.concrete_fields}


def offering_state(offering) -> tuple:
    """What a refused decision must leave untouched: the status, the history and the approvals."""
    offering.refresh_from_db()
    return (
        offering.status,
        list(offering.transitions.values_list("from_status", "to_status", "by", "reason")),
        list(offering.approvals.values_list("by", flat=True)),
    )


def offering_terms(**overrides) -> dict:
    """The terms of a valid offering as strings, as the API and the web form both take them, without the dates, the
    uses of funds and the commitments, whose shapes differ between the two."""
    return {
        "title": "Lantern seed round",
        "summary": "Point-of-sale software for tea shops.",
        "security": "new_shares",
        "price_per_share": "10.00",
        "pre_money_valuation": "20000000.00",
        "target_amount": "1000000.00",
        "max_amount": "1500000.00",
        "min_investment": "1000.00",
        "risk_factors": "You may lose everything you invest.",
    } | overrides


def offering_payload(issuer, **overrides) -> dict:
    """The JSON body of a valid `POST offerings/` for `issuer`: opens tomorrow, closes 30 days later."""
    opens_at = timezone.now() + dt.timedelta(days=1)
    return (
        offering_terms(
            issuer=issuer.pk,
            opens_at=opens_at.isoformat(),
            closes_at=(opens_at + dt.timedelta(days=30)).isoformat(),
            use_of_funds=[
                {"category": "product development", "amount": "600000.00"},
                {"category": "marketing", "amount": "400000.00"},
            ],
            announced_commitments=[{"by": "lead", "amount": "200000.00"}],
        )
        | overrides
    )


VALID_USCC = "91110105FD91AAYF5A"


def company_fields(**overrides) -> dict:
    """A valid new company's fields as the API and the web form both take them."""
    return {
        "legal_name": "Hangzhou Lantern Technology Co., Ltd.",
        "uscc": VALID_USCC,
        "industry": "software",
        "founded_on": "2016-04-01",
        "description": "Point-of-sale software for tea shops.",
        "website": "https://lantern.example",
        "platform_stake_pct": "0",
    } | overrides


def statement_figures(**overrides) -> dict:
    """A valid full-year historical statement's figures as the API and the web form both take them."""
    return {
        "period": "FY",
        "kind": "historical",
        "revenue": "5000000.00",
        "net_profit": "400000.00",
        "total_assets": "8000000.00",
        "total_liabilities": "3000000.00",
    } | overrides


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF of blank pages, as a company would upload."""
    writer = pypdf.PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raise_that_missed_its_projection(issuer) -> Offering:
    """A raise closed in April 2024 on a projection of CNY 35 M profit for 2024, and the 2024 actual: a loss of
    CNY 26.8 M (-176.6%), revenue at 80% of the projection."""
    offering = OfferingFactory(
        issuer=issuer, status=OfferingStatus.CLOSED,
        opens_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC), closes_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    FinancialStatementFactory(
        issuer=issuer, fiscal_year=2024, kind=StatementKind.PROJECTION, filed_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        revenue=Decimal("100000000.00"), net_profit=Decimal("35000000.00"),
    )  # fmt: skip
    FinancialStatementFactory(
        issuer=issuer, fiscal_year=2024, kind=StatementKind.ACTUAL, filed_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        revenue=Decimal("80000000.00"), net_profit=Decimal("-26800000.00"),
    )  # fmt: skip
    return offering
