"""The risk queue over the REST API: who may see it, its filters, the shape of a case, and resolving one.

Cases are opened the way the platform opens them, by screening facts filed through the services (or built with the
factories), never by inserting Case rows by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, RiskAnalystFactory
from investors.models import KycStatus
from investors.tests.factories import KycProfileFactory
from projects import services as project_services
from projects.models import OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory
from risk import services
from risk.models import Case, CaseEvent, CaseStatus, Signal, SubjectType

pytestmark = pytest.mark.django_db

CASES = "/api/v1/risk/cases/"
CASE_KEYS = {"id", "subject", "severity", "status", "signals", "opened_at"}
SIGNAL_KEYS = {"rule", "severity", "score", "evidence", "created_at"}


# Builders: facts filed through the services, then screened ------------------------------------------------------


def last_year() -> int:
    return timezone.localdate().year - 1


def issuer_with_profit_above_revenue():
    """A company whose last full year, filed through the service, shows a net profit above its revenue; screened."""
    issuer = IssuerFactory()
    project_services.financial_statement_file(
        issuer=issuer,
        by=issuer.owner,
        fiscal_year=last_year(),
        period="FY",
        kind="historical",
        revenue="1000000.00",
        net_profit="1200000.00",
        total_assets="5000000.00",
        total_liabilities="1000000.00",
        audited=True,
    )
    services.screen_issuer(issuer_id=issuer.pk, as_of=timezone.now())
    return issuer


def offering_promising_returns(issuer=None):
    """An offering in review whose summary promises a guaranteed return; screened."""
    offering = OfferingFactory(
        issuer=issuer or IssuerFactory(), status=OfferingStatus.IN_REVIEW, summary="本项目保本保收益，稳赚不赔。"
    )
    services.screen_issuer(issuer_id=offering.issuer_id, as_of=timezone.now())
    return offering


def investor_with_duplicate_identity():
    """An account whose pending KYC carries an identity number already verified on another account; screened."""
    KycProfileFactory(serial=77, status=KycStatus.VERIFIED)
    duplicate = KycProfileFactory(serial=77, status=KycStatus.PENDING)
    services.screen_investor(investor_id=duplicate.user_id, as_of=timezone.now())
    return duplicate.user


def case_of(subject_type: str, subject_id: int) -> Case:
    return Case.objects.get(subject_type=subject_type, subject_id=subject_id)


def issuer_case() -> Case:
    issuer = issuer_with_profit_above_revenue()
    return case_of(SubjectType.ISSUER, issuer.pk)


def snapshot(case: Case) -> dict:
    case.refresh_from_db()
    return {
        "status": case.status,
        "outcome": case.outcome,
        "resolution_note": case.resolution_note,
        "resolved_at": case.resolved_at,
        "resolved_by": case.resolved_by_id,
        "events": list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)),
    }


def listed_ids(response) -> list[int]:
    body = response.json()
    assert response.status_code == 200, body
    return [case["id"] for case in body["results"]]


@pytest.fixture
def analyst(api_client):
    user = RiskAnalystFactory()
    api_client.force_authenticate(user)
    return user


# Screening opens the cases the tests below read -----------------------------------------------------------------


def test_screening_a_profit_above_revenue_opens_one_high_issuer_case_and_again_adds_nothing():
    issuer = issuer_with_profit_above_revenue()

    case = case_of(SubjectType.ISSUER, issuer.pk)
    assert (case.severity, case.status, case.issuer_id) == ("high", CaseStatus.OPEN, issuer.pk)
    assert list(case.signals.values_list("rule", flat=True)) == ["financial_inconsistency"]

    services.screen_issuer(issuer_id=issuer.pk, as_of=timezone.now() + dt.timedelta(hours=1))

    assert Case.objects.filter(subject_type=SubjectType.ISSUER, subject_id=issuer.pk).count() == 1
    assert Signal.objects.filter(case=case).count() == 1


# Who may see the queue ----------------------------------------------------------------------------------------


def test_anonymous_caller_gets_401(api_client):
    case = issuer_case()

    assert api_client.get(CASES).status_code == 401
    assert api_client.get(f"{CASES}{case.pk}/").status_code == 401


@pytest.mark.parametrize("role", ["investor", "issuer"])
def test_non_staff_caller_gets_403(api_client, role):
    issuer = issuer_with_profit_above_revenue()
    case = case_of(SubjectType.ISSUER, issuer.pk)
    # The company's own manager may not read the case about it either.
    api_client.force_authenticate(InvestorFactory() if role == "investor" else issuer.owner)

    for url in (CASES, f"{CASES}{case.pk}/"):
        response = api_client.get(url)
        assert response.status_code == 403, response.json()
        assert response.json()["error"]["code"] == "permission_denied"


def test_staff_see_every_case(api_client, analyst):
    issuer_case_ = issuer_case()
    offering = offering_promising_returns()
    investor = investor_with_duplicate_identity()

    ids = listed_ids(api_client.get(CASES))

    assert sorted(ids) == sorted(
        [
            issuer_case_.pk,
            case_of(SubjectType.OFFERING, offering.pk).pk,
            case_of(SubjectType.INVESTOR, investor.pk).pk,
        ]
    )


# Filters -----------------------------------------------------------------------------------------------------


@pytest.fixture
def queue():
    """Two companies (one with an issuer case and an offering case, one with an offering case) and an investor case;
    the second company's case resolved."""
    first = issuer_with_profit_above_revenue()
    first_offering = offering_promising_returns(first)
    second_offering = offering_promising_returns()
    investor = investor_with_duplicate_identity()
    cases = {
        "first_issuer": case_of(SubjectType.ISSUER, first.pk),
        "first_offering": case_of(SubjectType.OFFERING, first_offering.pk),
        "second_offering": case_of(SubjectType.OFFERING, second_offering.pk),
        "investor": case_of(SubjectType.INVESTOR, investor.pk),
    }
    services.case_resolve(
        case=cases["second_offering"], by=RiskAnalystFactory(), outcome="cleared", note="Wording fixed."
    )
    return {
        "first": first,
        "first_offering": first_offering,
        "second_offering": second_offering,
        "investor": investor,
        "cases": {name: case.pk for name, case in cases.items()},
    }


