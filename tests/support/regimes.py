"""An offering and an investor under the us_reg_cf regime."""

from __future__ import annotations

from decimal import Decimal

from investors.models import KycStatus
from investors.tests.factories import KycProfileFactory, RiskAcknowledgementFactory, SuitabilityAssessmentFactory
from projects.models import Offering
from tests.support.money import live_offering

US = "us_reg_cf"


def us_offering(**overrides) -> Offering:
    """A live us_reg_cf offering selling one-dollar shares."""
    values = {
        "regime": US,
        "currency": "USD",
        "price_per_share": Decimal("1.00"),
        "min_investment": Decimal("1.00"),
        "target_amount": Decimal("100000.00"),
        "max_amount": Decimal("150000.00"),
    }
    return live_offering(**(values | overrides))


def us_investor(*, income="40000.00", net_worth="30000.00", accredited=False, signed=True):
    """Verified, suitable, with figures in USD; by default a limit of USD 2,500 (5% of 40,000 is under the floor)."""
    kyc = KycProfileFactory(
        status=KycStatus.VERIFIED,
        currency="USD",
        annual_income=Decimal(income),
        financial_assets=Decimal("0.00"),
        net_worth=None if net_worth is None else Decimal(net_worth),
        accredited_investor=accredited,
    )
    SuitabilityAssessmentFactory(user=kyc.user, risk_level="C5", score=33)
    if signed:
        RiskAcknowledgementFactory(investor=kyc.user, regime=US)
    return kyc.user
