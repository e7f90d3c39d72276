"""A raise built by hand through the API, as a person would, with the risk cases staff see about it."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from investors.models import Subscription, SubscriptionStatus
from investors.subscriptions import gateway, settlement
from projects import services as project_services
from projects.tests.factories import make_uscc
from tests.support.clients import api_as
from tests.support.money import eligible_investor

SHANGHAI = ZoneInfo("Asia/Shanghai")


FLAG_SECONDS = 15


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)


def statement(year, kind, revenue, profit, audited=True) -> dict:
    return {
        "fiscal_year": year,
        "period": "FY",
        "kind": kind,
        "revenue": revenue,
        "net_profit": profit,
        "total_assets": "320000000.00",
        "total_liabilities": "140000000.00",
        "audited": audited,
    }


def open_cases_of(offering_id: int, *, staff, since: float) -> tuple[list, float]:
    """The offering's open cases as staff see them, polled until one appears or FLAG_SECONDS have passed since
    `since` (time.monotonic()), with the seconds it took."""
    cases = []
    while time.monotonic() - since < FLAG_SECONDS and not cases:
        cases = api_as(staff).get("/api/v1/risk/cases/", {"offering": offering_id, "status": "open"}).json()["results"]
        time.sleep(0.1)
    return cases, time.monotonic() - since


def a_closed_raise(clock, staff) -> tuple[APIClient, dict, dict]:
    """Zongheng's raise through the API, from registration to the close (1 March 2025): CNY 35 M of profit projected
    for 2025 on CNY 27 M the year before; two unrelated investors paid. Returns the issuer's API client, the company
    and the offering."""
    registered = APIClient().post(
        "/api/v1/auth/register/",
        {"username": "zongheng", "email": "ir@zongheng.example", "password": PASSWORD, "role": "issuer"},
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    issuer_api = APIClient()
    issuer_api.credentials(HTTP_AUTHORIZATION=f"Token {registered.json()['token']}")
    company = issuer_api.post(
        "/api/v1/issuers/",
        {
            "legal_name": "纵横热能科技股份有限公司",
            "uscc": make_uscc(4242),
            "industry": "energy",
            "founded_on": "2009-07-13",
            "description": "Heat pumps.",
            "platform_stake_pct": "0",
            "related_to_platform": False,
        },
        format="json",
    ).json()
    for filed in (
        statement(2023, "historical", "182696000.00", "20272500.00"),
        statement(2024, "historical", "228370000.00", "27030000.00"),
        statement(2025, "projection", "251207000.00", "35000000.00", audited=False),
    ):
        assert issuer_api.post(f"/api/v1/issuers/{company['id']}/financials/", filed, format="json").status_code == 201
    offering = issuer_api.post(
        "/api/v1/offerings/",
        {
            "issuer": company["id"],
            "title": "热泵产能扩张",
            "summary": "扩大产能。",
            "security": "new_shares",
            "price_per_share": "20.00",
            "pre_money_valuation": "405450000.00",
            "target_amount": "200000.00",
            "max_amount": "300000.00",
            "min_investment": "100000.00",
            "opens_at": at(2025, 2, 1, 10).isoformat(),
            "closes_at": at(2025, 3, 1, 10).isoformat(),
            "use_of_funds": [{"category": "产能扩建", "amount": "200000.00"}],
            "risk_factors": "股权投资存在本金全部损失的风险。",
            "announced_commitments": [],
        },
        format="json",
    ).json()
    assert issuer_api.post(f"/api/v1/offerings/{offering['id']}/submit/").status_code == 200
    assert api_as(staff).post(f"/api/v1/offerings/{offering['id']}/approve/", {}, format="json").status_code == 200

    clock.move_to(at(2025, 2, 2, 10))
    project_services.offerings_open_due()
    # Two unrelated investors: their own cards, their own addresses.
    cards = [gateway.raw_card_payment_method(card_number=number) for number in ("4242424242424242", "5555555555554444")]
    reserved = []
    for number, (card, address) in enumerate(zip(cards, ("203.0.113.5", "198.51.100.7"), strict=True)):
        paid = api_as(eligible_investor()).post(
            "/api/v1/subscriptions/",
            {"offering": offering["id"], "amount": "100000.00", "payment_method": card},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"hand-{number}",
            REMOTE_ADDR=address,
        )
        assert paid.status_code == 201, paid.json()
        reserved.append(paid.json()["id"])
    # The worker charges each reservation after its commit: both are paid before the deadline passes.
    deadline = time.monotonic() + FLAG_SECONDS
    while Subscription.objects.filter(pk__in=reserved, status=SubscriptionStatus.PAID).count() < len(reserved):
        assert time.monotonic() < deadline, "the worker did not charge the reservations"
        time.sleep(0.1)

    clock.move_to(at(2025, 3, 1, 11))
    project_services.offerings_close_due()
    settlement.offerings_settle_closing()
    assert api_as(staff).get(f"/api/v1/offerings/{offering['id']}/").json()["status"] == "closed"
    return issuer_api, company, offering
