"""The review policy's thresholds, read from settings.RISK_POLICY (each overridable by environment variable)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    # performance_deviation: actual net profit under this share of the projection, revenue under this share.
    profit_shortfall_ratio: Decimal
    revenue_shortfall_ratio: Decimal
    # forecast_inconsistent: a projected net profit more than this multiple of the latest historical one.
    forecast_growth_multiple: Decimal
    # ... or more than this multiple of the same year's year-to-date result annualized.
    forecast_run_rate_multiple: Decimal
    # interim_shortfall: an actual interim net profit under this share of the projection's pro-rata share, revenue
    # under this share.
    interim_profit_shortfall_ratio: Decimal
    interim_revenue_shortfall_ratio: Decimal
    # commitment_unfunded: checked from this many days before the deadline.
    commitment_window_days: int
    # platform_conflict: a stake from this percentage is high severity.
    platform_stake_high_pct: Decimal
    # financial_inconsistency: quarters against their FY, and a re-filing against the earlier filing.
    quarterly_tolerance_ratio: Decimal
    refiling_tolerance_ratio: Decimal
    # insufficient_assurance: a target above this needs audited latest historical figures.
    assurance_target_amount: Decimal
    # shill_subscriptions: share of the paid amount from linked young accounts or insiders, and what "young" is.
    shill_paid_share: Decimal
    shill_account_age_days: int


def current_policy() -> Policy:
    """The thresholds the rules take. RISK_POLICY["interim_report_due_days"] is not among them: it is read by the
    post-funding duties of `projects`, which interim_report_missing asks."""
    values: dict[str, Any] = {}
    for field in fields(Policy):
        raw = settings.RISK_POLICY[field.name]
        values[field.name] = int(raw) if field.type == "int" else Decimal(raw)
    return Policy(**values)
