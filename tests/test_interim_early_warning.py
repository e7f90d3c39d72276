"""Policy version 2's early warning, by hand with a real Celery worker: the Hongli-like raise closes, and the
half-year statement the issuer files through the API in August shows a loss against the profit projected for the
year. A case opens within seconds of that filing, eight months before the annual report would have shown it."""

from __future__ import annotations

import time

import time_machine
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, OfferingReviewerFactory, RiskAnalystFactory
from tests.support.clients import api_as
from tests.support.raise_by_hand import FLAG_SECONDS, a_closed_raise, at, open_cases_of


def test_a_half_year_loss_after_the_raise_opens_a_case_within_seconds_of_filing(fake_stripe, celery_worker_process):
    staff, analyst = OfferingReviewerFactory(), RiskAnalystFactory()
    with time_machine.travel(at(2025, 1, 20, 10), tick=False) as clock:
        issuer_api, company, offering = a_closed_raise(clock, staff)
        assert api_as(analyst).get("/api/v1/risk/cases/", {"offering": offering["id"]}).json()["results"] == []

        clock.move_to(at(2025, 8, 12, 10))
        # Months later the issuer signs in again: API tokens expire (API_TOKEN_TTL_HOURS).
        login = APIClient().post("/api/v1/auth/token/", {"username": "zongheng", "password": PASSWORD}, format="json")
        issuer_api.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
        filed = issuer_api.post(
            f"/api/v1/issuers/{company['id']}/financials/",
            {
                "fiscal_year": 2025,
                "period": "H1",
                "kind": "actual",
                "revenue": "61000000.00",
                "net_profit": "-4200000.00",
                "total_assets": "330000000.00",
                "total_liabilities": "150000000.00",
                "audited": False,
            },
            format="json",
        )
        assert filed.status_code == 201, filed.json()
        filed_at = time.monotonic()

    cases, flagged_after = open_cases_of(offering["id"], staff=analyst, since=filed_at)

    assert cases, f"no case within {FLAG_SECONDS} s; worker log:\n{celery_worker_process.log()[-3000:]}"
    print(f"flagged {flagged_after:.2f} s after the half-year statement was filed")
    [case] = cases
    assert case["severity"] == "high"
    [signal] = case["signals"]
    assert signal["rule"] == "interim_shortfall"
    profit, revenue = signal["evidence"]["comparisons"]
    # Half of the CNY 35 M projected for 2025 against the half year's actual loss; half the projected revenue too.
    assert (profit["expected"], profit["actual"], profit["breached"]) == ("17500000.00", "-4200000.00", True)
    assert (revenue["expected"], revenue["actual"], revenue["breached"]) == ("125603500.00", "61000000.00", True)
