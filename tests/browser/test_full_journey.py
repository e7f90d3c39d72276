"""The whole web journey of issue #11 in headless Chromium, at phone and desktop width: an issuer lists an offering
with statements and a document, staff approve it, an investor passes KYC, reads the financials chart, asks a
question the issuer answers, subscribes, cancels and subscribes again, confirms new terms after a material change,
and after the close finds the holding beside the company's results and what the platform emailed; an offering on a
risk hold says so and offers no subscription; the language switch turns money and dates Chinese. No page scrolls
sideways at 390 px. Screenshots go to `screenshots/` (git-ignored); README shows a few.

The clock's moves (the offering opens, its deadline passes) are made by moving its dates in the database and
running the periodic jobs' services, as Celery beat would."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, InvestorFactory, IssuerUserFactory, OfferingReviewerFactory
from investors.models import Holding, Subscription, SubscriptionStatus
from investors.subscriptions import settlement
from investors.tests.factories import IDENTITY_NUMBER
from projects import services as project_services
from projects.models import Offering, OfferingStatus, StatementKind
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, live_offering, pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe")]

# Sets form fields by name (text, select, date and datetime inputs alike; checkboxes and radios by value), as a
# person would before pressing the form's button. Run through the driver, so the page's CSP does not apply to it.
FILL_FORM = """
const form = document.querySelector(arguments[0]);
for (const [name, value] of Object.entries(arguments[1])) {
  const fields = form.querySelectorAll(`[name="${name}"]`);
  if (!fields.length) throw new Error(`no field ${name} in ${arguments[0]}`);
  for (const field of fields) {
    if (field.type === "checkbox") field.checked = Boolean(value);
    else if (field.type === "radio") field.checked = field.value === value;
    else field.value = value;
  }
}
"""
PAID_WITHIN_SECONDS = 20


def fill(browser, form: str, values: dict) -> None:
    browser.driver.execute_script(FILL_FORM, form, values)


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def look(browser, screen, name: str) -> None:
    browser.assert_no_sideways_scrolling(screen.width)
    browser.screenshot(f"journey-{name}-{screen.name}", screen.width, screen.height)


def wait_until_paid(browser, subscription_count: int) -> Subscription:
    """The subscription is paid once "My subscriptions" says so: at once when the charge is made in the request, a
    little later when a worker makes it (the page is loaded again until then)."""
    deadline = time.monotonic() + PAID_WITHIN_SECONDS
    while True:
        browser.open("/investor/subscriptions/")
        if browser.text().count("Paid (in escrow)") >= 1:
            break
        assert time.monotonic() < deadline, "the subscription was not shown as paid within 20 s:\n" + browser.text()
        time.sleep(0.5)
    assert Subscription.objects.count() == subscription_count
    return Subscription.objects.get(status=SubscriptionStatus.PAID)


def subscribe(browser, offering: Offering, amount: str, *, first_time: bool) -> None:
    browser.open(f"/offerings/{offering.pk}/")
    browser.find("#subscribe-call a[href='#subscribe']")  # the call to action offers it, and the panel is there
    values = {"amount": amount, "payment_method": "pm_card_visa"}
    if first_time:
        values["accept_risks"] = True  # signing the regime's risk statement, once
    fill(browser, "#subscribe form", values)
    browser.submit("#subscribe form [type=submit]")
    assert "Your place is reserved; the payment is in progress." in browser.text()


def test_from_listing_to_holding_with_reconfirmation_risk_hold_and_languages(browser, screen, tmp_path):
    issuer = IssuerFactory(legal_name="Lantern Tea Software Ltd", owner=IssuerUserFactory())
    FinancialStatementFactory(issuer=issuer, fiscal_year=2024, revenue=Decimal("4200000.00"))
    plan = tmp_path / "business-plan.pdf"
    plan.write_bytes(pdf_bytes(pages=2))
    opens_at = timezone.now() + dt.timedelta(days=1)

    # The issuer files a statement and a projection, drafts the offering, uploads the business plan and submits.
    browser.log_in(issuer.owner, PASSWORD)
    for figures in (
        {"fiscal_year": "2025", "period": "FY", "kind": "historical", "revenue": "6500000.00",
         "net_profit": "300000.00", "total_assets": "9000000.00", "total_liabilities": "3000000.00", "audited": True},
        {"fiscal_year": timezone.now().year, "period": "FY", "kind": "projection", "revenue": "8000000.00",
         "net_profit": "900000.00", "total_assets": "12000000.00", "total_liabilities": "4000000.00"},
    ):  # fmt: skip
        browser.open(f"/companies/{issuer.pk}/")
        fill(browser, "form.form.compact", figures)
        browser.submit("form.form.compact [type=submit]")
        assert "The statement is filed." in browser.text()
    browser.open(f"/companies/{issuer.pk}/offerings/new/")
    fill(browser, "main form.form", {
        "title": "Lantern Tea Series A", "summary": "Point-of-sale software for tea shops.", "security": "new_shares",
        "price_per_share": "10.00", "pre_money_valuation": "20000000.00", "target_amount": "100000.00",
        "max_amount": "150000.00", "min_investment": "1000.00", "opens_at": local_input(opens_at),
        "closes_at": local_input(opens_at + dt.timedelta(days=30)),
        "risk_factors": "Tea shops may not renew their subscriptions.",
        "use_of_funds-0-category": "engineers", "use_of_funds-0-amount": "100000.00",
    })  # fmt: skip
    browser.submit("main form.form [type=submit]")
    assert "The draft is saved." in browser.text(), browser.text()
    offering = Offering.objects.get(title="Lantern Tea Series A")
    page = f"/offerings/{offering.pk}/"
    browser.open(page)
    browser.find("#documents select[name=kind]").send_keys("Business plan")
    browser.find("#documents input[name=title]").send_keys("Business plan 2027")
    browser.find("#documents input[name=file]").send_keys(str(plan))
    browser.submit("#documents form.upload [type=submit]")
    assert "The document is in the data room." in browser.text()
    browser.submit(f"form[action='/offerings/{offering.pk}/submit/'] [type=submit]")
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW
    look(browser, screen, "issuer-submitted")

    # Staff approve it in the admin; the next morning it opens.
    browser.log_in(OfferingReviewerFactory(), PASSWORD, path="/admin/login/", form="#login-form")
    browser.open("/admin/projects/offering/")
    browser.find(f"input[name=_selected_action][value='{offering.pk}']").click()
    browser.find("select[name=action] option[value=approve_selected_offerings]").click()
    browser.submit("button[name=index]")
    assert "1 done." in browser.find("ul.messagelist").text
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.APPROVED
    Offering.objects.filter(pk=offering.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
    project_services.offerings_open_due()

    # An investor passes KYC and the questionnaire, reads the financials and asks a question.
    investor = InvestorFactory(username="careful_wang")
    browser.log_in(investor, PASSWORD)
    browser.open(page)
    assert "Verify your identity (KYC) before subscribing." in browser.find("#subscribe-call").text
    assert not browser.find_all("#subscribe form")
    browser.open("/investor/kyc/")
    fill(browser, "main form", {
        "real_name": "Wang Min", "id_number": IDENTITY_NUMBER, "date_of_birth": "1960-01-08", "phone": "13800138000",
        "annual_income": "600000.00", "financial_assets": "3500000.00",
    })  # fmt: skip
    browser.submit("main form [type=submit]")
    browser.open("/investor/questionnaire/")
    fill(browser, "main form", {
        "experience": "long", "unlisted_equity": "several", "loss_tolerance": "limited", "horizon": "over_5y",
        "share_of_assets": "under_10", "knowledge": "total_loss",
    })  # fmt: skip
    browser.submit("main form [type=submit]")
    browser.open(page)
    assert len(browser.find_all("#financials svg.chart rect.kind-historical")) == 4  # 2024 and 2025, both figures
    assert len(browser.find_all("#financials svg.chart rect.kind-projection")) == 2
    look(browser, screen, "offering")
    browser.find("#questions textarea[name=text]").send_keys("How many paying shops do you have?")
    browser.submit("#questions form.ask [type=submit]")
    assert "Your question is published." in browser.text()

    browser.log_in(issuer.owner, PASSWORD)
    browser.open(page)
    question_id = browser.find("#questions [id^=id_answer_]").get_attribute("id").split("_")[2]
    browser.find(f"#id_answer_{question_id}_text").send_keys("312 shops pay monthly.")
    browser.submit(f"form[action='/questions/{question_id}/answer/'] [type=submit]")
    assert "Your answer is published." in browser.text()

    # The investor subscribes, cancels, and subscribes again.
    browser.log_in(investor, PASSWORD)
    browser.open(page + "#questions")
    assert "312 shops pay monthly." in browser.find("#questions").text
    assert "CNY 150,000.00 still available" in browser.find("#subscribe-call").text
    subscribe(browser, offering, "100000.00", first_time=True)
    first = wait_until_paid(browser, subscription_count=1)
    browser.submit(f"form[action='/investor/subscriptions/{first.pk}/cancel/'] [type=submit]")
    first.refresh_from_db()
    assert first.status in (SubscriptionStatus.CANCELLED, SubscriptionStatus.REFUNDED)
    subscribe(browser, offering, "100000.00", first_time=False)
    second = wait_until_paid(browser, subscription_count=2)
    look(browser, screen, "subscriptions")

    # A material change: the issuer says so, and the investor confirms the new terms.
    browser.log_in(issuer.owner, PASSWORD)
    browser.open(f"/offerings/{offering.pk}/updates/new/")
    fill(browser, "main form", {"title": "New lead engineer", "body": "Our CTO left; a new one starts in May.",
                                "material_change": True})  # fmt: skip
    browser.submit("main form [type=submit]")
    assert "The update is published." in browser.text()
    browser.log_in(investor, PASSWORD)
    browser.open("/investor/")
    assert "Lantern Tea Series A" in browser.find("#reconfirmation-banner").text
    look(browser, screen, "reconfirmation")
    browser.submit(f"#reconfirmation-banner button[data-reconfirm='{second.pk}']")
    assert not browser.find_all("#reconfirmation-banner")

    # The deadline passes: the offering closes, the shares are issued, and the company reports its actual year.
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()
    settlement.offerings_settle_closing()
    assert Holding.objects.get(investor=investor).shares == 10000
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=timezone.now().year,
        kind=StatementKind.ACTUAL,
        revenue=Decimal("7600000.00"),
        net_profit=Decimal("-200000.00"),
    )
    browser.open("/investor/")
    portfolio = browser.find("#portfolio").text
    assert "Lantern Tea Software Ltd" in portfolio and "10000" in portfolio
    assert "has not yet reported actual results" not in portfolio
    assert browser.find_all(f"#company-{issuer.pk}-profit-chart-caption")
    look(browser, screen, "portfolio")

    # What the platform emailed: counted in the menu until read.
    assert browser.find(".notifications-link .badge.count").text.split()[0].isdigit()
    browser.find(".notifications-link").click()
    # At least: paid, cancelled, paid again, new terms to confirm, confirmed again, the shares issued.
    assert len(browser.find_all(".notification.unread")) >= 6
    look(browser, screen, "notifications")

    # Another company's offering is on a risk hold: the page says so and offers no subscription.
    held = live_offering(issuer=IssuerFactory(legal_name="Hongli Energy Ltd"))
    project_services.offering_risk_hold_set(offering_id=held.pk, hold=True, reason="Forecast far above its record.")
    browser.open(f"/offerings/{held.pk}/")
    assert "Subscriptions are paused while the platform reviews a risk signal." in browser.find("#subscribe-call").text
    assert "On hold for risk review" in browser.text()
    assert not browser.find_all("#subscribe form")
    look(browser, screen, "risk-hold")

    # In Chinese, money and dates read as Chinese writes them; back in English they read as before.
    browser.open("/investor/")
    browser.switch_language("zh-hans")
    dashboard = browser.text()
    assert "100,000.00 元" in dashboard and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", dashboard)
    look(browser, screen, "portfolio-zh")
    browser.switch_language("en")
    assert "CNY 100,000.00" in browser.text()
