"""The risk pipeline end to end in one process: screening → signals → cases → holds, staff resolving, and what the
holds do to subscriptions, approval and settlement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import OfferingReviewerFactory, RiskAnalystFactory
from investors.models import RefundStatus, Subscription, SubscriptionStatus
from investors.subscriptions import settlement
from ledger.models import AccountKind
from ledger.selectors import balance, total_of_all_accounts
from projects import services as project_services
from projects.models import OfferingStatus, OfferingTransition
from projects.tests.factories import FinancialStatementFactory, IssuerFactory, OfferingFactory
from risk import services
from risk.models import Case, CaseEvent, CaseStatus, Outcome, Severity, Signal
from risk.notifications import material_finding_emails
from risk.tests.support import near_deadline_offering, unfunded_commitment
from tests.support.money import eligible_investor, live_offering, subscribe, subscribe_and_charge

pytestmark = pytest.mark.django_db


def impossible_statement(issuer, **figures):
    """Net profit above revenue: figures that cannot all be true (financial_inconsistency, high)."""
    return FinancialStatementFactory(
        issuer=issuer, **{"revenue": Decimal("1000000.00"), "net_profit": Decimal("2000000.00")} | figures
    )


def test_screening_the_same_facts_twice_raises_each_signal_once():
    issuer = IssuerFactory()
    impossible_statement(issuer)

    first = services.screen_issuer(issuer_id=issuer.pk)
    second = services.screen_issuer(issuer_id=issuer.pk)

    assert [s.rule for s in first] == ["financial_inconsistency"] and second == []
    case = Case.objects.get()
    assert (case.subject_type, case.subject_id, case.severity, case.status) == ("issuer", issuer.pk, "high", "open")
    assert list(case.events.values_list("action", flat=True)) == ["opened", "signal_raised"]


def test_a_signal_cleared_by_staff_is_not_raised_again_until_the_facts_change():
    issuer = IssuerFactory()
    statement = impossible_statement(issuer)
    services.screen_issuer(issuer_id=issuer.pk)
    services.case_resolve(
        case=Case.objects.get(), by=RiskAnalystFactory(), outcome=Outcome.CLEARED, note="Typo, refiled."
    )

    assert services.screen_issuer(issuer_id=issuer.pk) == []
    assert not Case.objects.filter(status=CaseStatus.OPEN).exists()

    impossible_statement(issuer, version=2, supersedes=statement, net_profit=Decimal("3000000.00"))
    raised = services.screen_issuer(issuer_id=issuer.pk)

    assert {s.rule for s in raised} == {"financial_inconsistency"}
    assert Case.objects.filter(status=CaseStatus.OPEN).count() == 1


def test_a_case_takes_the_severity_of_its_highest_signal():
    issuer = IssuerFactory(related_to_platform=True, platform_stake_pct=Decimal("5"), related_party_note="5% stake")
    services.screen_issuer(issuer_id=issuer.pk)
    assert Case.objects.get().severity == Severity.MEDIUM

    impossible_statement(issuer)
    services.screen_issuer(issuer_id=issuer.pk)

    case = Case.objects.get()
    assert case.severity == Severity.HIGH
    assert set(case.signals.values_list("rule", flat=True)) == {"platform_conflict", "financial_inconsistency"}
    assert case.events.filter(action="severity_raised", detail__to="high").exists()


def test_a_missing_half_year_report_alone_opens_a_medium_case_that_holds_nothing():
    closed = OfferingFactory(
        status=OfferingStatus.CLOSED,
        opens_at=timezone.make_aware(dt.datetime(2025, 3, 7, 10)),
        closes_at=timezone.make_aware(dt.datetime(2025, 4, 7, 10)),
    )
    OfferingTransition.objects.create(
        offering=closed, from_status="closing", to_status="closed", at=timezone.make_aware(dt.datetime(2025, 4, 7, 11))
    )
    later = OfferingFactory(issuer=closed.issuer, status=OfferingStatus.IN_REVIEW)

    raised = services.screen_issuer(issuer_id=closed.issuer_id, as_of=timezone.make_aware(dt.datetime(2025, 8, 30, 9)))

    assert [(s.rule, s.severity) for s in raised] == [("interim_report_missing", Severity.MEDIUM)]
    assert Case.objects.get().severity == Severity.MEDIUM
    later.refresh_from_db()
    assert (later.risk_hold, later.approval_hold) == (False, False)


def test_a_critical_case_suspends_a_live_offering_and_refuses_subscriptions_until_staff_resolve_it(fake_stripe):
    offering = near_deadline_offering()

    services.screen_issuer(issuer_id=offering.issuer_id)

    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.SUSPENDED, True)
    assert Case.objects.get().severity == Severity.CRITICAL
    refused = subscribe(eligible_investor(), offering, "10000.00", key="during-hold")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "offering_not_open")
    assert not Subscription.objects.exists()

    services.case_resolve(
        case=Case.objects.get(),
        by=RiskAnalystFactory(),
        outcome=Outcome.CLEARED,
        note="The platform's subscription is on its way; checked with finance.",
    )

    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.LIVE, False)
    assert subscribe(eligible_investor(), offering, "10000.00", key="after-hold").status_code == 201
    transitions = list(OfferingTransition.objects.filter(offering=offering).values_list("from_status", "to_status"))
    assert transitions[-2:] == [("live", "suspended"), ("suspended", "live")]
    assert list(CaseEvent.objects.filter(action__startswith="hold").values_list("action", flat=True)) == [
        "hold_placed",
        "hold_lifted",
    ]


def test_a_lifted_hold_is_recorded_on_the_case_whose_resolution_lifted_it():
    offering = near_deadline_offering()
    type(offering.issuer).objects.filter(pk=offering.issuer_id).update(
        related_to_platform=True, related_party_note="The group holds 5%."
    )
    services.screen_issuer(issuer_id=offering.issuer_id)
    critical = Case.objects.get(severity=Severity.CRITICAL)
    medium = Case.objects.get(severity=Severity.MEDIUM)

    services.case_resolve(case=critical, by=RiskAnalystFactory(), outcome=Outcome.CLEARED, note="Paid since.")

    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.LIVE, False)
    assert list(critical.events.filter(action__startswith="hold").values_list("action", flat=True)) == [
        "hold_placed",
        "hold_lifted",
    ]
    assert list(medium.events.filter(action__startswith="hold").values_list("action", flat=True)) == ["hold_placed"]


def test_lifting_a_hold_after_the_deadline_sends_the_offering_to_closing():
    offering = near_deadline_offering()
    services.screen_issuer(issuer_id=offering.issuer_id)
    type(offering).objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))

    services.case_resolve(case=Case.objects.get(), by=RiskAnalystFactory(), outcome=Outcome.CLEARED, note="Checked.")

    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.CLOSING, False)


def test_a_high_case_blocks_approval_of_an_offering_in_review_until_resolved():
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW, summary="本项目保本保收益。")
    services.screen_issuer(issuer_id=offering.issuer_id)
    staff = OfferingReviewerFactory()
    client = APIClient()
    client.force_authenticate(staff)

    refused = client.post(f"/api/v1/offerings/{offering.pk}/approve/", {}, format="json")

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "risk_review_open")
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.IN_REVIEW and not offering.approvals.exists()

    services.case_resolve(
        case=Case.objects.get(),
        by=RiskAnalystFactory(),
        outcome=Outcome.ACTION_TAKEN,
        note="Issuer removed the wording.",
    )
    assert client.post(f"/api/v1/offerings/{offering.pk}/approve/", {}, format="json").status_code == 200


def test_settlement_waits_while_suspended_and_cancelling_refunds_every_investor(
    fake_stripe, django_capture_on_commit_callbacks
):
    offering = live_offering(target_amount=Decimal("20000.00"))
    first, second = eligible_investor(), eligible_investor()
    assert subscribe_and_charge(first, offering, "10000.00", key="a").status_code == 201
    assert subscribe_and_charge(second, offering, "15000.00", key="b").status_code == 201
    unfunded_commitment(offering, "100000.00")
    type(offering).objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    project_services.offerings_close_due()
    services.sweep()

    settlement.offerings_settle_closing()

    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.SUSPENDED, True)
    assert set(Subscription.objects.values_list("status", flat=True)) == {SubscriptionStatus.PAID}
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == Decimal("25000.00")

    with django_capture_on_commit_callbacks(execute=True):
        settlement.offering_cancel_with_refunds(
            offering=offering, by=RiskAnalystFactory(), reason="Commitment was fake."
        )

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED
    subscriptions = Subscription.objects.prefetch_related("refunds")
    assert {(s.status, s.refund_record.status, s.refund_record.amount) for s in subscriptions} == {
        (SubscriptionStatus.REFUNDED, RefundStatus.SUCCEEDED, Decimal("10000.00")),
        (SubscriptionStatus.REFUNDED, RefundStatus.SUCCEEDED, Decimal("15000.00")),
    }
    assert balance(AccountKind.OFFERING_ESCROW, offering.pk) == 0
    assert total_of_all_accounts() == 0


def test_confirming_a_finding_emails_each_investor_of_the_offering_once(
    fake_stripe, django_capture_on_commit_callbacks
):
    offering = near_deadline_offering()
    investors = [eligible_investor(), eligible_investor()]
    for number, investor in enumerate(investors):
        subscribe_and_charge(investor, offering, "10000.00", key=f"k{number}")
    services.screen_issuer(issuer_id=offering.issuer_id)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(
            case=Case.objects.get(),
            by=RiskAnalystFactory(),
            outcome=Outcome.ACTION_TAKEN,
            note="The platform never paid its commitment.",
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.email for i in investors)
    assert all("never paid" in m.body for m in mail.outbox)
    assert material_finding_emails(case_id=Case.objects.get().pk) == 0, "a redelivered task must not mail again"
    assert len(mail.outbox) == 2


def test_clearing_a_finding_tells_investors_nothing(fake_stripe, django_capture_on_commit_callbacks):
    offering = near_deadline_offering()
    subscribe_and_charge(eligible_investor(), offering, "10000.00", key="k")
    services.screen_issuer(issuer_id=offering.issuer_id)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(
            case=Case.objects.get(), by=RiskAnalystFactory(), outcome=Outcome.CLEARED, note="Paid now."
        )

    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_filing_a_statement_screens_the_company_after_commit(api_client):
    issuer = IssuerFactory()
    api_client.force_authenticate(issuer.owner)
    body = {
        "fiscal_year": 2023,
        "period": "FY",
        "kind": "historical",
        "revenue": "100.00",
        "net_profit": "900.00",
        "total_assets": "1000.00",
        "total_liabilities": "10.00",
        "audited": True,
    }

    response = api_client.post(f"/api/v1/issuers/{issuer.pk}/financials/", body, format="json")

    assert response.status_code == 201, response.json()
    signal = Signal.objects.get()
    assert (signal.rule, signal.severity, signal.subject_id) == ("financial_inconsistency", "high", issuer.pk)
    assert signal.evidence["comparisons"][0]["expected"] == "100.00"
    assert signal.evidence["comparisons"][0]["actual"] == "900.00"


@pytest.mark.django_db(transaction=True)
def test_a_statement_rolled_back_with_its_transaction_is_never_screened():
    from django.db import transaction

    issuer = IssuerFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        project_services.financial_statement_file(
            issuer=issuer,
            by=issuer.owner,
            fiscal_year=2023,
            period="FY",
            kind="historical",
            revenue="100.00",
            net_profit="900.00",
            total_assets="1000.00",
            total_liabilities="10.00",
            audited=True,
        )
        raise RuntimeError("the request failed after filing")

    assert not Signal.objects.exists() and not Case.objects.exists()
