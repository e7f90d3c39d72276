"""Permissions across accounts: who may read and act on one company's offerings and statements. Every refusal
answers with the contract's error body and changes nothing."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, StaffFactory
from projects.models import FinancialStatement, Offering, OfferingTransition, OfferingUpdate
from projects.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db

# "staff": a staff account with no role, which sees what the public sees and decides nothing (roles:
# tests/test_access_matrix.py).
ACTORS = ["anonymous", "investor", "other_issuer", "owner", "staff"]
UNAUTHENTICATED = "unauthenticated"


def client_for(actor, offering):
    client = APIClient()
    user = {
        "anonymous": None,
        "investor": InvestorFactory,
        "other_issuer": IssuerUserFactory,
        "staff": StaffFactory,
        "owner": lambda: offering.issuer.owner,
    }[actor]
    if user is not None:
        client.force_authenticate(user())
    return client


def world():
    """Everything a request might change, to compare before and after a refusal."""
    return (
        list(Offering.objects.order_by("pk").values()),
        OfferingTransition.objects.count(),
        OfferingUpdate.objects.count(),
        FinancialStatement.objects.count(),
    )


REQUESTS = {
    "read": lambda c, o: c.get(f"/api/v1/offerings/{o.pk}/"),
    "edit": lambda c, o: c.patch(f"/api/v1/offerings/{o.pk}/", {"title": "Changed"}, format="json"),
    "submit": lambda c, o: c.post(f"/api/v1/offerings/{o.pk}/submit/"),
    "approve": lambda c, o: c.post(f"/api/v1/offerings/{o.pk}/approve/"),
    "reject": lambda c, o: c.post(f"/api/v1/offerings/{o.pk}/reject/", {"reason": "No."}, format="json"),
    "post_update": lambda c, o: c.post(
        f"/api/v1/offerings/{o.pk}/updates/", {"title": "t", "body": "b"}, format="json"
    ),
    "file_statement": lambda c, o: c.post(
        f"/api/v1/issuers/{o.issuer_id}/financials/",
        {
            "fiscal_year": 2020,
            "period": "FY",
            "kind": "historical",
            "revenue": "1.00",
            "net_profit": "1.00",
            "total_assets": "1.00",
            "total_liabilities": "1.00",
            "audited": False,
        },  # fmt: skip
        format="json",
    ),
    "read_issuer": lambda c, o: c.get(f"/api/v1/issuers/{o.issuer_id}/"),
}

# (offering status, request) → expected answer per actor: a status code, or (code, error code) for refusals.
NOT_FOUND = (404, "not_found")
DENIED = (403, "permission_denied")
CONFLICT = (409, "invalid_transition")
EXPECTED = {
    ("draft", "read"): [NOT_FOUND, NOT_FOUND, NOT_FOUND, 200, NOT_FOUND],
    ("draft", "edit"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, 200, NOT_FOUND],
    ("draft", "submit"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, 200, NOT_FOUND],
    ("in_review", "approve"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, DENIED, NOT_FOUND],
    ("in_review", "reject"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, DENIED, NOT_FOUND],
    ("live", "read"): [200, 200, 200, 200, 200],
    ("live", "edit"): [UNAUTHENTICATED, DENIED, DENIED, CONFLICT, DENIED],
    ("live", "submit"): [UNAUTHENTICATED, DENIED, DENIED, CONFLICT, DENIED],
    ("live", "approve"): [UNAUTHENTICATED, DENIED, DENIED, DENIED, DENIED],
    ("live", "post_update"): [UNAUTHENTICATED, DENIED, DENIED, 201, DENIED],
    ("live", "file_statement"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, 201, NOT_FOUND],
    ("live", "read_issuer"): [UNAUTHENTICATED, NOT_FOUND, NOT_FOUND, 200, NOT_FOUND],
}
CASES = [
    pytest.param(status, request, actor, expected[index], id=f"{status}-{request}-{actor}")
    for (status, request), expected in EXPECTED.items()
    for index, actor in enumerate(ACTORS)
]


@pytest.mark.parametrize(("status", "request_name", "actor", "expected"), CASES)
def test_who_may_do_what_with_a_companys_offering(status, request_name, actor, expected):
    offering = OfferingFactory(status=status)
    client = client_for(actor, offering)
    before = world()

    response = REQUESTS[request_name](client, offering)

    if isinstance(expected, int):
        assert response.status_code == expected, response.json()
        return
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    assert "fields" not in body["error"]
    if expected == UNAUTHENTICATED:
        assert response.status_code == 401
        assert body["error"]["code"] == "not_authenticated"
    else:
        assert (response.status_code, body["error"]["code"]) == expected
    assert world() == before
