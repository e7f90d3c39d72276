"""Journeys across the data room, the issuer's guide, the investor's dashboard and the staff start page in headless
Chromium, at phone and desktop width: the issuer uploads a PDF, an investor downloads it as an attachment while an
anonymous visitor cannot, staff see what waits; every page carries a language switch that works, and a Chinese
browser gets Chinese by default. Screenshots go to `screenshots/` (git-ignored)."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest

from accounts.tests.factories import PASSWORD, InvestorFactory, SuperuserFactory
from projects.models import OfferingDocument, StatementKind
from projects.tests.factories import (
    FinancialStatementFactory,
    IssuerFactory,
    OfferingFactory,
    live_offering,
    pdf_bytes,
)
from risk.models import Case, Severity, SubjectType

pytestmark = pytest.mark.django_db(transaction=True)

FETCH_HEADERS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: "same-origin", redirect: "manual"}).then(response => done([
  response.status, response.headers.get("content-type"), response.headers.get("content-disposition"),
  response.headers.get("x-content-type-options"),
]));
"""


def language_switch_works(browser) -> None:
    """The page's own switch turns it to Chinese and back, staying on the same page."""
    path = urlparse(browser.driver.current_url).path
    browser.switch_language("zh-hans")
    assert (browser.language(), urlparse(browser.driver.current_url).path) == ("zh-hans", path)
    browser.switch_language("en")
    assert (browser.language(), urlparse(browser.driver.current_url).path) == ("en", path)


def wait_for_download(folder, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        finished = list(folder.glob("*.pdf"))
        if finished:
            return finished[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing was downloaded to {folder}")


def test_data_room_dashboard_guide_and_staff_start_page(browser, screen, tmp_path):
    issuer = IssuerFactory(legal_name="Lantern Tea Software Ltd")
    FinancialStatementFactory(issuer=issuer, fiscal_year=2025)
    FinancialStatementFactory(issuer=issuer, fiscal_year=2026, kind=StatementKind.PROJECTION)
    offering = live_offering(issuer=issuer)
    OfferingFactory(issuer=issuer, title="Series A")  # the next raise, a draft the guide follows
    page = f"/offerings/{offering.pk}/"
    plan = tmp_path / "business-plan.pdf"
    plan.write_bytes(pdf_bytes(pages=3))
    Case.objects.create(
        subject_type=SubjectType.ISSUER, subject_id=issuer.pk, issuer=issuer, severity=Severity.HIGH,
        opened_at=offering.opens_at,
    )  # fmt: skip

    # The issuer uploads the business plan from the offering page.
    browser.log_in(issuer.owner, PASSWORD)
    browser.open(page)
    browser.find("#documents select[name=kind]").send_keys("Business plan")
    browser.find("#documents input[name=title]").send_keys("Business plan 2027")
    browser.find("#documents input[name=file]").send_keys(str(plan))
    browser.submit("#documents form.upload [type=submit]")
    assert "The document is in the data room." in browser.text()
    assert "Business plan 2027" in browser.find("#documents").text
    document = OfferingDocument.objects.get()
    browser.assert_no_sideways_scrolling(screen.width)
    browser.screenshot(f"documents-issuer-{screen.name}", screen.width, screen.height)
    language_switch_works(browser)

    browser.open(f"/companies/{issuer.pk}/guide/")
    assert "3 of 5 steps done" in browser.text() and "Upload the business plan." in browser.text()
    browser.assert_no_sideways_scrolling(screen.width)
    browser.screenshot(f"guide-{screen.name}", screen.width, screen.height)
    language_switch_works(browser)

    # An investor downloads it: an attachment, never shown inline.
    browser.log_in(InvestorFactory(), PASSWORD)
    browser.open("/investor/")
    browser.assert_no_sideways_scrolling(screen.width)
    language_switch_works(browser)
    browser.open(page)
    link = browser.find(f"#documents a[href='/documents/{document.pk}/']")
    href = link.get_attribute("href")
    status, content_type, disposition, nosniff = browser.driver.execute_async_script(FETCH_HEADERS, href)
    assert (status, content_type, nosniff) == (200, "application/pdf", "nosniff")
    assert disposition.startswith("attachment;")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    link.click()
    assert wait_for_download(downloads).read_bytes() == plan.read_bytes()
    assert urlparse(browser.driver.current_url).path == page  # the page stays; the file is saved

    # An anonymous visitor sees the list but is sent to log in for the file.
    browser.start_session_in_english()
    browser.open(page)
    assert "Business plan 2027" in browser.find("#documents").text
    assert not browser.find_all("#documents a[href^='/documents/']")
    browser.open(f"/documents/{document.pk}/")
    assert urlparse(browser.driver.current_url).path == "/accounts/login/"

    # Staff: the start page of what waits.
    browser.log_in(SuperuserFactory(), PASSWORD, path="/admin/login/", form="#login-form")
    browser.open("/admin/")
    queue = browser.find(".staff-queue").text
    assert "What waits" in queue and "Open risk cases: High" in queue
    assert browser.find(".staff-queue").size["width"] <= screen.width
    browser.screenshot(f"staff-start-{screen.name}", screen.width, screen.height)
    language_switch_works(browser)


def test_a_chinese_browser_gets_chinese_by_default(browser):
    user_agent = browser.driver.execute_script("return navigator.userAgent;")
    browser.driver.execute_cdp_cmd(
        "Network.setUserAgentOverride", {"userAgent": user_agent, "acceptLanguage": "zh-CN,zh;q=0.9"}
    )
    browser.driver.delete_all_cookies()

    browser.open("/offerings/")
    assert browser.language() == "zh-hans"
    browser.switch_language("en")
    assert browser.language() == "en"
