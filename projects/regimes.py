"""Investor-protection regimes: the rules and parameters an offering is held to.

Each offering is stamped with its regime's code when it is created, so changing `MICHOU_REGIME` never changes the
rules of offerings already running.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class Regime:
    code: str
    name: str
    currency: str
    # A qualified investor: financial assets at least this, or average annual income (3 years) at least this.
    qualified_financial_assets: Decimal
    qualified_average_income: Decimal
    # A non-qualified investor may still subscribe with a single amount at least this large.
    qualified_single_amount: Decimal
    investor_cap: int
    minimum_risk_level: str
    cancel_window_hours: int


CN = Regime(
    code="cn",
    name="China, SAC 2014 draft rules for private equity crowdfunding",
    currency="CNY",
    qualified_financial_assets=Decimal("3000000.00"),
    qualified_average_income=Decimal("500000.00"),
    qualified_single_amount=Decimal("1000000.00"),
    investor_cap=200,
    minimum_risk_level="C4",
    cancel_window_hours=48,
)

REGIMES: dict[str, Regime] = {CN.code: CN}


def regime_for(code: str) -> Regime:
    return REGIMES[code]


def current_regime() -> Regime:
    return regime_for(settings.MICHOU_REGIME)
