"""Filing financial statements: versions instead of edits, the checks on each figure, and who may file."""

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, SupportFactory
from kernel.errors import PermissionRefused, ValidationFailed
from projects import services
from projects.models import FinancialStatement
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, statement_figures
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1
THIS_YEAR = timezone.localdate().year


def statement(**overrides):
    return statement_figures(fiscal_year=LAST_YEAR, operating_cash_flow="350000.00", audited=True) | overrides


def url(issuer):
    return f"/api/v1/issuers/{issuer.pk}/financials/"


def test_first_filing_is_version_1(api_client, issuer):
    response = api_client.post(url(issuer), statement(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["supersedes"], body["issuer"]) == (1, None, issuer.pk)
    assert body["revenue"] == "5000000.00" and body["currency"] == "CNY"
    assert body["filed_at"]
    stored = FinancialStatement.objects.get()
    assert stored.filed_by == issuer.owner


def test_refiling_the_same_period_and_kind_makes_version_2_and_keeps_version_1(api_client, issuer):
    first = api_client.post(url(issuer), statement(), format="json").json()

    second = api_client.post(url(issuer), statement(revenue="5100000.00"), format="json")

    assert second.status_code == 201
    assert (second.json()["version"], second.json()["supersedes"]) == (2, first["id"])
    original = FinancialStatement.objects.get(pk=first["id"])
    assert original.revenue == 5000000 and original.version == 1
    assert not original.is_latest


def test_both_versions_are_listed_with_their_filing_time(api_client, issuer):
    api_client.post(url(issuer), statement(), format="json")
    api_client.post(url(issuer), statement(revenue="5100000.00"), format="json")

    body = api_client.get(url(issuer)).json()

    assert body["count"] == 2
    assert [(item["version"], item["revenue"]) for item in body["results"]] == [(2, "5100000.00"), (1, "5000000.00")]
    assert all(item["filed_at"] for item in body["results"])


def test_a_different_kind_or_period_starts_its_own_version_1(api_client, issuer):
    api_client.post(url(issuer), statement(), format="json")

    projection = api_client.post(url(issuer), statement(kind="projection", fiscal_year=THIS_YEAR + 1), format="json")
    half_year = api_client.post(url(issuer), statement(period="H1"), format="json")

    assert projection.json()["version"] == 1
    assert half_year.json()["version"] == 1


@pytest.mark.parametrize("kind", ["historical", "actual"])
def test_historical_or_actual_figures_for_a_period_not_yet_ended_are_refused(api_client, issuer, kind):
    response = api_client.post(url(issuer), statement(kind=kind, fiscal_year=THIS_YEAR, period="FY"), format="json")

    assert_validation_error(response, "fiscal_year")
    assert FinancialStatement.objects.count() == 0


def test_projection_for_a_future_period_is_accepted(api_client, issuer):
    response = api_client.post(url(issuer), statement(kind="projection", fiscal_year=THIS_YEAR + 2), format="json")

    assert response.status_code == 201, response.json()
    filed = FinancialStatement.objects.get()
    assert (filed.issuer, filed.kind, filed.fiscal_year) == (issuer, "projection", THIS_YEAR + 2)


@pytest.mark.parametrize(
    ("field", "value"),
    [("period", "Q5"), ("period", "fy"), ("kind", "forecast"), ("fiscal_year", 1800), ("fiscal_year", THIS_YEAR + 11)],
)
def test_unknown_period_kind_or_year_is_refused(api_client, issuer, field, value):
    response = api_client.post(url(issuer), statement(**{field: value}), format="json")

    assert_validation_error(response, field)
    assert FinancialStatement.objects.count() == 0


@pytest.mark.parametrize("field", ["revenue", "net_profit", "total_assets", "total_liabilities", "operating_cash_flow"])
def test_figures_with_more_than_two_decimals_are_refused(api_client, issuer, field):
    response = api_client.post(url(issuer), statement(**{field: "1000.005"}), format="json")

    assert_validation_error(response, field)
    assert FinancialStatement.objects.count() == 0


def test_negative_assets_and_profit_above_revenue_are_accepted_for_risk_review_to_flag(api_client, issuer):
    response = api_client.post(
        url(issuer), statement(total_assets="-100.00", net_profit="9000000.00", revenue="10.00"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["total_assets"] == "-100.00"


def test_operating_cash_flow_may_be_omitted(api_client, issuer):
    data = statement()
    del data["operating_cash_flow"]

    response = api_client.post(url(issuer), data, format="json")

    assert response.status_code == 201
    assert response.json()["operating_cash_flow"] is None


def test_another_issuer_cannot_file_for_a_company_and_nothing_is_stored(api_client):
    company = IssuerFactory()
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post(url(company), statement(), format="json")

    assert response.status_code == 404
    assert FinancialStatement.objects.count() == 0


def test_another_issuer_cannot_list_a_companys_statements(api_client):
    filed = FinancialStatementFactory()
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.get(url(filed.issuer))

    assert response.status_code == 404


def test_investor_cannot_file_statements(api_client):
    company = IssuerFactory()
    api_client.force_authenticate(InvestorFactory())

    response = api_client.post(url(company), statement(), format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert FinancialStatement.objects.count() == 0


def test_staff_who_read_every_company_still_cannot_file_for_one(api_client):
    company = IssuerFactory()
    api_client.force_authenticate(SupportFactory())

    response = api_client.post(url(company), statement(), format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert FinancialStatement.objects.count() == 0


def test_service_refuses_a_filing_by_someone_who_does_not_manage_the_company():
    company = IssuerFactory()

    with pytest.raises(PermissionRefused):
        services.financial_statement_file(issuer=company, by=IssuerUserFactory(), **statement())

    assert FinancialStatement.objects.count() == 0


def test_service_refuses_float_figures():
    company = IssuerFactory()

    with pytest.raises(ValidationFailed) as refusal:
        services.financial_statement_file(issuer=company, by=company.owner, **statement(revenue=1000.5))

    assert "revenue" in refusal.value.fields
    assert FinancialStatement.objects.count() == 0
