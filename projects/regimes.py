"""Investor-protection regimes: the rules and parameters an offering is held to.

A regime is one object. `MICHOU_REGIME` chooses the one stamped on each new offering, and every check asks the
offering's own regime (`regime_for(offering.regime)`), so changing the setting never changes the rules of offerings
already running. A rule a regime does not have is `None` (or `False`), and the check that reads it does nothing.
README "Investor-protection regimes" lists each rule with its source.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kernel.money import to_cents


@dataclass(frozen=True)
class Qualification:
    """Who may invest small amounts: a qualified investor, with financial assets of at least `financial_assets` or
    an average annual income (3 years) of at least `average_income`. Anyone else must invest at least
    `single_amount` in the one offering."""

    financial_assets: Decimal
    average_income: Decimal
    single_amount: Decimal

    def is_met(self, *, financial_assets: Decimal, average_income: Decimal) -> bool:
        return financial_assets >= self.financial_assets or average_income >= self.average_income


@dataclass(frozen=True)
class InvestmentLimit:
    """How much a non-accredited investor may invest in all offerings of the regime within `window_months`.

    When annual income or net worth is under `threshold`: the greater of `floor` and `lower_rate` of the greater of
    the two; otherwise `upper_rate` of the greater of the two, at most `cap`. Rounded down to the cent."""

    window_months: int
    floor: Decimal
    threshold: Decimal
    lower_rate: Decimal
    upper_rate: Decimal
    cap: Decimal
    accredited_unlimited: bool
    source: str

    def amount_for(self, *, annual_income: Decimal, net_worth: Decimal) -> Decimal:
        greater = max(annual_income, net_worth)
        if annual_income < self.threshold or net_worth < self.threshold:
            limit = max(self.floor, greater * self.lower_rate)
        else:
            limit = min(greater * self.upper_rate, self.cap)
        return to_cents(limit, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class IssuerCap:
    """An issuer raises at most `amount` in `window_months`, counting what it raised and what it has open."""

    amount: Decimal
    window_months: int
    source: str


@dataclass(frozen=True)
class EarlyClose:
    """Closing before the deadline: only once the target is met and the offering has been open `min_open_days`;
    investors are told, and the new deadline is at least `notice_business_days` business days after the notice, so
    that they can still cancel (until `cancel_window_hours` before it) once they know."""

    min_open_days: int
    notice_business_days: int
    source: str


@dataclass(frozen=True)
class RiskStatement:
    """What an investor signs before the first subscription under the regime. A new text needs a new version, and
    investors sign again."""

    version: str
    text: StrOrPromise  # lazily translated: read in the reader's language


@dataclass(frozen=True)
class Regime:
    code: str
    name: str
    currency: str
    # None: anyone who passed KYC and suitability may invest any amount (up to the investment limit, if any).
    qualification: Qualification | None
    # None: no limit on the number of investors in one offering.
    investor_cap: int | None
    minimum_risk_level: str
    # Investors may cancel until this many hours before the deadline.
    cancel_window_hours: int
    # An issuer that is the platform's own entity (settings.PLATFORM_OWN_ENTITY_USCCS) may not raise on it.
    refuse_platform_own_issuer: bool
    # Different staff approvals needed for an issuer tied to the platform (disclosed related party).
    related_party_approvals: int
    investment_limit: InvestmentLimit | None
    issuer_cap: IssuerCap | None
    # An offering must be open at least this many days (closes_at - opens_at).
    min_open_days: int | None
    # Every regime has one: no offering closes early without notice to its investors.
    early_close: EarlyClose
    risk_statement: RiskStatement


CN = Regime(
    code="cn",
    name="China, SAC 2014 draft rules for private equity crowdfunding",
    currency="CNY",
    qualification=Qualification(
        financial_assets=Decimal("3000000.00"),
        average_income=Decimal("500000.00"),
        single_amount=Decimal("1000000.00"),
    ),
    investor_cap=200,
    minimum_risk_level="C4",
    cancel_window_hours=48,
    refuse_platform_own_issuer=True,
    related_party_approvals=2,
    investment_limit=None,
    issuer_cap=None,
    min_open_days=None,
    # The draft rules say nothing on closing early; the platform gives the notice Reg CF requires, which leaves
    # investors at least 3 business days to cancel after they are told (the window ends 48 hours before).
    early_close=EarlyClose(min_open_days=0, notice_business_days=5, source="Michou platform policy"),
    risk_statement=RiskStatement(
        version="cn-2026.1",
        text=_(
            "I understand that equity crowdfunding is a high-risk investment. The company may fail and I may lose "
            "all the money I invest. The shares are not listed, can rarely be sold, and may pay no dividend. My "
            "stake may be diluted by later rounds. The platform does not guarantee any return or repay any loss. I "
            "invest only money I can afford to lose, and I have read the offering's risk factors."
        ),
    ),
)

US_REG_CF = Regime(
    code="us_reg_cf",
    name="United States, Regulation Crowdfunding (17 CFR 227), 2021 amounts",
    currency="USD",
    qualification=None,
    investor_cap=None,
    minimum_risk_level="C4",
    cancel_window_hours=48,
    refuse_platform_own_issuer=True,
    related_party_approvals=2,
    investment_limit=InvestmentLimit(
        window_months=12,
        floor=Decimal("2500.00"),
        threshold=Decimal("124000.00"),
        lower_rate=Decimal("0.05"),
        upper_rate=Decimal("0.10"),
        cap=Decimal("124000.00"),
        accredited_unlimited=True,
        source="17 CFR 227.100(a)(2)",
    ),
    issuer_cap=IssuerCap(amount=Decimal("5000000.00"), window_months=12, source="17 CFR 227.100(a)(1)"),
    min_open_days=21,
    early_close=EarlyClose(min_open_days=21, notice_business_days=5, source="17 CFR 227.304(b)"),
    risk_statement=RiskStatement(
        version="us_reg_cf-2026.1",
        text=_(
            "I have reviewed the platform's educational materials. I understand that I can lose my entire "
            "investment, that I must be able to bear that loss, and that securities bought in a crowdfunding "
            "offering are hard to sell and may not be resold for one year. I understand that I may cancel my "
            "investment until 48 hours before the offering's deadline, and that my investments in crowdfunding "
            "offerings over any 12 months are limited by my income and net worth unless I am accredited."
        ),
    ),
)

REGIMES: dict[str, Regime] = {regime.code: regime for regime in (CN, US_REG_CF)}


def regime_for(code: str) -> Regime:
    return REGIMES[code]


def current_regime() -> Regime:
    return regime_for(settings.MICHOU_REGIME)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local day and time `months` calendar months earlier (the last day of the month when it is short)."""
    local = timezone.localtime(moment)
    year, month_index = divmod(local.year * 12 + local.month - 1 - months, 12)
    month = month_index + 1
    return local.replace(year=year, month=month, day=min(local.day, calendar.monthrange(year, month)[1]))
