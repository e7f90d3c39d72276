from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from ledger.models import Line
from ledger.services import account_code


def balance(kind: str, owner_id: int | None = None) -> Decimal:
    total = Line.objects.filter(account__code=account_code(kind, owner_id)).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def total_of_all_accounts() -> Decimal:
    return Line.objects.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
