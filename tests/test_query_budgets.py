"""Pages make no more database queries as their lists grow: each is measured with one row and with many."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import InvestorFactory
from projects import questions, services
from projects.models import OfferingStatus
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory, live_offering

pytestmark = pytest.mark.django_db

MANY = 8


def queries_to_open(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_offering_list_queries_do_not_grow_with_offerings(client):
    def add_offerings(count):
        for _ in range(count):
            offering = OfferingFactory(status=OfferingStatus.LIVE, issuer=IssuerFactory())
            offering.commitments.create(by="lead", amount=Decimal("1000.00"))

    add_offerings(1)
    with_one = queries_to_open(client, reverse("projects:offering_list"))
    add_offerings(MANY)

    assert queries_to_open(client, reverse("projects:offering_list")) <= with_one


def fill_offering_page(offering, count: int) -> None:
    """`count` more statements, questions (answered), updates with a changed term, commitments and uses of funds."""
    owner = offering.issuer.owner
    start = offering.issuer.statements.count()
    for index in range(count):
        FinancialStatementFactory(issuer=offering.issuer, fiscal_year=2000 + start + index)
        question = questions.question_ask(offering=offering, by=InvestorFactory(), text=f"Question {index}")
        questions.question_answer(question=question, by=owner, text="Answer")
        services.offering_update_post(
            offering=offering,
            by=owner,
            title=f"Update {index}",
            body="News.",
            material_change=False,
            changes={"use_of_funds": [{"category": "engineers", "amount": "1000000.00"}]},
        )
        offering.commitments.create(by="platform", amount=Decimal("1000.00"))


@pytest.mark.parametrize("viewer", ["visitor", "investor", "issuer"])
def test_offering_page_queries_do_not_grow_with_its_lists(client, viewer):
    offering = live_offering()
    url = reverse("projects:offering_detail", args=[offering.pk])
    if viewer == "investor":
        client.force_login(InvestorFactory())
    elif viewer == "issuer":
        client.force_login(offering.issuer.owner)
    fill_offering_page(offering, 1)
    with_one = queries_to_open(client, url)
    fill_offering_page(offering, MANY)

    assert queries_to_open(client, url) <= with_one, with_one
