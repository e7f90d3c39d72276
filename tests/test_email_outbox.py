"""Emails to investors go through an outbox: recorded with the change they report, sent after commit, retried, never
sent twice, and a reconfirmation deadline never lapses for an investor whose email was not delivered."""

from __future__ import annotations

import datetime as dt
import smtplib
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accounts.tests.factories import RiskAnalystFactory
from investors.models import SubscriptionStatus
from investors.subscriptions import reconfirmation, settlement
from kernel.dates import business_days_after
from projects import services as project_services
from projects.models import Offering, OfferingUpdate
from risk import services as risk_services
from risk.models import Case, Outcome
from tests.support.money import eligible_investor, live_offering, paid, status_of, subscribe
from tests.support.updates import awaiting_reconfirmation, post_update

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_stripe", "english")]


class FlakyBackend(EmailBackend):
    """The locmem backend behind a mail server that refuses the addresses in `refused` while `down` is set."""

    down = False
    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if FlakyBackend.down or set(message.to) & FlakyBackend.refused:
                raise smtplib.SMTPServerDisconnected("mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.test_email_outbox.FlakyBackend"
    FlakyBackend.down, FlakyBackend.refused = False, set()
    yield FlakyBackend
    FlakyBackend.down, FlakyBackend.refused = False, set()


def send_due_emails_later(minutes: int = 600) -> None:
    from emails.services import emails_send_due

    emails_send_due(now=timezone.now() + dt.timedelta(minutes=minutes))


def test_a_newline_in_an_update_title_is_refused_before_any_email_is_written():
    offering = live_offering()
    paid(offering)
    mail.outbox.clear()

    response = post_update(offering, title="New plan\r\nBcc: everyone@example.com")

    assert response.status_code == 400 and "title" in response.json()["error"]["fields"]
    assert not OfferingUpdate.objects.filter(offering=offering).exists() and mail.outbox == []


def test_a_newline_in_an_offering_title_still_delivers_the_reconfirmation_email():
    offering = live_offering()
    Offering.objects.filter(pk=offering.pk).update(title="Round\nOne")
    investor, subscription = paid(offering)
    mail.outbox.clear()

    response = post_update(offering, material=True)

    assert response.status_code == 201, response.json()
    [message] = mail.outbox
    assert message.to == [investor.email]
    assert message.subject == "Round One changed its terms: confirm your subscription again"
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED


def test_a_reconfirmation_never_lapses_while_its_email_is_undelivered_and_counts_from_delivery(flaky_mail):
    offering = live_offering()
    flaky_mail.down = True
    investor, subscription = awaiting_reconfirmation(offering)
    assert mail.outbox == []
    after_deadline = subscription.reconfirm_deadline + dt.timedelta(minutes=1)

    # The deadline passes while the mail server is down: nothing lapses, and staff see the email waiting.
    assert reconfirmation.reconfirmations_lapse(now=after_deadline) == []
    assert status_of(subscription) == SubscriptionStatus.RECONFIRMATION_REQUIRED
    from emails.models import OutgoingEmail

    waiting = OutgoingEmail.objects.get(recipient=investor, notification__startswith="offering_update:")
    assert waiting.status == "pending" and "SMTPServerDisconnected" in waiting.last_error

    # The mail server comes back after the deadline, and the email goes out then.
    flaky_mail.down = False
    with time_machine.travel(after_deadline, tick=False):
        send_due_emails_later(minutes=0)
    waiting.refresh_from_db()
    assert waiting.status == "sent" and len(mail.outbox) == 2  # the payment's confirmation, then this
    delivered_deadline = business_days_after(waiting.sent_at, 5)

    # The investor has five business days from delivery: the old deadline no longer ends the subscription.
    assert reconfirmation.reconfirmations_lapse(now=after_deadline) == []
    subscription.refresh_from_db()
    assert subscription.reconfirm_deadline == delivered_deadline
    assert reconfirmation.reconfirmations_lapse(now=delivered_deadline + dt.timedelta(minutes=1)) == [subscription.pk]
    assert status_of(subscription) == SubscriptionStatus.CANCELLED


def test_a_risk_finding_email_that_fails_halfway_is_retried_and_no_investor_is_mailed_twice(
    flaky_mail, django_capture_on_commit_callbacks
):
    from risk.tests.support import unfunded_commitment

    offering = live_offering(closes_at=timezone.now() + dt.timedelta(days=2))
    investors = [eligible_investor(), eligible_investor()]
    for number, investor in enumerate(investors):
        subscribe(investor, offering, "10000.00", key=f"k{number}")
    # A platform commitment nobody paid, two days from the deadline: a critical finding.
    unfunded_commitment(offering)
    risk_services.screen_issuer(issuer_id=offering.issuer_id)
    mail.outbox.clear()
    flaky_mail.refused = {investors[1].email}

    with django_capture_on_commit_callbacks(execute=True):
        risk_services.case_resolve(
            case=Case.objects.get(), by=RiskAnalystFactory(), outcome=Outcome.ACTION_TAKEN, note="Never paid."
        )

    assert [m.to for m in mail.outbox] == [[investors[0].email]]
    assert Case.objects.get().events.filter(action="investors_notified").exists()
    flaky_mail.refused = set()
    send_due_emails_later()
    send_due_emails_later()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.email for i in investors)


def test_staff_see_a_failed_email_in_the_admin_and_send_it_again(flaky_mail, settings, client):
    from accounts.tests.factories import SuperuserFactory
    from emails.models import OutgoingEmail

    settings.EMAIL_MAX_ATTEMPTS = 2
    offering = live_offering()
    flaky_mail.down = True
    investor, _subscription = paid(offering)
    send_due_emails_later()
    email = OutgoingEmail.objects.get(recipient=investor, notification__endswith=":confirmed")
    assert (email.status, email.attempts) == ("failed", 2)
    client.force_login(SuperuserFactory())

    listed = client.get("/admin/emails/outgoingemail/?status__exact=failed")
    flaky_mail.down = False
    client.post("/admin/emails/outgoingemail/", {"action": "retry_emails", "_selected_action": [email.pk]})
    client.post("/admin/emails/outgoingemail/", {"action": "retry_emails", "_selected_action": [email.pk]})

    assert listed.status_code == 200 and investor.email in listed.content.decode()
    email.refresh_from_db()
    assert email.status == "sent" and [m.to for m in mail.outbox] == [[investor.email]]


def test_each_investor_hears_the_offering_result_once_however_often_settlement_runs():
    offering = live_offering(target_amount=Decimal("40000.00"))
    for index in range(2):
        subscribe(eligible_investor(), offering, "20000.00", key=f"result-{index}")
    Offering.objects.filter(pk=offering.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    project_services.offerings_close_due()
    mail.outbox.clear()

    settlement.offering_settle(offering_id=offering.pk)
    settlement.offering_settle(offering_id=offering.pk)

    results = [m for m in mail.outbox if m.subject == f"{offering.title} closed: your shares"]
    assert sorted(m.to[0] for m in results) == sorted(offering.subscriptions.values_list("investor__email", flat=True))
    assert all("You now hold 2000 shares bought for 20000.00 CNY." in m.body for m in results)
