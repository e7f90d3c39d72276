"""A Hongli-Energy-like raise built by hand through the API and the issuer's web form, with a real Celery worker:
the loss in the annual report is flagged within seconds of filing, the offering shows the hold, and staff see the
projection beside the actual figures."""

from __future__ import annotations

import time

import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import OfferingReviewerFactory, RiskAnalystFactory, SuperuserFactory
from tests.support.clients import api_as
from tests.support.raise_by_hand import FLAG_SECONDS, a_closed_raise, at, open_cases_of


def test_an_annual_loss_against_a_projected_profit_holds_the_offering_within_seconds(
    fake_stripe, celery_worker_process
):
    staff, analyst = OfferingReviewerFactory(), RiskAnalystFactory()
    with time_machine.travel(at(2025, 1, 20, 10), tick=False) as clock:
        _, company, offering = a_closed_raise(clock, staff)

        clock.move_to(at(2026, 4, 25, 18))
        web = Client()
        web.force_login(get_user_model().objects.get(username="zongheng"))
        filed = web.post(
            reverse("projects:issuer_detail", args=[company["id"]]),
            {
                "fiscal_year": 2025,
                "period": "FY",
                "kind": "actual",
                "revenue": "73740000.00",
                "net_profit": "-26760000.00",
                "total_assets": "418643195.52",
                "total_liabilities": "188389437.98",
                "audited": "on",
            },
        )
        assert filed.status_code == 302
        filed_at = time.monotonic()

    cases, flagged_after = open_cases_of(offering["id"], staff=analyst, since=filed_at)

    assert cases, f"no case within {FLAG_SECONDS} s; worker log:\n{celery_worker_process.log()[-3000:]}"
    case = cases[0]
    assert [s["rule"] for s in case["signals"]] == ["performance_deviation"], "the raise was clean until the report"
    assert case["severity"] == "critical"
    print(f"flagged {flagged_after:.2f} s after the annual report was filed")
    signal = next(s for s in case["signals"] if s["rule"] == "performance_deviation")
    profit = next(c for c in signal["evidence"]["comparisons"] if c["figure"] == "net_profit")
    assert (profit["expected"], profit["actual"]) == ("35000000.00", "-26760000.00")

    assert api_as(staff).get(f"/api/v1/offerings/{offering['id']}/").json()["risk_hold"] is True
    page = Client().get(reverse("projects:offering_detail", args=[offering["id"]]), HTTP_ACCEPT_LANGUAGE="en")
    assert "On hold for risk review." in page.content.decode()

    admin = Client()
    admin.force_login(SuperuserFactory())
    review = admin.get(reverse("admin:risk_case_change", args=[case["id"]]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "35000000.00" in review and "-26760000.00" in review and "performance_deviation" in review
