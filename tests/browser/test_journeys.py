"""The main journeys of issue #5 in headless Chromium: an investor reconfirms after a material change, and two
different staff members approve an offering of an issuer tied to the platform."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import PASSWORD, OfferingReviewerFactory
from investors.models import Subscription, SubscriptionStatus
from projects.models import OfferingStatus, PortfolioCompany
from projects.tests.factories import IssuerFactory, OfferingFactory
from tests.support.money import eligible_investor, live_offering, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("fake_stripe")
def test_investor_sees_the_material_change_banner_and_reconfirms(browser):
    offering = live_offering()
    investor = eligible_investor()
    response = subscribe(investor, offering, "20000.00", key="journey")
    assert response.status_code == 201, response.json()
    subscription = Subscription.objects.get(pk=response.json()["id"])

    # The issuer reprices the offering and marks the update material.
    browser.log_in(offering.issuer.owner, PASSWORD)
    browser.open(f"/offerings/{offering.pk}/updates/new/")
    browser.find("input[name=title]").send_keys("New price")
    browser.find("textarea[name=body]").send_keys("We doubled the price per share.")
    browser.find("input[name=material_change]").click()
    browser.find("input[name=price_per_share]").send_keys("20.00")
    browser.submit("main form [type=submit]")
    assert "The update is published." in browser.text()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.RECONFIRMATION_REQUIRED

    # The investor logs in, finds the banner on "My subscriptions" and confirms.
    browser.log_in(investor, PASSWORD)
    browser.find("nav a[href='/investor/subscriptions/']").click()
    banner = browser.find("#reconfirmation-banner")
    assert offering.title in banner.text and "Confirm before" in browser.text()
    browser.submit(f"#reconfirmation-banner button[data-reconfirm='{subscription.pk}']")

    assert "you accepted the new terms" in browser.text()
    assert not browser.find_all("#reconfirmation-banner")
    assert "Paid (in escrow)" in browser.text()
    subscription.refresh_from_db()
    assert (subscription.status, subscription.shares, subscription.reconfirm_deadline) == ("paid", 1000, None)


def reviewer():
    return OfferingReviewerFactory()


def approve_in_admin(browser, offering) -> str:
    browser.open("/admin/projects/offering/")
    browser.find(f"input[name=_selected_action][value='{offering.pk}']").click()
    browser.find("select[name=action] option[value=approve_selected_offerings]").click()
    browser.submit("button[name=index]")
    return " ".join(element.text for element in browser.find_all("ul.messagelist li"))


def test_two_different_staff_members_approve_a_tied_issuers_offering(browser):
    issuer = IssuerFactory()
    PortfolioCompany.objects.create(uscc=issuer.uscc, legal_name=issuer.legal_name, stake_pct=Decimal("15.00"))
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.IN_REVIEW)
    first, second = reviewer(), reviewer()

    browser.log_in(first, PASSWORD, path="/admin/login/", form="#login-form")
    assert "1 done." in approve_in_admin(browser, offering)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW

    refusal = approve_in_admin(browser, offering)
    assert "already approved" in refusal and "1 done." not in refusal
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW
    assert list(offering.approvals.values_list("by", flat=True)) == [first.pk]

    browser.log_in(second, PASSWORD, path="/admin/login/", form="#login-form")
    assert "1 done." in approve_in_admin(browser, offering)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.APPROVED
    assert list(offering.approvals.order_by("at").values_list("by", flat=True)) == [first.pk, second.pk]
    assert "Approved" in browser.text()
