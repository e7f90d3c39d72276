"""The error codes are one catalogue: the REST contract, the published OpenAPI schema and `kernel.errors.ErrorCode`
name the same codes, each with the same HTTP status."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from kernel.errors import DomainError, ErrorCode
from tests.plugin import skip_or_fail

# The shared material lies beside the repository, in development and in CI alike.
CONTRACT = Path(settings.BASE_DIR).parent / "shared" / "api" / "CONTRACT.md"
# A refusal in the contract: its status, then its code, as in "409 `offering_full`".
CONTRACT_REFUSAL = re.compile(r"\b(4\d\d) `([a-z_]+)`")
# Codes the API answers with that the contract does not name yet (it is read-only for us: each is reported for it
# to gain). A code added to the catalogue must be added to the contract or here.
NOT_YET_IN_CONTRACT = {"not_authenticated", "permission_denied", "not_found", "invalid_signature"}
# Codes the contract still names that the API no longer answers with (reported for the contract to drop): a declined
# card no longer refuses the subscribe call, whose answer is the reservation; the payment fails later, with its reason.
NO_LONGER_ANSWERED = {"payment_declined"}


@pytest.fixture(scope="module")
def contract_refusals() -> set[tuple[str, int]]:
    if not CONTRACT.exists():
        skip_or_fail(f"needs the REST contract at {CONTRACT}")
    return {(code, int(status)) for status, code in CONTRACT_REFUSAL.findall(CONTRACT.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        cache.clear()
        response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _component(schema, reference: dict) -> dict:
    return schema["components"]["schemas"][reference["$ref"].split("/")[-1]]


def documented_refusals(schema) -> set[tuple[str, int]]:
    """Every (code, status) the schema documents as an error answer of some call."""
    found = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                if not status.startswith("4") or "$ref" not in body:
                    continue
                error = _component(schema, body).get("properties", {}).get("error")
                if error is None:
                    continue
                code = _component(schema, error)["properties"]["code"]
                found |= {(value, int(status)) for value in _component(schema, code)["enum"]}
    return found


def test_every_refusal_of_the_contract_is_in_the_catalogue_with_its_status(contract_refusals):
    assert contract_refusals
    answered = {(code, status) for code, status in contract_refusals if code not in NO_LONGER_ANSWERED}
    assert answered <= {(code.value, code.status) for code in ErrorCode}


def test_the_catalogue_names_only_codes_of_the_contract_or_awaiting_it(contract_refusals):
    in_contract = {code for code, _status in contract_refusals}

    assert {code.value for code in ErrorCode} - in_contract == NOT_YET_IN_CONTRACT


@pytest.mark.django_db
def test_the_schema_documents_every_code_of_the_catalogue_under_its_status(schema):
    assert documented_refusals(schema) == {(code.value, code.status) for code in ErrorCode}


def test_a_refusal_answers_with_the_status_of_its_code():
    refusal = DomainError("Full.", code="offering_full")

    assert (refusal.code, refusal.status) == (ErrorCode.OFFERING_FULL, 409)
    with pytest.raises(ValueError):
        DomainError("Unheard of.", code="no_such_code")
