"""A commitment that names an investor account is the investor's to confirm: until they accept it, it is not shown
and does not count; and naming an account never tells the issuer what kind of account it is."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, StaffFactory
from projects.models import AnnouncedCommitment, CommitmentStatus, OfferingStatus
from projects.tests.factories import OfferingFactory, offering_payload
from risk import selectors as risk_selectors

pytestmark = pytest.mark.django_db

OFFERINGS = "/api/v1/offerings/"
MINE = "/api/v1/me/commitments/"


def named(offering, investor, amount="200000.00", status=CommitmentStatus.PENDING):
    return AnnouncedCommitment.objects.create(
        offering=offering,
        by="lead",
        investor=investor,
        named_account_id=investor.pk,
        amount=Decimal(amount),
        status=status,
    )


def public_offering():
    now = timezone.now()
    return OfferingFactory(
        status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=20)
    )


def commitment_state():
    return list(AnnouncedCommitment.objects.order_by("pk").values_list("status", "answered_at"))


def test_naming_any_account_number_gets_the_same_answer(api_client, issuer):
    accounts = [InvestorFactory().pk, IssuerUserFactory().pk, StaffFactory().pk, 987654]
    answers = []
    for number in accounts:
        payload = offering_payload(issuer, announced_commitments=[{"by": "lead", "investor": number, "amount": "5.00"}])
        response = api_client.post(OFFERINGS, payload, format="json")
        assert response.status_code == 201, response.json()
        answers.append(response.json()["announced_commitments"])

    assert answers == [[]] * len(accounts)
    assert list(AnnouncedCommitment.objects.values_list("named_account_id", "status")) == [
        (number, CommitmentStatus.PENDING) for number in accounts
    ]
    # Only the investor's account can ever accept: the others name nobody who could.
    assert AnnouncedCommitment.objects.filter(investor__isnull=False).count() == 1


def test_a_named_commitment_is_not_public_until_the_investor_accepts_it(api_client, client):
    offering, investor = public_offering(), InvestorFactory()
    commitment = named(offering, investor)

    assert api_client.get(f"{OFFERINGS}{offering.pk}/").json()["announced_commitments"] == []
    assertNotContains(client.get(reverse("projects:offering_detail", args=[offering.pk])), "Lead investor")

    api_client.force_authenticate(investor)
    response = api_client.post(f"{MINE}{commitment.pk}/accept/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    api_client.force_authenticate(None)
    shown = api_client.get(f"{OFFERINGS}{offering.pk}/").json()["announced_commitments"]
    assert shown == [{"by": "lead", "investor": investor.pk, "amount": "200000.00"}]
    assertContains(client.get(reverse("projects:offering_detail", args=[offering.pk])), "Lead investor")


def test_unnamed_commitments_are_shown_as_before(api_client):
    offering = public_offering()
    AnnouncedCommitment.objects.create(offering=offering, by="platform", amount=Decimal("50000.00"))

    shown = api_client.get(f"{OFFERINGS}{offering.pk}/").json()["announced_commitments"]

    assert shown == [{"by": "platform", "investor": None, "amount": "50000.00"}]


def test_investor_lists_the_commitments_naming_them_and_declines_one(api_client):
    offering, investor = public_offering(), InvestorFactory()
    commitment = named(offering, investor)
    named(public_offering(), InvestorFactory())  # someone else's
    api_client.force_authenticate(investor)

    listed = api_client.get(MINE)
    declined = api_client.post(f"{MINE}{commitment.pk}/decline/")

    assert listed.status_code == 200
    assert [(row["id"], row["offering"], row["status"]) for row in listed.json()["results"]] == [
        (commitment.pk, offering.pk, "pending")
    ]
    assert listed.json()["results"][0]["offering_title"] == offering.title
    assert declined.status_code == 200
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DECLINED and commitment.answered_at is not None
    assert api_client.get(f"{OFFERINGS}{offering.pk}/").json()["announced_commitments"] == []


def test_only_the_named_investor_can_answer(api_client):
    commitment = named(public_offering(), InvestorFactory())
    before = commitment_state()
    for intruder in (InvestorFactory(), commitment.offering.issuer.owner, StaffFactory()):
        api_client.force_authenticate(intruder)
        assert api_client.post(f"{MINE}{commitment.pk}/accept/").status_code == 404
    assert commitment_state() == before


def test_an_answered_commitment_cannot_be_answered_again(api_client):
    investor = InvestorFactory()
    commitment = named(public_offering(), investor, status=CommitmentStatus.DECLINED)
    before = commitment_state()
    api_client.force_authenticate(investor)

    response = api_client.post(f"{MINE}{commitment.pk}/accept/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert commitment_state() == before


def test_investor_accepts_on_their_commitments_page(client):
    offering, investor = public_offering(), InvestorFactory()
    commitment = named(offering, investor)
    client.force_login(investor)

    page = client.get(reverse("projects:my_commitments"))
    accepted = client.post(reverse("projects:commitment_accept", args=[commitment.pk]))

    assertContains(page, offering.title)
    assertContains(page, reverse("projects:commitment_accept", args=[commitment.pk]))
    assert accepted.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.ACCEPTED


def test_the_risk_review_counts_only_commitments_that_are_public():
    offering = public_offering()
    pending = named(offering, InvestorFactory())
    accepted = named(offering, InvestorFactory(), status=CommitmentStatus.ACCEPTED)
    unnamed = AnnouncedCommitment.objects.create(offering=offering, by="platform", amount=Decimal("1.00"))

    facts = risk_selectors.issuer_facts(issuer_id=offering.issuer_id, as_of=timezone.now())

    assert [c.pk for c in facts.offerings[0].commitments] == [accepted.pk, unnamed.pk]
    assert pending.pk not in [c.pk for c in facts.offerings[0].commitments]


def test_the_schema_lists_the_commitment_calls(api_client):
    paths = api_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    assert "get" in paths["/api/v1/me/commitments/"]
    assert "post" in paths["/api/v1/me/commitments/{id}/accept/"]
    assert "post" in paths["/api/v1/me/commitments/{id}/decline/"]
