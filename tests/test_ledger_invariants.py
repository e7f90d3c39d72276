"""Whatever investors do, the books balance: escrow equals paid − refunded − released, and all accounts sum to zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from investors.models import Holding, Payment, Refund, Subscription
from investors.subscriptions import services as subscriptions
from investors.subscriptions import settlement
from kernel.errors import DomainError
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects.models import Offering
from tests.support.money import eligible_investor, live_offering

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]

CARDS = st.sampled_from(["pm_card_visa", "pm_card_visa", "pm_card_visa_chargeDeclined"])
OPERATION = st.one_of(
    st.tuples(st.just("subscribe"), st.integers(0, 2), st.integers(1, 8), CARDS),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
)


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=8), close_at_end=st.booleans())
def test_escrow_is_paid_minus_refunded_minus_released_after_any_sequence(operations, close_at_end):
    offering = live_offering(target_amount=Decimal("30000.00"), max_amount=Decimal("50000.00"))
    investors = [eligible_investor() for _ in range(3)]
    for number, operation in enumerate(operations):
        try:
            if operation[0] == "subscribe":
                _kind, who, thousands, card = operation
                subscriptions.subscription_create(
                    investor=investors[who],
                    offering=offering,
                    amount=Decimal(thousands * 5000),
                    payment_method=card,
                    idempotency_key=f"op-{number}",
                )
            else:
                mine = list(Subscription.objects.filter(offering=offering).order_by("pk"))
                if mine:
                    target = mine[operation[1] % len(mine)]
                    subscriptions.subscription_cancel(subscription=target, by=target.investor)
        except DomainError:
            pass
    if close_at_end:
        Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
        settlement.offering_settle(offering_id=offering.pk)

    paid = _sum(Payment.objects.filter(subscription__offering=offering))
    refunded = _sum(Refund.objects.filter(subscription__offering=offering, status="succeeded"))
    released = _sum(Holding.objects.filter(offering=offering))
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == paid - refunded - released
    assert total_of_all_accounts() == 0
    offering.refresh_from_db()
    assert offering.reserved_amount <= offering.max_amount
