"""The offering page an investor decides on: its header (badges, progress, days left, why one can or cannot
subscribe now), its financials and its questions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory
from investors.models import KycStatus, Subscription, SubscriptionStatus
from investors.tests.factories import KycProfileFactory
from projects.models import CommitmentStatus, FinancialStatement, OfferingStatus, StatementKind
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory, live_offering

pytestmark = pytest.mark.django_db


SUBSCRIBE_FORM = 'action="/investor/subscribe/%s/"'


def page(client, offering):
    return client.get(reverse("projects:offering_detail", args=[offering.pk]))


def verified_investor(client):
    investor = InvestorFactory()
    KycProfileFactory(user=investor, status=KycStatus.VERIFIED)
    client.force_login(investor)
    return investor


# Header ------------------------------------------------------------------------------------------------------------


def test_header_shows_progress_against_target_and_maximum_investors_and_days_left(client):
    now = timezone.now()
    offering = OfferingFactory(
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=9, hours=2),
        raised_amount=Decimal("250000.00"),
        reserved_amount=Decimal("250000.00"),
        investor_count=7,
    )

    response = page(client, offering)

    assertContains(response, "CNY 250,000.00 raised of a CNY 1,000,000.00 target (maximum CNY 1,500,000.00)")
    assertContains(response, '<rect class="raised" x="0" y="4" width="167" height="16" rx="4"></rect>', html=True)
    assertContains(response, '<rect class="target" x="667" y="0" width="4" height="24"></rect>', html=True)
    assertContains(response, "<div><dt>Investors</dt><dd>7</dd></div>", html=True)
    assertContains(response, "<div><dt>Days left</dt><dd>10</dd></div>", html=True)


def test_open_offering_offers_a_verified_investor_the_remaining_capacity(client):
    verified_investor(client)
    offering = live_offering(reserved_amount=Decimal("1200000.00"), raised_amount=Decimal("1200000.00"))

    response = page(client, offering)

    assertContains(response, "CNY 300,000.00 still available")
    assertContains(response, 'href="#subscribe"')
    assertContains(response, SUBSCRIBE_FORM % offering.pk)


@pytest.mark.parametrize(
    ("make_offering", "reason"),
    [
        (lambda: OfferingFactory(status=OfferingStatus.APPROVED), "Not open yet: subscriptions open on"),
        (lambda: live_offering(reserved_amount=Decimal("1500000.00")), "Sold out"),
        (lambda: OfferingFactory(status=OfferingStatus.SUSPENDED, risk_hold=True), "Subscriptions are paused"),
        (lambda: OfferingFactory(status=OfferingStatus.CLOSED), "Subscriptions have ended."),
    ],
    ids=["not-open-yet", "sold-out", "on-hold", "ended"],
)
def test_offering_that_takes_no_money_says_why(client, make_offering, reason):
    verified_investor(client)
    offering = make_offering()

    response = page(client, offering)

    assertContains(response, reason)
    assertNotContains(response, 'href="#subscribe"')
    assertNotContains(response, SUBSCRIBE_FORM % offering.pk)  # the panel below agrees with the call to action


def test_investor_without_verified_identity_is_sent_to_kyc(client):
    investor = InvestorFactory()
    KycProfileFactory(user=investor, status=KycStatus.PENDING)
    client.force_login(investor)

    offering = live_offering()

    response = page(client, offering)

    assertContains(response, "Verify your identity (KYC) before subscribing.")
    assertContains(response, f'href="{reverse("investors:kyc")}"')
    assertNotContains(response, 'href="#subscribe"')
    assertNotContains(response, SUBSCRIBE_FORM % offering.pk)


def test_visitor_is_asked_to_log_in(client):
    response = page(client, live_offering())

    assertContains(response, "Log in to invest")


def test_badges_show_platform_tie_risk_hold_and_an_overdue_report(client):
    issuer = IssuerFactory(related_to_platform=True, related_party_note="Our fund owns shares.")
    OfferingFactory(
        issuer=issuer,
        status=OfferingStatus.CLOSED,
        opens_at=timezone.now() - dt.timedelta(days=800),
        closes_at=timezone.now() - dt.timedelta(days=760),
    )
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.SUSPENDED, risk_hold=True)

    response = page(client, offering)

    assertContains(response, 'href="#related-party-disclosure">Related to the platform</a>')
    assertContains(response, '<span class="badge danger">On hold for risk review</span>', html=True)
    assertContains(response, "Report overdue")


def test_issuer_sees_no_subscribe_button_on_their_own_offering(client):
    issuer_user = IssuerUserFactory()
    client.force_login(issuer_user)

    response = page(client, live_offering(issuer=IssuerFactory(owner=issuer_user)))

    assertContains(response, "Only investor accounts can subscribe.")


# Financials --------------------------------------------------------------------------------------------------------


def closed_raise(issuer):
    """A successful raise of `issuer` that ran from March to April 2024."""
    return OfferingFactory(
        issuer=issuer,
        status=OfferingStatus.CLOSED,
        opens_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
    )


def test_after_a_raise_the_projection_shown_before_it_is_set_against_the_actual_result(client):
    issuer = IssuerFactory()
    offering = closed_raise(issuer)
    before_close = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2024,
        kind=StatementKind.PROJECTION,
        filed_at=before_close,
        revenue=Decimal("100000000.00"),
        net_profit=Decimal("35000000.00"),
    )
    # A projection re-filed after the raise is not the one investors were shown.
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2024,
        kind=StatementKind.PROJECTION,
        version=2,
        supersedes=FinancialStatement.objects.get(),
        filed_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        revenue=Decimal("90000000.00"),
        net_profit=Decimal("1000000.00"),
    )
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2024,
        kind=StatementKind.ACTUAL,
        filed_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        revenue=Decimal("80000000.00"),
        net_profit=Decimal("-26800000.00"),
    )

    response = page(client, offering)

    content = response.content.decode()
    assert content.index("Projected before the raise, against the actual result") < content.index("Every filing")
    assertContains(
        response,
        '<tr class="breach"><td>2024</td><td>Net profit</td><td class="amount">CNY 35,000,000.00</td>'
        '<td class="amount">CNY -26,800,000.00</td><td class="amount">-176.6%'
        '<strong class="badge danger">Below the review threshold</strong></td></tr>',
        html=True,
    )
    # Revenue at 80% of the projection is above the policy's 60%: shown, not highlighted.
    assertContains(
        response,
        '<tr class=""><td>2024</td><td>Revenue</td><td class="amount">CNY 100,000,000.00</td>'
        '<td class="amount">CNY 80,000,000.00</td><td class="amount">-20.0%</td></tr>',
        html=True,
    )
    assertContains(response, "under 50% of the projection (or a loss), or actual revenue under 60% of it")
    assertContains(response, "Superseded", count=1)


def test_deviation_threshold_follows_the_review_policy(client, settings):
    settings.RISK_POLICY = settings.RISK_POLICY | {"revenue_shortfall_ratio": "0.90"}
    issuer = IssuerFactory()
    offering = closed_raise(issuer)
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2024,
        kind=StatementKind.PROJECTION,
        filed_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        revenue=Decimal("100000000.00"),
        net_profit=Decimal("1000000.00"),
    )
    FinancialStatementFactory(
        issuer=issuer,
        fiscal_year=2024,
        kind=StatementKind.ACTUAL,
        revenue=Decimal("80000000.00"),
        net_profit=Decimal("1000000.00"),
    )

    response = page(client, offering)

    assertContains(response, '<tr class="breach"><td>2024</td><td>Revenue</td>', count=0)
    assertContains(response, "Below the review threshold", count=1)
    assertContains(response, "actual revenue under 90% of it")


def test_financials_chart_draws_each_kind_by_year_with_losses_below_zero_and_a_table_alternative(client):
    issuer = IssuerFactory()
    FinancialStatementFactory(issuer=issuer, fiscal_year=2023, net_profit=Decimal("-1000000.00"))
    FinancialStatementFactory(
        issuer=issuer, fiscal_year=2024, kind=StatementKind.PROJECTION, net_profit=Decimal("3000000.00")
    )
    offering = live_offering(issuer=issuer)

    response = page(client, offering)

    assertContains(response, "<title>2023 Historical: CNY -1,000,000.00</title>")
    assertContains(response, "<title>2024 Projection: CNY 3,000,000.00</title>")
    # The profit chart spans -1 M to 3 M over 208 units: zero at 8 + 208 * 3/4.
    assertContains(response, '<line class="zero-line" x1="0" y1="164" x2="600" y2="164"></line>', html=True)
    assertContains(response, 'class="kind-historical negative" x="30" y="164" width="78" height="52"')
    assertContains(response, "Full-year figures by year (CNY)")
    assertNotContains(response, "Projected before the raise")


def test_offering_page_says_when_no_statement_was_filed(client):
    response = page(client, live_offering())

    assertContains(response, "The company has filed no financial statements.")


# Use of funds and commitments ---------------------------------------------------------------------------------------


def test_use_of_funds_is_a_chart_of_shares_with_a_table_of_amounts(client):
    offering = live_offering(
        use_of_funds=[{"category": "engineers", "amount": "750000.00"}, {"category": "sales", "amount": "250000.00"}]
    )

    response = page(client, offering)

    assertContains(response, '<rect class="series-0" x="0" y="0" width="450" height="24">')
    assertContains(response, '<rect class="series-1" x="450" y="0" width="150" height="24">')
    assertContains(response, '<td class="amount">75.0%</td>', html=True)
    assertContains(response, '<td class="amount">CNY 250,000.00</td>', html=True)


def test_commitments_show_whether_paid_subscriptions_back_them(client):
    lead, other = InvestorFactory(), InvestorFactory()
    offering = live_offering()
    offering.commitments.create(by="lead", investor=lead, amount=Decimal("200000.00"), status=CommitmentStatus.ACCEPTED)
    offering.commitments.create(by="platform", amount=Decimal("500000.00"))
    offering.commitments.create(
        by="issuer_insider", investor=other, amount=Decimal("50000.00"), status=CommitmentStatus.ACCEPTED
    )
    paid_subscription(lead, offering, Decimal("200000.00"))
    paid_subscription(other, offering, Decimal("10000.00"))

    response = page(client, offering)

    assertContains(response, "Yes, paid", count=1)
    assertContains(response, "Names no investor account: cannot be backed", count=1)
    assertContains(response, "Not yet paid", count=1)
    assertContains(response, '<td class="amount">CNY 10,000.00</td>', html=True)


def paid_subscription(investor, offering, amount):
    now = timezone.now()
    return Subscription.objects.create(
        investor=investor,
        offering=offering,
        amount=amount,
        currency="CNY",
        shares=int(amount / 10),
        status=SubscriptionStatus.PAID,
        idempotency_key=f"key-{investor.pk}",
        request_digest="d",
        payment_method="pm_card_visa",
        created_at=now,
        reserved_until=now,
        paid_at=now,
    )
