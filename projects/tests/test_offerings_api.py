"""Creating and editing offerings over the API: the answer's shape and every check of the terms."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, SupportFactory
from projects.models import AnnouncedCommitment, Offering, OfferingStatus, OfferingTransition
from projects.tests.factories import IssuerFactory, OfferingFactory, offering_payload, offering_snapshot
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

OFFERINGS = "/api/v1/offerings/"
MONEY_TERMS = ["price_per_share", "pre_money_valuation", "target_amount", "max_amount", "min_investment"]


def assert_nothing_created():
    assert Offering.objects.count() == 0
    assert AnnouncedCommitment.objects.count() == 0


# Create -----------------------------------------------------------------------------------------------------------


def test_created_offering_is_a_draft_with_money_as_two_decimal_strings_in_cny(api_client, issuer):
    response = api_client.post(OFFERINGS, offering_payload(issuer, target_amount="1000000"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert (body["currency"], body["regime"], body["issuer"]) == ("CNY", "cn", issuer.pk)
    assert body["target_amount"] == "1000000.00"
    assert body["price_per_share"] == "10.00"
    assert body["max_amount"] == "1500000.00"
    assert body["raised_amount"] == "0.00"
    assert body["remaining_amount"] == "1500000.00"
    assert body["progress_pct"] == "0.00"
    assert (body["investor_count"], body["risk_hold"]) == (0, False)
    assert body["use_of_funds"] == [
        {"category": "product development", "amount": "600000.00"},
        {"category": "marketing", "amount": "400000.00"},
    ]
    assert body["announced_commitments"] == [{"by": "lead", "investor": None, "amount": "200000.00"}]
    offering = Offering.objects.get(pk=body["id"])
    assert offering.status == OfferingStatus.DRAFT
    assert offering.target_amount == Decimal("1000000.00")
    assert not OfferingTransition.objects.exists()


def test_times_are_answered_in_iso_8601_with_offset(api_client, issuer):
    body = api_client.post(OFFERINGS, offering_payload(issuer), format="json").json()

    opens_at = dt.datetime.fromisoformat(body["opens_at"])
    assert opens_at.utcoffset() is not None


def test_commitment_may_name_an_investor_account_who_then_confirms_it(api_client, issuer):
    investor = InvestorFactory()
    payload = offering_payload(
        issuer, announced_commitments=[{"by": "lead", "investor": investor.pk, "amount": "5000.00"}]
    )

    response = api_client.post(OFFERINGS, payload, format="json")

    assert response.status_code == 201
    commitment = AnnouncedCommitment.objects.get()
    assert (commitment.investor, commitment.status) == (investor, "pending")


@pytest.mark.parametrize("field", MONEY_TERMS)
@pytest.mark.parametrize("amount", ["0.00", "-10.00"])
def test_money_terms_that_are_not_positive_are_refused(api_client, issuer, field, amount):
    response = api_client.post(OFFERINGS, offering_payload(issuer, **{field: amount}), format="json")

    assert_validation_error(response, field)
    assert_nothing_created()


@pytest.mark.parametrize("field", MONEY_TERMS)
def test_money_terms_with_more_than_two_decimals_are_refused(api_client, issuer, field):
    response = api_client.post(OFFERINGS, offering_payload(issuer, **{field: "1000.001"}), format="json")

    assert_validation_error(response, field)
    assert_nothing_created()


def test_maximum_below_target_is_refused(api_client, issuer):
    response = api_client.post(OFFERINGS, offering_payload(issuer, max_amount="999999.99"), format="json")

    assert_validation_error(response, "max_amount")
    assert_nothing_created()


def test_maximum_equal_to_target_is_accepted(api_client, issuer):
    response = api_client.post(OFFERINGS, offering_payload(issuer, max_amount="1000000.00"), format="json")

    assert response.status_code == 201, response.json()
    offering = Offering.objects.get()
    assert offering.max_amount == offering.target_amount == Decimal("1000000.00")


def test_minimum_investment_above_target_is_refused(api_client, issuer):
    response = api_client.post(
        OFFERINGS, offering_payload(issuer, min_investment="1000010.00", max_amount="2000000.00"), format="json"
    )

    assert_validation_error(response, "min_investment")
    assert_nothing_created()


def test_minimum_investment_need_not_buy_whole_shares_since_each_subscription_must(api_client, issuer):
    # CNY 100,000 at CNY 12 a share is a common floor; the smallest subscription is then 8,334 shares.
    response = api_client.post(
        OFFERINGS, offering_payload(issuer, price_per_share="12.00", min_investment="100000.00"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["min_investment"] == "100000.00"


@pytest.mark.parametrize(
    ("opens_in", "closes_in"),
    [
        (dt.timedelta(days=5), dt.timedelta(days=5) - dt.timedelta(hours=1)),
        (dt.timedelta(days=5), dt.timedelta(days=5)),
        (-dt.timedelta(days=10), -dt.timedelta(minutes=1)),
    ],
    ids=["closing-before-opening", "closing-at-the-opening-time", "closing-time-in-the-past"],
)
def test_closing_time_not_after_both_the_opening_and_now_is_refused(api_client, issuer, opens_in, closes_in):
    now = timezone.now()
    payload = offering_payload(issuer, opens_at=(now + opens_in).isoformat(), closes_at=(now + closes_in).isoformat())

    response = api_client.post(OFFERINGS, payload, format="json")

    assert_validation_error(response, "closes_at")
    assert_nothing_created()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param(
            {
                "use_of_funds": [
                    {"category": "product development", "amount": "600000.00"},
                    {"category": "marketing", "amount": "399999.99"},
                ]
            },
            "use_of_funds",
            id="use-of-funds-not-adding-up-to-the-target",
        ),
        pytest.param({"use_of_funds": []}, "use_of_funds", id="empty-use-of-funds"),
        pytest.param(
            {
                "use_of_funds": [
                    {"category": "product", "amount": "1000100.00"},
                    {"category": "refund", "amount": "-100.00"},
                ]
            },
            "use_of_funds.1.amount",
            id="use-of-funds-item-with-a-non-positive-amount",
        ),
        pytest.param(
            {"use_of_funds": [{"amount": "1000000.00"}]},
            "use_of_funds.0.category",
            id="use-of-funds-item-without-a-category",
        ),
        pytest.param(
            {"announced_commitments": [{"by": "celebrity", "amount": "1000.00"}]},
            "announced_commitments.0.by",
            id="unknown-commitment-party",
        ),
        pytest.param(
            {
                "announced_commitments": [
                    {"by": "lead", "amount": "1000000.00"},
                    {"by": "platform", "amount": "500000.01"},
                ]
            },
            "announced_commitments",
            id="commitments-above-the-maximum",
        ),
        pytest.param({"security": "bonds"}, "security", id="unknown-security"),
    ],
)
def test_terms_breaking_a_rule_are_refused_on_their_field_and_nothing_is_created(api_client, issuer, overrides, field):
    response = api_client.post(OFFERINGS, offering_payload(issuer, **overrides), format="json")

    assert_validation_error(response, field)
    assert_nothing_created()


def test_commitments_equal_to_the_maximum_are_accepted(api_client, issuer):
    payload = offering_payload(
        issuer,
        announced_commitments=[{"by": "lead", "amount": "1000000.00"}, {"by": "issuer_insider", "amount": "500000.00"}],
    )

    response = api_client.post(OFFERINGS, payload, format="json")

    assert response.status_code == 201
    assert AnnouncedCommitment.objects.count() == 2


def test_missing_terms_are_each_reported(api_client, issuer):
    response = api_client.post(OFFERINGS, {"issuer": issuer.pk}, format="json")

    assert_validation_error(
        response,
        "title",
        "summary",
        "security",
        "target_amount",
        "opens_at",
        "closes_at",
        "use_of_funds",
        "risk_factors",
    )
    assert_nothing_created()


def test_several_problems_are_reported_in_one_answer(api_client, issuer):
    payload = offering_payload(issuer, max_amount="900000.00", price_per_share="0")

    response = api_client.post(OFFERINGS, payload, format="json")

    assert_validation_error(response, "max_amount", "price_per_share")
    assert_nothing_created()


@pytest.mark.parametrize(
    ("actor", "statuses", "code"),
    [
        ("another-issuer", (404,), "not_found"),
        ("investor", (404,), "not_found"),
        ("anonymous", (401, 403), "not_authenticated"),
    ],
)
def test_creating_an_offering_for_a_company_one_does_not_manage_is_refused(api_client, actor, statuses, code):
    company = IssuerFactory()
    user = {"another-issuer": IssuerUserFactory, "investor": InvestorFactory, "anonymous": lambda: None}[actor]()
    if user is not None:
        api_client.force_authenticate(user)

    response = api_client.post(OFFERINGS, offering_payload(company), format="json")

    assert response.status_code in statuses
    assert response.json()["error"]["code"] == code
    assert_nothing_created()


def test_staff_who_read_every_company_cannot_create_an_offering_for_one(api_client):
    company = IssuerFactory()
    api_client.force_authenticate(SupportFactory())

    response = api_client.post(OFFERINGS, offering_payload(company), format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert not Offering.objects.exists()


# Edit a draft ------------------------------------------------------------------------------------------------------


def test_editing_a_draft_changes_only_the_given_terms(api_client, issuer):
    offering = OfferingFactory(issuer=issuer)
    before = offering_snapshot(offering)

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"title": "Renamed round"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Renamed round"
    after = offering_snapshot(offering)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"title", "updated_at"}


def test_editing_a_draft_replaces_its_commitments(api_client, issuer):
    offering = OfferingFactory(issuer=issuer)
    AnnouncedCommitment.objects.create(offering=offering, by="lead", amount=Decimal("1000.00"))

    response = api_client.patch(
        f"{OFFERINGS}{offering.pk}/",
        {"announced_commitments": [{"by": "platform", "amount": "2000.00"}]},
        format="json",
    )

    assert response.status_code == 200
    assert list(offering.commitments.values_list("by", "amount")) == [("platform", Decimal("2000.00"))]


def test_edit_that_breaks_a_rule_is_refused_and_changes_nothing(api_client, issuer):
    offering = OfferingFactory(issuer=issuer)
    before = offering_snapshot(offering)

    response = api_client.patch(
        f"{OFFERINGS}{offering.pk}/", {"title": "New", "target_amount": "2000000.00"}, format="json"
    )

    assert_validation_error(response, "max_amount", "use_of_funds")
    assert offering_snapshot(offering) == before


@pytest.mark.parametrize(
    "status", ["in_review", "approved", "live", "suspended", "closing", "closed", "failed", "cancelled"]
)
def test_editing_after_submission_is_an_invalid_transition(api_client, issuer, status):
    offering = OfferingFactory(issuer=issuer, status=status)
    before = offering_snapshot(offering)

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"title": "Sneaky"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert offering_snapshot(offering) == before
    assert not OfferingTransition.objects.exists()


def test_editing_a_rejected_offering_returns_it_to_draft(api_client, issuer):
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.REJECTED)

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"title": "Fixed"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    offering.refresh_from_db()
    assert (offering.status, offering.title) == (OfferingStatus.DRAFT, "Fixed")
    transition = OfferingTransition.objects.get()
    assert (transition.from_status, transition.to_status, transition.by) == ("rejected", "draft", issuer.owner)


def test_invalid_edit_of_a_rejected_offering_leaves_it_rejected(api_client, issuer):
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.REJECTED)
    before = offering_snapshot(offering)

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"max_amount": "1.00"}, format="json")

    assert response.status_code == 400
    assert offering_snapshot(offering) == before
    assert not OfferingTransition.objects.exists()


def test_another_issuer_cannot_edit_a_draft(api_client):
    offering = OfferingFactory()
    before = offering_snapshot(offering)
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"title": "Hijacked"}, format="json")

    assert response.status_code == 404
    assert offering_snapshot(offering) == before


def test_investor_cannot_edit_a_public_offering(api_client):
    offering = OfferingFactory(status=OfferingStatus.LIVE)
    before = offering_snapshot(offering)
    api_client.force_authenticate(InvestorFactory())

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"title": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert offering_snapshot(offering) == before


def test_lowering_the_maximum_below_announced_commitments_is_refused(api_client, issuer):
    offering = OfferingFactory(issuer=issuer)
    AnnouncedCommitment.objects.create(offering=offering, by="lead", amount=Decimal("1400000.00"))
    before = offering_snapshot(offering)

    response = api_client.patch(f"{OFFERINGS}{offering.pk}/", {"max_amount": "1000000.00"}, format="json")

    assert_validation_error(response, "announced_commitments")
    assert offering_snapshot(offering) == before
    assert list(offering.commitments.values_list("by", "amount")) == [("lead", Decimal("1400000.00"))]
