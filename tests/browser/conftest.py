"""Headless Chromium for the browser journeys, driven with Selenium against pytest-django's `live_server`.

The `browser` fixture marks its tests `browser` (tests/plugin.py): without Chromium, chromedriver or selenium they
are skipped with the reason, and under CI=true that skip fails the run. Every page a test visits must satisfy the
Content-Security-Policy: Chromium reports each violation in its console log, which `Browser` reads after each page
and once more when the test ends, and any violation fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugin import CHROMIUM_ENV

WAIT_SECONDS = 10
# A phone and a desktop screen; screenshots go to the git-ignored screenshots/ for people to look at.
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


class Browser:
    """A Chromium window with the few steps every journey takes: open a page, log in as someone, read messages."""

    def __init__(self, driver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.assert_no_csp_violation()

    def assert_no_csp_violation(self) -> None:
        # Chromium logs each blocked inline script, style, handler or foreign resource as a "security" entry.
        violations = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["source"] == "security" and "Content Security Policy" in entry["message"]
        ]
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)

    def find(self, css: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def find_all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return self.find("body").text

    def submit(self, css: str) -> None:
        """Click a submit button and wait for the next page."""
        from selenium.webdriver.support.ui import WebDriverWait

        # A flag on the old page's window: the next page has none. (Waiting for an element to go stale is flaky in
        # Chromium, which can answer that the old node "does not belong to the document" instead.)
        self.driver.execute_script("window.michouOldPage = true;")
        self.find(css).click()
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda driver: driver.execute_script(
                "return window.michouOldPage === undefined && document.readyState === 'complete';"
            )
        )
        self.assert_no_csp_violation()

    def start_session_in_english(self) -> None:
        """A fresh session (nobody logged in), with the language cookie set so pages read as the source strings."""
        from django.conf import settings

        self.driver.delete_all_cookies()
        self.open("/")
        self.driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "path": "/"})

    def assert_no_sideways_scrolling(self, width: int) -> None:
        scroll_width = self.driver.execute_script("return document.documentElement.scrollWidth;")
        assert scroll_width <= width, f"{self.driver.current_url} is {scroll_width} px wide in a {width} px window"

    def screenshot(self, name: str, width: int, height: int) -> None:
        """The whole page, by making the window as tall as the page; then the window is put back."""
        SCREENSHOTS.mkdir(exist_ok=True)
        page_height = self.driver.execute_script("return document.documentElement.scrollHeight;")
        self.driver.set_window_size(width, min(page_height, 8000))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(width, height)

    def language(self) -> str:
        return self.find("html").get_attribute("lang")

    def switch_language(self, code: str) -> None:
        """Choose a language with the page's own switch; the same page comes back in it."""
        from selenium.webdriver.support.ui import Select

        Select(self.find("form.language select[name=language]")).select_by_value(code)
        self.submit("form.language [type=submit]")

    def log_in(self, user, password: str, *, path: str = "/accounts/login/", form: str = "main form") -> None:
        self.start_session_in_english()
        self.open(path)
        self.find(f"{form} input[name=username]").send_keys(user.username)
        self.find(f"{form} input[name=password]").send_keys(password)
        self.submit(f"{form} [type=submit]")


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int


@pytest.fixture(params=list(WIDTHS))
def screen(request, browser) -> Screen:
    """Each journey at phone and at desktop width: the browser's window is set to it."""
    width, height = WIDTHS[request.param]
    browser.driver.set_window_size(width, height)
    return Screen(request.param, width, height)


@pytest.fixture
def browser(live_server) -> Iterator[Browser]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BINARY", CHROMIUM_ENV["CHROMIUM_BINARY"])
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", CHROMIUM_ENV["CHROMEDRIVER"]))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        browser = Browser(driver, live_server.url)
        yield browser
        # Pages reached by a click, and what scripts did after a page loaded.
        browser.assert_no_csp_violation()
    finally:
        driver.quit()
