"""The investor's dashboard: what has a deadline (subscriptions still holding money or capacity), and the portfolio,
each company with its reported results against what it projected when it raised (the offering page's figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from investors.models import CAPACITY_STATUSES, Holding
from investors.kyc.selectors import SubscriptionRow, holdings_of, subscription_rows_of
from projects.models import Issuer
from projects.selectors import Financials, issuers_financials


@dataclass(frozen=True)
class PortfolioCompany:
    issuer: Issuer
    currency: str
    holdings: list[Holding]
    financials: Financials

    @property
    def chart_id(self) -> str:
        """Prefix of the company's chart ids: unique on a page that shows several companies."""
        return f"company-{self.issuer.pk}-"


@dataclass(frozen=True)
class Dashboard:
    open_subscriptions: list[SubscriptionRow]  # nearest deadline first
    companies: list[PortfolioCompany]


def _next_deadline(row: SubscriptionRow) -> dt.datetime:
    return min(filter(None, (row.subscription.reconfirm_deadline, row.cancel_deadline)))


def investor_dashboard(*, user, now: dt.datetime) -> Dashboard:
    """A fixed number of queries whatever the number of subscriptions, holdings and statements."""
    open_rows = [row for row in subscription_rows_of(user, now=now) if row.subscription.status in CAPACITY_STATUSES]
    by_issuer: dict[int, list[Holding]] = {}
    for holding in holdings_of(user).select_related("offering__issuer"):
        by_issuer.setdefault(holding.offering.issuer_id, []).append(holding)
    financials = issuers_financials(list(by_issuer))
    companies = [
        PortfolioCompany(
            issuer=held[0].offering.issuer, currency=held[0].currency, holdings=held, financials=financials[issuer_id]
        )
        for issuer_id, held in by_issuer.items()
    ]
    return Dashboard(open_subscriptions=sorted(open_rows, key=_next_deadline), companies=companies)
