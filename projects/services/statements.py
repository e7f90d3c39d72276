"""Financial statements a company files: each filing a new version, never an overwrite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import events
from kernel.errors import FieldErrors
from kernel.money import parse_money
from projects.models import FinancialStatement, Issuer, StatementKind, StatementPeriod
from projects.services.issuers import ensure_manages_issuer

PERIOD_END_MONTH = {"FY": 12, "H1": 6, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}


def period_end(fiscal_year: int, period: str) -> dt.date:
    month = PERIOD_END_MONTH[period]
    next_month_first = dt.date(fiscal_year + (month == 12), month % 12 + 1, 1)
    return next_month_first - dt.timedelta(days=1)


def financial_statement_file(
    *,
    issuer: Issuer,
    by,
    fiscal_year: int,
    period: str,
    kind: str,
    revenue: Decimal | str,
    net_profit: Decimal | str,
    total_assets: Decimal | str,
    total_liabilities: Decimal | str,
    operating_cash_flow: Decimal | str | None = None,
    audited: bool = False,
) -> FinancialStatement:
    """File one period's figures. Filing the same period and kind again makes a new version; nothing is overwritten.

    Figures that cannot all be true (a profit above revenue, negative assets) are accepted: they are what the
    risk review exists to flag, and refusing them would hide them.
    """
    ensure_manages_issuer(by, issuer)
    now = timezone.now()
    errors = FieldErrors()
    if period not in StatementPeriod.values:
        errors.add("period", _("Choose FY, H1, Q1, Q2, Q3 or Q4."))
    if kind not in StatementKind.values:
        errors.add("kind", _("Choose historical, projection or actual."))
    if not isinstance(fiscal_year, int) or not 1900 <= fiscal_year <= now.year + 10:
        errors.add("fiscal_year", _("Enter a fiscal year between 1900 and %(max)s.") % {"max": now.year + 10})
    figures = {
        "revenue": parse_money(revenue, "revenue", errors, positive=False),
        "net_profit": parse_money(net_profit, "net_profit", errors, positive=False),
        "total_assets": parse_money(total_assets, "total_assets", errors, positive=False),
        "total_liabilities": parse_money(total_liabilities, "total_liabilities", errors, positive=False),
        "operating_cash_flow": None
        if operating_cash_flow in (None, "")
        else parse_money(operating_cash_flow, "operating_cash_flow", errors, positive=False),
    }
    if not errors.fields and kind != StatementKind.PROJECTION:
        if period_end(fiscal_year, period) >= timezone.localdate(now):
            errors.add("fiscal_year", _("Historical and actual figures can be filed only after the period has ended."))
    errors.raise_if_any()

    with transaction.atomic():
        # Lock the company so that two filings of the same period get consecutive versions.
        Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)
        previous = (
            FinancialStatement.objects.filter(issuer=issuer, fiscal_year=fiscal_year, period=period, kind=kind)
            .order_by("-version")
            .first()
        )
        statement = FinancialStatement.objects.create(
            issuer=issuer,
            fiscal_year=fiscal_year,
            period=period,
            kind=kind,
            version=previous.version + 1 if previous else 1,
            supersedes=previous,
            audited=bool(audited),
            filed_at=now,
            filed_by=by,
            **figures,
        )
        events.announce("statement_filed", issuer_id=issuer.pk)
        return statement