@pytest.mark.parametrize(
    "status, expected",
    [("open", ["first_issuer", "first_offering", "investor"]), ("resolved", ["second_offering"])],
)
def test_filter_by_status(api_client, analyst, queue, status, expected):
    ids = listed_ids(api_client.get(CASES, {"status": status}))

    assert sorted(ids) == sorted(queue["cases"][name] for name in expected)


def test_filter_by_offering(api_client, analyst, queue):
    ids = listed_ids(api_client.get(CASES, {"offering": queue["first_offering"].pk}))

    assert ids == [queue["cases"]["first_offering"]]


def test_filter_by_issuer_gives_the_company_and_its_offerings_cases(api_client, analyst, queue):
    ids = listed_ids(api_client.get(CASES, {"issuer": queue["first"].pk}))

    assert sorted(ids) == sorted([queue["cases"]["first_issuer"], queue["cases"]["first_offering"]])


def test_filter_by_investor(api_client, analyst, queue):
    ids = listed_ids(api_client.get(CASES, {"investor": queue["investor"].pk}))

    assert ids == [queue["cases"]["investor"]]


def test_filters_combine(api_client, analyst, queue):
    assert listed_ids(api_client.get(CASES, {"issuer": queue["second_offering"].issuer_id, "status": "open"})) == []


@pytest.mark.parametrize("params", [{"status": "closed"}, {"offering": "abc"}, {"issuer": "0"}])
def test_a_bad_filter_is_refused_with_400(api_client, analyst, queue, params):
    response = api_client.get(CASES, params)

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "validation_error"


# The shape of a case ----------------------------------------------------------------------------------------------


def test_case_detail_has_the_contract_shape(api_client, analyst):
    issuer = issuer_with_profit_above_revenue()
    case = case_of(SubjectType.ISSUER, issuer.pk)

    response = api_client.get(f"{CASES}{case.pk}/")

    body = response.json()
    assert response.status_code == 200, body
    # Every field of the contract is there (the API also answers outcome, resolution_note and resolved_at).
    assert CASE_KEYS <= set(body), set(body)
    assert body["id"] == case.pk
    assert body["subject"] == {"type": "issuer", "id": issuer.pk}
    assert (body["severity"], body["status"]) == ("high", "open")
    assert dt.datetime.fromisoformat(body["opened_at"]).utcoffset() is not None
    signal = body["signals"][0]
    assert len(body["signals"]) == 1
    assert set(signal) == SIGNAL_KEYS
    assert (signal["rule"], signal["severity"], signal["score"]) == ("financial_inconsistency", "high", "1.0000")
    assert dt.datetime.fromisoformat(signal["created_at"]).utcoffset() is not None
    comparison = signal["evidence"]["comparisons"][0]
    assert (comparison["figure"], comparison["expected"], comparison["actual"]) == (
        "net_profit vs revenue",
        "1000000.00",
        "1200000.00",
    )
    assert signal["evidence"]["summary"]


def test_case_list_items_have_the_same_shape_as_the_detail(api_client, analyst):
    case = issuer_case()

    listed = api_client.get(CASES).json()["results"][0]
    detail = api_client.get(f"{CASES}{case.pk}/").json()

    assert listed == detail


