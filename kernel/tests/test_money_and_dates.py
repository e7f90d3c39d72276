"""The kernel's money and calendar helpers, which every app's rules use."""

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from kernel.dates import business_days_after
from kernel.errors import FieldErrors, ValidationFailed
from kernel.money import from_minor_units, money_text, parse_money, to_cents, to_minor_units

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_amounts_in_messages_have_thousands_separators_and_two_decimals():
    assert money_text(Decimal("1234567.8")) == "1,234,567.80"


@pytest.mark.parametrize(("rounding", "expected"), [(ROUND_HALF_UP, "0.13"), (ROUND_DOWN, "0.12")])
def test_a_part_of_a_cent_goes_the_way_the_caller_states(rounding, expected):
    assert to_cents(Decimal("0.125"), rounding=rounding) == Decimal(expected)


def test_the_payment_provider_counts_fen_and_refuses_a_part_of_one():
    assert to_minor_units(Decimal("13190.40"), "cny") == 1319040
    assert from_minor_units(1319040, "CNY") == Decimal("13190.40")
    with pytest.raises(ValueError):
        to_minor_units(Decimal("0.005"), "CNY")


def test_money_typed_in_is_parsed_and_every_fault_is_named_at_once():
    errors = FieldErrors()

    assert parse_money("1000.5", "amount", errors) == Decimal("1000.50")
    parse_money(1000.5, "price", errors)
    parse_money("1.001", "fee", errors)
    with pytest.raises(ValidationFailed) as refusal:
        errors.raise_if_any()
    assert set(refusal.value.fields) == {"price", "fee"}


def test_business_days_skip_the_weekend_and_keep_the_time_of_day():
    friday_evening = dt.datetime(2026, 11, 27, 18, 30, tzinfo=SHANGHAI)

    assert business_days_after(friday_evening, 1) == dt.datetime(2026, 11, 30, 18, 30, tzinfo=SHANGHAI)
    assert business_days_after(friday_evening, 5) == dt.datetime(2026, 12, 4, 18, 30, tzinfo=SHANGHAI)
