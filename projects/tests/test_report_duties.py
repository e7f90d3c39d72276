"""After a successful raise an issuer owes an actual full-year statement within 120 days of each year's end: a
reminder at 90 days (once), a "report overdue" badge after 120, and no new offering while one is overdue. It also owes
an actual first-half statement within 60 days of each June 30 after the close: a reminder at 45 days (once), and a
badge of its own after 60 (it does not stop a new offering)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from projects import selectors, services, tasks
from projects.models import (
    Offering,
    OfferingStatus,
    OfferingTransition,
    ReportReminder,
    StatementKind,
    StatementPeriod,
)
from projects.selectors import DutyStatus
from projects.tests.factories import FinancialStatementFactory, OfferingFactory, offering_payload

pytestmark = pytest.mark.django_db


def closed_offering(on: dt.date, issuer=None):
    offering = OfferingFactory(status=OfferingStatus.CLOSED, **({"issuer": issuer} if issuer else {}))
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(15, 0)))
    OfferingTransition.objects.create(offering=offering, from_status="closing", to_status="closed", at=at)
    return offering


def file_actual(issuer, fiscal_year: int, on: dt.date | None = None, period: str = StatementPeriod.FY):
    filed_at = timezone.make_aware(dt.datetime.combine(on, dt.time(9, 0))) if on else timezone.now()
    return FinancialStatementFactory(
        issuer=issuer, fiscal_year=fiscal_year, period=period, kind=StatementKind.ACTUAL, filed_at=filed_at
    )


def annual_duties(issuer, today: dt.date) -> list:
    return [d for d in selectors.report_duties(today=today, issuer_ids=[issuer.pk]) if d.period == StatementPeriod.FY]


def duty_status(issuer, fiscal_year: int, today: dt.date, period: str = StatementPeriod.FY) -> str:
    [duty] = [
        d
        for d in selectors.report_duties(today=today, issuer_ids=[issuer.pk])
        if (d.fiscal_year, d.period) == (fiscal_year, period)
    ]
    return duty.status


@pytest.fixture
def h1_funded_issuer():
    """Closed its first offering on 10 June 2025: H1 2025 ends 30 June 2025, reminder 14 August 2025 (day 45), due
    29 August 2025 (day 60)."""
    return closed_offering(dt.date(2025, 6, 10)).issuer


@pytest.fixture
def funded_issuer(h1_funded_issuer):
    """The same, with its H1 2025 report filed in time: FY2025 ends 31 December 2025, reminder 31 March 2026 (day
    90), due 30 April 2026 (day 120)."""
    file_actual(h1_funded_issuer, 2025, on=dt.date(2025, 8, 1), period=StatementPeriod.H1)
    return h1_funded_issuer


# The computation -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2026, 3, 30), DutyStatus.NOT_YET_DUE),  # day 89
        (dt.date(2026, 3, 31), DutyStatus.REMINDER_DUE),  # day 90
        (dt.date(2026, 4, 1), DutyStatus.REMINDER_DUE),  # day 91
        (dt.date(2026, 4, 29), DutyStatus.REMINDER_DUE),  # day 119
        (dt.date(2026, 4, 30), DutyStatus.REMINDER_DUE),  # day 120: still within the time allowed
        (dt.date(2026, 5, 1), DutyStatus.OVERDUE),  # day 121
    ],
)
def test_duty_status_around_the_90_and_120_day_boundaries(funded_issuer, today, status):
    assert duty_status(funded_issuer, 2025, today) == status


def test_duty_dates_follow_the_calendar_year(funded_issuer):
    [duty] = annual_duties(funded_issuer, dt.date(2026, 1, 1))

    assert (duty.fiscal_year, duty.period_end, duty.reminder_on, duty.due_on) == (
        2025,
        dt.date(2025, 12, 31),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    )


def test_nothing_is_owed_before_the_first_fiscal_year_after_the_close_has_ended(funded_issuer):
    assert annual_duties(funded_issuer, dt.date(2025, 12, 31)) == []


def test_every_year_since_the_first_close_is_owed(funded_issuer):
    closed_offering(dt.date(2026, 2, 1), issuer=funded_issuer)

    assert [d.fiscal_year for d in annual_duties(funded_issuer, dt.date(2028, 1, 5))] == [2025, 2026, 2027]


@pytest.mark.parametrize("status", ["live", "closing", "failed", "cancelled", "suspended"])
def test_an_issuer_without_a_successful_close_owes_nothing(status):
    offering = OfferingFactory(status=status)

    assert selectors.report_duties(today=dt.date(2030, 1, 1), issuer_ids=[offering.issuer_id]) == []


def test_filing_the_actual_full_year_statement_meets_the_duty_even_late(funded_issuer):
    file_actual(funded_issuer, 2025, on=dt.date(2026, 6, 1))

    assert duty_status(funded_issuer, 2025, dt.date(2026, 7, 1)) == DutyStatus.FILED
    assert (
        selectors.overdue_report_duties(
            today=dt.date(2026, 7, 1), issuer_ids=[funded_issuer.pk], period=StatementPeriod.FY
        )
        == []
    )


@pytest.mark.parametrize("kind", [StatementKind.HISTORICAL, StatementKind.PROJECTION])
def test_a_statement_of_another_kind_does_not_meet_the_duty(funded_issuer, kind):
    FinancialStatementFactory(issuer=funded_issuer, fiscal_year=2025, kind=kind)

    assert duty_status(funded_issuer, 2025, dt.date(2026, 5, 1)) == DutyStatus.OVERDUE


def test_a_shorter_due_period_set_in_the_settings_makes_a_report_overdue_sooner(settings, funded_issuer):
    assert duty_status(funded_issuer, 2025, dt.date(2026, 3, 2)) != DutyStatus.OVERDUE

    settings.ANNUAL_REPORT_DUE_DAYS = 60

    assert duty_status(funded_issuer, 2025, dt.date(2026, 3, 2)) == DutyStatus.OVERDUE


# Reminders -------------------------------------------------------------------------------------------------------


def test_reminder_is_emailed_on_day_90_once_however_often_the_job_runs(
    funded_issuer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_reminders_send(today=dt.date(2026, 3, 30)) == []
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_reminders_send(today=dt.date(2026, 3, 31))
        second = services.report_reminders_send(today=dt.date(2026, 3, 31))
        later = services.report_reminders_send(today=dt.date(2026, 5, 2))

    assert len(first) == 1 and second == [] and later == []
    reminder = ReportReminder.objects.get()
    assert (reminder.issuer, reminder.fiscal_year) == (funded_issuer, 2025)
    [message] = mail.outbox
    assert message.to == [funded_issuer.owner.email]
    assert "2025" in message.subject and "2026-04-30" in message.body


def test_no_reminder_once_the_statement_is_filed(funded_issuer, django_capture_on_commit_callbacks):
    file_actual(funded_issuer, 2025, on=dt.date(2026, 2, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_reminders_send(today=dt.date(2026, 4, 1)) == []

    assert mail.outbox == [] and not ReportReminder.objects.exists()


def test_reminder_task_runs_the_service(django_capture_on_commit_callbacks):
    # Closed two years ago: last year's statement is overdue today, and was never reminded.
    closed_offering(timezone.localdate().replace(month=1, day=15) - dt.timedelta(days=730))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_annual_reports.delay()
        tasks.remind_annual_reports.delay()

    assert ReportReminder.objects.count() == len(mail.outbox) >= 1


# Refusing a new offering while a report is overdue -------------------------------------------------------------------


@pytest.fixture
def overdue_issuer():
    """Closed an offering in 2024; today (2026 or later) its FY2024 and FY2025 statements are overdue."""
    issuer = closed_offering(dt.date(2024, 5, 1)).issuer
    assert selectors.overdue_report_duties(issuer_ids=[issuer.pk])
    return issuer


def test_new_offering_from_an_issuer_with_an_overdue_report_is_refused(api_client, overdue_issuer):
    api_client.force_authenticate(overdue_issuer.owner)
    before = Offering.objects.count()

    response = api_client.post("/api/v1/offerings/", offering_payload(overdue_issuer), format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "report_overdue" and "2024" in error["message"]
    assert 2024 in error["details"]["fiscal_years"]
    assert Offering.objects.count() == before


def test_submitting_a_draft_while_a_report_is_overdue_is_refused(api_client, overdue_issuer):
    draft = OfferingFactory(issuer=overdue_issuer)
    api_client.force_authenticate(overdue_issuer.owner)

    response = api_client.post(f"/api/v1/offerings/{draft.pk}/submit/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "report_overdue"
    draft.refresh_from_db()
    assert draft.status == OfferingStatus.DRAFT and not draft.transitions.exists()


def test_once_every_overdue_report_is_filed_a_new_offering_is_accepted(api_client, overdue_issuer):
    for year in range(2024, timezone.localdate().year):
        file_actual(overdue_issuer, year)
    api_client.force_authenticate(overdue_issuer.owner)

    response = api_client.post("/api/v1/offerings/", offering_payload(overdue_issuer), format="json")

    assert response.status_code == 201, response.json()
    assert Offering.objects.get(pk=response.json()["id"]).status == OfferingStatus.DRAFT


def test_a_report_within_its_120_days_does_not_block_a_new_offering(api_client):
    today = timezone.localdate()
    closed_last_year = closed_offering(dt.date(today.year - 1, 6, 1))
    issuer = closed_last_year.issuer
    overdue = selectors.overdue_report_duties(issuer_ids=[issuer.pk])
    api_client.force_authenticate(issuer.owner)
    offerings_before = Offering.objects.count()

    response = api_client.post("/api/v1/offerings/", offering_payload(issuer), format="json")

    # Before 1 May the statement of last year is still within its 120 days; from then on it is overdue.
    assert response.status_code == (409 if overdue else 201)
    assert Offering.objects.count() == offerings_before + (0 if overdue else 1)


# Pages -----------------------------------------------------------------------------------------------------------


def test_issuer_pages_show_the_overdue_badge_and_hide_the_new_offering_button(client, overdue_issuer):
    client.force_login(overdue_issuer.owner)

    detail = client.get(f"/companies/{overdue_issuer.pk}/").content.decode()
    listing = client.get("/companies/").content.decode()

    assert "Report overdue" in detail and 'id="report-duties"' in detail
    assert f"/companies/{overdue_issuer.pk}/offerings/new/" not in detail
    assert "Report overdue" in listing


def test_web_form_refuses_a_new_offering_with_the_reason(client, overdue_issuer):
    client.force_login(overdue_issuer.owner)

    response = client.post(
        f"/companies/{overdue_issuer.pk}/offerings/new/",
        {
            "title": "Again",
            "summary": "x",
            "security": "new_shares",
            "price_per_share": "10",
            "pre_money_valuation": "1000000",
            "target_amount": "100000",
            "max_amount": "100000",
            "min_investment": "1000",
            "opens_at": "2030-01-01T10:00",
            "closes_at": "2030-02-01T10:00",
            "risk_factors": "x",
            "use_of_funds-TOTAL_FORMS": "1",
            "use_of_funds-INITIAL_FORMS": "0",
            "use_of_funds-0-category": "all",
            "use_of_funds-0-amount": "100000",
            "announced_commitments-TOTAL_FORMS": "0",
            "announced_commitments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "has not filed its actual full-year statement" in response.content.decode()
    assert not Offering.objects.filter(title="Again").exists()


def test_an_issuer_in_good_standing_shows_no_badge(client, funded_issuer):
    file_actual(funded_issuer, 2025)
    client.force_login(funded_issuer.owner)

    assert "Report overdue" not in client.get(f"/companies/{funded_issuer.pk}/").content.decode()


def test_offering_page_shows_the_badge_to_investors(client, overdue_issuer):
    offering = OfferingFactory(issuer=overdue_issuer, status=OfferingStatus.LIVE, target_amount=Decimal("1000000.00"))

    assert "Report overdue" in client.get(f"/offerings/{offering.pk}/").content.decode()


# The half-year report ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2025, 6, 30), None),  # the half year has not ended
        (dt.date(2025, 8, 13), DutyStatus.NOT_YET_DUE),  # day 44
        (dt.date(2025, 8, 14), DutyStatus.REMINDER_DUE),  # day 45
        (dt.date(2025, 8, 29), DutyStatus.REMINDER_DUE),  # day 60: still within the time allowed
        (dt.date(2025, 8, 30), DutyStatus.OVERDUE),  # day 61
    ],
)
def test_half_year_duty_around_the_45_and_60_day_boundaries(h1_funded_issuer, today, status):
    duties = [
        d
        for d in selectors.report_duties(today=today, issuer_ids=[h1_funded_issuer.pk])
        if d.period == StatementPeriod.H1
    ]

    assert [d.status for d in duties] == ([status] if status else [])
    if status:
        assert (duties[0].fiscal_year, duties[0].period_end, duties[0].reminder_on, duties[0].due_on) == (
            2025,
            dt.date(2025, 6, 30),
            dt.date(2025, 8, 14),
            dt.date(2025, 8, 29),
        )


@pytest.mark.parametrize("filed_on", [dt.date(2025, 8, 28), dt.date(2025, 8, 29), dt.date(2025, 12, 1)])
def test_filing_the_actual_first_half_meets_the_duty_on_day_59_60_or_late(h1_funded_issuer, filed_on):
    file_actual(h1_funded_issuer, 2025, on=filed_on, period=StatementPeriod.H1)

    assert duty_status(h1_funded_issuer, 2025, dt.date(2025, 12, 2), period=StatementPeriod.H1) == DutyStatus.FILED


@pytest.mark.parametrize("period", [StatementPeriod.Q2, StatementPeriod.FY])
def test_another_period_does_not_meet_the_half_year_duty(h1_funded_issuer, period):
    file_actual(h1_funded_issuer, 2025, on=dt.date(2025, 8, 1), period=period)

    assert duty_status(h1_funded_issuer, 2025, dt.date(2025, 9, 1), period=StatementPeriod.H1) == DutyStatus.OVERDUE


@pytest.mark.parametrize(
    ("closed_on", "first_half_owed"),
    [
        (dt.date(2025, 6, 29), 2025),
        (dt.date(2025, 6, 30), 2026),
        (dt.date(2025, 7, 10), 2026),
    ],
)
def test_the_first_half_owed_is_the_first_whose_june_30_follows_the_close(closed_on, first_half_owed):
    issuer = closed_offering(closed_on).issuer

    duties = selectors.report_duties(today=dt.date(2026, 12, 1), issuer_ids=[issuer.pk])

    assert [d.fiscal_year for d in duties if d.period == StatementPeriod.H1][0] == first_half_owed


def test_a_shorter_half_year_due_period_set_in_the_settings_makes_it_overdue_sooner(settings, h1_funded_issuer):
    assert duty_status(h1_funded_issuer, 2025, dt.date(2025, 8, 1), period=StatementPeriod.H1) != DutyStatus.OVERDUE

    settings.RISK_POLICY = {**settings.RISK_POLICY, "interim_report_due_days": "30"}

    assert duty_status(h1_funded_issuer, 2025, dt.date(2025, 8, 1), period=StatementPeriod.H1) == DutyStatus.OVERDUE


def test_half_year_reminder_is_emailed_once_apart_from_the_annual_one(
    h1_funded_issuer, django_capture_on_commit_callbacks, english
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_reminders_send(today=dt.date(2025, 8, 13)) == []
        first = services.report_reminders_send(today=dt.date(2025, 8, 14))
        again = services.report_reminders_send(today=dt.date(2025, 9, 30))
        annual = services.report_reminders_send(today=dt.date(2026, 3, 31))

    assert len(first) == 1 and again == [] and len(annual) == 1
    assert sorted(ReportReminder.objects.values_list("fiscal_year", "period")) == [(2025, "FY"), (2025, "H1")]
    half_year, full_year = mail.outbox
    assert "Half-year" in half_year.subject and "2025-08-29" in half_year.body
    assert "Annual" in full_year.subject and "2026-04-30" in full_year.body


def test_an_overdue_half_year_report_shows_its_badge_but_does_not_block_a_new_offering(
    api_client, client, h1_funded_issuer
):
    # Today the H1 report of 2025 is long overdue; the FY2025 one is filed.
    file_actual(h1_funded_issuer, 2025, on=dt.date(2026, 2, 1))
    for year in range(2026, timezone.localdate().year):
        file_actual(h1_funded_issuer, year)
    offering = OfferingFactory(issuer=h1_funded_issuer, status=OfferingStatus.LIVE, target_amount=Decimal("1000000.00"))
    api_client.force_authenticate(h1_funded_issuer.owner)

    response = api_client.post("/api/v1/offerings/", offering_payload(h1_funded_issuer), format="json")

    assert response.status_code == 201, response.json()
    page = client.get(f"/offerings/{offering.pk}/").content.decode()
    assert "Half-year report overdue" in page and "Report overdue" not in page
    client.force_login(h1_funded_issuer.owner)
    detail = client.get(f"/companies/{h1_funded_issuer.pk}/").content.decode()
    assert "Half-year report overdue" in detail and "Half-year report" in detail