def test_offering_and_investor_cases_name_their_subject(api_client, analyst):
    offering = offering_promising_returns()
    investor = investor_with_duplicate_identity()

    offering_body = api_client.get(f"{CASES}{case_of(SubjectType.OFFERING, offering.pk).pk}/").json()
    investor_body = api_client.get(f"{CASES}{case_of(SubjectType.INVESTOR, investor.pk).pk}/").json()

    assert offering_body["subject"] == {"type": "offering", "id": offering.pk}
    assert [s["rule"] for s in offering_body["signals"]] == ["misleading_claims"]
    assert investor_body["subject"] == {"type": "investor", "id": investor.pk}
    assert [s["rule"] for s in investor_body["signals"]] == ["identity_duplicate"]


def test_unknown_case_is_404(api_client, analyst):
    assert api_client.get(f"{CASES}999999/").status_code == 404


# Resolving --------------------------------------------------------------------------------------------------


def resolve_url(case: Case) -> str:
    return f"{CASES}{case.pk}/resolve/"


@pytest.mark.parametrize("outcome", ["cleared", "action_taken"])
def test_staff_resolve_a_case_with_an_outcome_and_a_note(api_client, analyst, outcome):
    case = issuer_case()

    response = api_client.post(
        resolve_url(case), {"outcome": outcome, "note": "  Checked the filing.  "}, format="json"
    )

    body = response.json()
    assert response.status_code == 200, body
    assert (body["id"], body["status"]) == (case.pk, "resolved")
    assert CASE_KEYS <= set(body)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.resolution_note, case.resolved_by_id) == (
        CaseStatus.RESOLVED,
        outcome,
        "Checked the filing.",
        analyst.pk,
    )
    assert case.resolved_at is not None
    event = CaseEvent.objects.get(case=case, action="resolved")
    assert (event.by_id, event.note, event.detail) == (analyst.pk, "Checked the filing.", {"outcome": outcome})


@pytest.mark.parametrize(
    "body, bad_field",
    [
        ({"outcome": "cleared"}, "note"),
        ({"outcome": "cleared", "note": ""}, "note"),
        ({"outcome": "cleared", "note": "   "}, "note"),
        ({"outcome": "dismissed", "note": "Looked fine."}, "outcome"),
        ({"note": "Looked fine."}, "outcome"),
    ],
    ids=["no-note", "empty-note", "blank-note", "unknown-outcome", "no-outcome"],
)
def test_resolve_with_a_missing_note_or_bad_outcome_is_400_and_changes_nothing(api_client, analyst, body, bad_field):
    case = issuer_case()
    before = snapshot(case)

    response = api_client.post(resolve_url(case), body, format="json")

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert bad_field in error["fields"]
    assert snapshot(case) == before
    assert before["status"] == CaseStatus.OPEN


def test_resolving_twice_is_409_and_keeps_the_first_decision(api_client, analyst):
    case = issuer_case()
    first = api_client.post(resolve_url(case), {"outcome": "cleared", "note": "First look."}, format="json")
    assert first.status_code == 200, first.json()
    after_first = snapshot(case)

    api_client.force_authenticate(RiskAnalystFactory())
    response = api_client.post(resolve_url(case), {"outcome": "action_taken", "note": "Second look."}, format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "invalid_transition"
    assert snapshot(case) == after_first
    assert (after_first["outcome"], after_first["resolution_note"], after_first["resolved_by"]) == (
        "cleared",
        "First look.",
        analyst.pk,
    )


@pytest.mark.parametrize("who", ["investor", "issuer_owner"])
def test_non_staff_cannot_resolve_and_nothing_changes(api_client, who):
    issuer = issuer_with_profit_above_revenue()
    case = case_of(SubjectType.ISSUER, issuer.pk)
    before = snapshot(case)
    api_client.force_authenticate(InvestorFactory() if who == "investor" else issuer.owner)

    response = api_client.post(resolve_url(case), {"outcome": "cleared", "note": "Nothing to see."}, format="json")

    assert response.status_code == 403, response.json()
    assert snapshot(case) == before


def test_anonymous_cannot_resolve_and_nothing_changes(api_client):
    case = issuer_case()
    before = snapshot(case)

    response = api_client.post(resolve_url(case), {"outcome": "cleared", "note": "Nothing to see."}, format="json")

    assert response.status_code == 401
    assert snapshot(case) == before


def test_resolved_case_leaves_the_open_queue(api_client, analyst):
    case = issuer_case()
    api_client.post(resolve_url(case), {"outcome": "cleared", "note": "Checked."}, format="json")

    assert listed_ids(api_client.get(CASES, {"status": "open"})) == []
    assert listed_ids(api_client.get(CASES, {"status": "resolved"})) == [case.pk]
