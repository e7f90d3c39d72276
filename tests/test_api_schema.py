"""The published OpenAPI schema names the contract's calls, and the documentation pages load without a CDN."""

import re

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"

CONTRACT_CALLS = [
    ("/api/v1/auth/register/", "post"),
    ("/api/v1/auth/token/", "post"),
    ("/api/v1/me/", "get"),
    ("/api/v1/issuers/", "post"),
    ("/api/v1/issuers/{id}/financials/", "post"),
    ("/api/v1/issuers/{id}/financials/", "get"),
    ("/api/v1/offerings/", "post"),
    ("/api/v1/offerings/", "get"),
    ("/api/v1/offerings/{id}/", "get"),
    ("/api/v1/offerings/{id}/submit/", "post"),
    ("/api/v1/offerings/{id}/updates/", "post"),
    ("/api/v1/offerings/{id}/approve/", "post"),
    ("/api/v1/offerings/{id}/reject/", "post"),
    ("/api/v1/kyc/{user_id}/approve/", "post"),
    ("/api/v1/kyc/{user_id}/reject/", "post"),
    ("/api/v1/me/kyc/", "put"),
    ("/api/v1/suitability/questionnaire/", "get"),
    ("/api/v1/me/suitability/", "post"),
]


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        cache.clear()
        response = APIClient().get(SCHEMA)
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_served_to_anyone():
    response = APIClient().get(SCHEMA)

    assert response.status_code == 200
    assert b"openapi" in response.content


@pytest.mark.parametrize(("path", "method"), CONTRACT_CALLS)
def test_schema_has_every_contract_call(schema, path, method):
    assert method in schema["paths"].get(path, {}), f"{method.upper()} {path} missing"


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/api/v1/auth/register/", "post", "201"),
        ("/api/v1/offerings/", "post", "201"),
        ("/api/v1/me/suitability/", "post", "201"),
        ("/api/v1/offerings/{id}/submit/", "post", "200"),
        ("/api/v1/me/kyc/", "put", "200"),
    ],
)
def test_schema_states_the_contract_success_status(schema, path, method, status):
    assert status in schema["paths"][path][method]["responses"]


@pytest.mark.parametrize("path", ["/api/v1/issuers/{id}/financials/", "/api/v1/offerings/{id}/updates/"])
def test_schema_documents_filing_and_posting_as_201_with_one_object(schema, path):
    responses = schema["paths"][path]["post"]["responses"]

    assert "201" in responses
    assert "Paginated" not in responses["201"]["content"]["application/json"]["schema"]["$ref"]


def test_schema_documents_money_as_decimal_strings(schema):
    offering = schema["components"]["schemas"]["Offering"]["properties"]

    for field in ("price_per_share", "target_amount", "max_amount", "min_investment", "raised_amount"):
        assert offering[field]["type"] == "string", field


def test_schema_lists_offering_statuses_of_the_contract(schema):
    statuses = set(schema["components"]["schemas"]["OfferingStatusEnum"]["enum"])

    assert statuses == {
        "draft", "in_review", "rejected", "approved", "live", "suspended", "closing", "closed", "failed", "cancelled",
    }  # fmt: skip


def test_schema_lists_every_risk_rule_code_of_the_contract(schema):
    [reference] = schema["components"]["schemas"]["Signal"]["properties"]["rule"]["allOf"]
    enum = schema["components"]["schemas"][reference["$ref"].split("/")[-1]]["enum"]

    assert set(enum) == {
        "performance_deviation",
        "forecast_inconsistent",
        "terms_changed",
        "commitment_unfunded",
        "platform_conflict",
        "financial_inconsistency",
        "insufficient_assurance",
        "reporting_delinquent",
        "shill_subscriptions",
        "misleading_claims",
        "identity_duplicate",
        "interim_shortfall",
        "interim_report_missing",
    }


def test_schema_offers_token_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert any(scheme.get("type") == "apiKey" and scheme.get("name") == "Authorization" for scheme in schemes.values())


def test_documentation_page_loads_its_assets_from_this_server():
    response = APIClient().get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//([^/"']+)""", html)
    assert external == []
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_documentation_points_at_the_local_schema():
    # The page's start-up script is a file of its own (Content-Security-Policy: no inline script).
    script = APIClient().get("/api/v1/docs/?script=").content.decode()

    assert "/api/v1/schema/" in script


