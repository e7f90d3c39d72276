"""Money and dates read as each language writes them: "CNY 100,000.00" and "30 Nov 2026" in English,
"100,000.00 元" and "2026年11月30日" in Chinese, on the pages as well as in the one filter that formats money."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pytest_django.asserts import assertContains, assertNotContains

from crowdfund.money_format import money_display
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, live_offering


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("en", Decimal("100000"), "CNY 100,000.00"),
        ("zh-hans", Decimal("100000"), "100,000.00 元"),
        ("en", Decimal("-26800000.5"), "CNY -26,800,000.50"),
        ("zh-hans", Decimal("999.999"), "1,000.00 元"),
    ],
)
def test_money_reads_as_the_language_writes_it(language, amount, shown):
    with translation.override(language):
        assert money_display(amount, "CNY") == shown


def test_another_currency_is_named_by_its_code():
    with translation.override("zh-hans"):
        assert money_display(Decimal("2500"), "USD") == "2,500.00 USD"


@pytest.mark.parametrize(
    ("language", "date_shown", "datetime_shown"),
    [("en", "30 Nov 2026", "30 Nov 2026, 14:05"), ("zh-hans", "2026年11月30日", "2026年11月30日 14:05")],
)
def test_dates_read_as_the_language_writes_them(language, date_shown, datetime_shown):
    with translation.override(language):
        assert formats.date_format(dt.date(2026, 11, 30), "SHORT_DATE_FORMAT") == date_shown
        assert formats.date_format(dt.datetime(2026, 11, 30, 14, 5), "SHORT_DATETIME_FORMAT") == datetime_shown


@pytest.mark.django_db
def test_offering_page_in_chinese_groups_amounts_but_not_years(client):
    issuer = IssuerFactory()
    FinancialStatementFactory(issuer=issuer, fiscal_year=2025, revenue=Decimal("6500000.00"))
    offering = live_offering(issuer=issuer)

    response = client.get(reverse("projects:offering_detail", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assertContains(response, "1,000,000.00 元")
    assertContains(response, "6,500,000.00")
    assertContains(response, "<td>2025</td>", html=True)
    assertNotContains(response, "2,025")
