"""The offering page in headless Chromium, at phone and desktop width: an investor reads the financials chart and
asks a question in public, the issuer answers it, and the page never scrolls sideways. Screenshots are saved to
`screenshots/` (git-ignored) for people to look at."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import PASSWORD, InvestorFactory
from projects.models import OfferingQuestion, StatementKind
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, live_offering

pytestmark = pytest.mark.django_db(transaction=True)


def offering_with_financials():
    issuer = IssuerFactory(legal_name="Lantern Tea Software Ltd")
    FinancialStatementFactory(issuer=issuer, fiscal_year=2024, net_profit=Decimal("-400000.00"))
    FinancialStatementFactory(issuer=issuer, fiscal_year=2025, revenue=Decimal("6500000.00"))
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2026,
        kind=StatementKind.PROJECTION,
        revenue=Decimal("8000000.00"),
        net_profit=Decimal("900000.00"),
    )
    return live_offering(issuer=issuer, raised_amount=Decimal("420000.00"), reserved_amount=Decimal("420000.00"))


def test_investor_reads_the_financials_and_asks_a_question_the_issuer_answers(browser, screen):
    width = screen.width
    offering = offering_with_financials()
    page = f"/offerings/{offering.pk}/"
    investor = InvestorFactory(username="careful_wang")

    browser.log_in(investor, PASSWORD)
    browser.open(page)
    browser.assert_no_sideways_scrolling(width)
    chart = browser.find("#profit-chart-caption").find_element("xpath", "..")
    assert chart.find_element("css selector", "svg.chart").size["width"] <= width
    bars = browser.find_all("#financials svg.chart rect.kind-historical")
    assert len(bars) == 4  # revenue and net profit of 2024 and 2025
    assert "negative" in browser.find("#financials svg.chart rect.kind-historical.negative").get_attribute("class")
    assert "Full-year figures by year (CNY)" in browser.text()
    browser.screenshot(f"offering-{screen.name}", width, screen.height)

    browser.find("#questions textarea[name=text]").send_keys("How many paying shops do you have?")
    browser.submit("#questions form.ask [type=submit]")
    assert "Your question is published." in browser.text()
    question = OfferingQuestion.objects.get()

    browser.log_in(offering.issuer.owner, PASSWORD)
    browser.open(page)
    browser.find(f"#id_answer_{question.pk}_text").send_keys("312 shops pay monthly.")
    browser.submit(f"form[action='/questions/{question.pk}/answer/'] [type=submit]")
    assert "Your answer is published." in browser.text()

    browser.start_session_in_english()
    browser.open(page + "#questions")
    questions_section = browser.find("#questions").text
    assert "How many paying shops do you have?" in questions_section
    assert "careful_wang" in questions_section and "312 shops pay monthly." in questions_section
    browser.assert_no_sideways_scrolling(width)
    browser.screenshot(f"offering-questions-{screen.name}", width, screen.height)
