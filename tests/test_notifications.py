"""The notifications page: what the platform has emailed a user, newest first, only their own; the menu counts the
unread ones until the page has shown them; its queries do not grow with the notifications."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory
from emails.models import EmailStatus, OutgoingEmail
from emails.services import email_enqueue

pytestmark = pytest.mark.django_db

URL = reverse("emails:notifications")


def notify(user, notification: str, subject: str, body: str = "Details.", *, ago_minutes: int = 0) -> OutgoingEmail:
    email = email_enqueue(notification=notification, recipient=user, subject=subject, body=body)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - dt.timedelta(minutes=ago_minutes))
    return email


def unread_badge(count: int) -> str:
    return f'<span class="badge count">{count}<span class="visually-hidden"> unread</span></span>'


def test_investor_reads_their_own_notifications_newest_first_and_the_menu_count_clears(client, english):
    investor = InvestorFactory()
    notify(investor, "subscription:1:confirmed", "Your subscription is confirmed", ago_minutes=30)
    notify(investor, "offering_update:4", "New terms: confirm your subscription", "Confirm before 30 Nov 2026.")
    notify(InvestorFactory(), "subscription:2:confirmed", "Someone else's confirmation")
    client.force_login(investor)

    before = client.get(reverse("investors:dashboard"))
    shown = client.get(URL)
    after = client.get(reverse("investors:dashboard"))

    assertContains(before, unread_badge(2), html=True)
    content = shown.content.decode()
    assert content.index("New terms: confirm your subscription") < content.index("Your subscription is confirmed")
    assertContains(shown, "Confirm before 30 Nov 2026.")
    assertContains(shown, '<span class="badge new">New</span>', count=2, html=True)
    assertNotContains(shown, "Someone else's confirmation")
    assertNotContains(after, 'class="badge count"')
    assert OutgoingEmail.objects.filter(recipient=investor, read_at__isnull=True).count() == 0
    assert OutgoingEmail.objects.exclude(recipient=investor).get().read_at is None


def test_a_notification_whose_email_failed_says_so(client, english):
    investor = InvestorFactory()
    email = notify(investor, "refund:7", "Your refund is on its way")
    OutgoingEmail.objects.filter(pk=email.pk).update(status=EmailStatus.FAILED)
    client.force_login(investor)

    assertContains(client.get(URL), "The email could not be delivered")


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_notifications_page_queries_do_not_grow_with_notifications(client):
    investor = InvestorFactory()
    client.force_login(investor)

    def queries_to_open() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    notify(investor, "n:0", "First")
    with_one = queries_to_open()
    for index in range(1, 9):
        notify(investor, f"n:{index}", f"Number {index}")

    assert queries_to_open() <= with_one