# Every call whose answer depends on a staff role or on being the company's own issuer account.
PERMISSION_CHECKED_CALLS = [
    ("/api/v1/issuers/", "post"),
    ("/api/v1/issuers/{id}/financials/", "post"),
    ("/api/v1/offerings/", "post"),
    ("/api/v1/offerings/{id}/", "patch"),
    ("/api/v1/offerings/{id}/submit/", "post"),
    ("/api/v1/offerings/{id}/cancel/", "post"),
    ("/api/v1/offerings/{id}/updates/", "post"),
    ("/api/v1/offerings/{id}/approve/", "post"),
    ("/api/v1/offerings/{id}/reject/", "post"),
    ("/api/v1/offerings/{offering_id}/close/", "post"),
    ("/api/v1/kyc/{user_id}/approve/", "post"),
    ("/api/v1/kyc/{user_id}/reject/", "post"),
    ("/api/v1/subscriptions/{id}/cancel/", "post"),
    ("/api/v1/subscriptions/{id}/reconfirm/", "post"),
    ("/api/v1/risk/cases/", "get"),
    ("/api/v1/risk/cases/{id}/", "get"),
    ("/api/v1/risk/cases/{id}/resolve/", "post"),
]


def _component(schema, reference: dict) -> dict:
    return schema["components"]["schemas"][reference["$ref"].split("/")[-1]]


def _error_body(schema, responses: dict, status: str) -> dict:
    """The `error` object of a documented refusal."""
    error = _component(schema, responses[status]["content"]["application/json"]["schema"])
    return _component(schema, error["properties"]["error"])


@pytest.mark.parametrize(("path", "method"), PERMISSION_CHECKED_CALLS)
def test_schema_documents_permission_denied_as_the_contract_error_body(schema, path, method):
    body = _error_body(schema, schema["paths"][path][method]["responses"], "403")

    assert _component(schema, body["properties"]["code"])["enum"] == ["permission_denied"]
    assert set(body["required"]) == {"code", "message"}


def test_schema_says_an_early_close_gives_notice_and_documents_its_refusals(schema):
    close = schema["paths"]["/api/v1/offerings/{offering_id}/close/"]["post"]

    assert "notice" in close["description"] and "live" in close["description"]
    refusal = close["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    body = schema["components"]["schemas"][
        schema["components"]["schemas"][refusal]["properties"]["error"]["$ref"].split("/")[-1]
    ]
    code = schema["components"]["schemas"][body["properties"]["code"]["$ref"].split("/")[-1]]
    assert set(code["enum"]) == {"early_close_not_allowed", "invalid_transition"}
    assert {"400", "401", "404"} <= set(close["responses"])


def _error_codes(schema, responses: dict, status: str) -> list[str]:
    return _component(schema, _error_body(schema, responses, status)["properties"]["code"])["enum"]


def test_schema_documents_the_data_room_with_every_refusal(schema):
    documents = schema["paths"]["/api/v1/offerings/{id}/documents/"]
    upload, listing = documents["post"], documents["get"]

    assert "multipart/form-data" in upload["requestBody"]["content"]
    refusals = ("400", "401", "403", "404", "409")
    assert {status: _error_codes(schema, upload["responses"], status) for status in refusals} == {
        "400": ["validation_error"], "401": ["not_authenticated"], "403": ["permission_denied"],
        "404": ["not_found"], "409": ["invalid_transition"],
    }  # fmt: skip
    assert {status: _error_codes(schema, listing["responses"], status) for status in ("401", "404")} == {
        "401": ["not_authenticated"], "404": ["not_found"],
    }  # fmt: skip
    download = schema["paths"]["/api/v1/documents/{id}/download/"]["get"]["responses"]
    assert download["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert {status: _error_codes(schema, download, status) for status in ("401", "404")} == {
        "401": ["not_authenticated"], "404": ["not_found"],
    }  # fmt: skip
    assert schema["components"]["schemas"]["DocumentKindEnum"]["enum"] == [
        "business_plan", "audit_report", "articles", "other",
    ]  # fmt: skip
