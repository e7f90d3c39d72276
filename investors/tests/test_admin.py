"""The KYC admin: the full identity number only for staff allowed to see it; decisions through the service."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import StaffFactory, SuperuserFactory
from investors.models import KycProfile, KycStatus
from investors.tests.factories import KycProfileFactory

pytestmark = pytest.mark.django_db

NUMBER = "53010019851024882X"
CHANGELIST = "/admin/investors/kycprofile/"


@pytest.fixture
def kyc():
    return KycProfileFactory(id_number=NUMBER, date_of_birth=dt.date(1985, 10, 24))


def staff_with(*codenames):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="investors", codename__in=codenames))
    return user


def page(client, user, kyc):
    client.force_login(user)
    return client.get(reverse("admin:investors_kycprofile_change", args=[kyc.pk]))


def revealed(client, user, kyc):
    """The change page links to the full number, shown on a page of its own."""
    reveal = reverse("admin:investors_kycprofile_identity_number", args=[kyc.pk])
    change_page = page(client, user, kyc).content.decode()
    assert reveal in change_page and NUMBER not in change_page
    return client.get(reveal)


def test_staff_with_the_identity_permission_see_the_full_number(client, kyc):
    response = revealed(client, staff_with("view_kycprofile", "view_identity_number"), kyc)

    assert response.status_code == 200
    assert NUMBER in response.content.decode()


def test_superuser_sees_the_full_number(client, kyc):
    response = revealed(client, SuperuserFactory(), kyc)

    assert NUMBER in response.content.decode()


def test_staff_without_the_identity_permission_see_only_the_masked_number(client, kyc):
    response = page(client, staff_with("view_kycprofile"), kyc)

    content = response.content.decode()
    assert response.status_code == 200
    assert "**************882X" in content
    assert NUMBER not in content


def test_changelist_shows_only_masked_numbers(client, kyc):
    client.force_login(SuperuserFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "**************882X" in response.content.decode()
    assert NUMBER not in response.content.decode()


def test_verify_action_verifies_through_the_service(client, kyc):
    admin = SuperuserFactory()
    client.force_login(admin)

    client.post(CHANGELIST, {"action": "verify_selected_kyc_submissions", "_selected_action": [kyc.pk]})

    kyc.refresh_from_db()
    assert (kyc.status, kyc.decided_by) == (KycStatus.VERIFIED, admin)
    assert kyc.decisions.get().to_status == "verified"


def test_reject_action_needs_a_reason_first(client, kyc):
    client.force_login(SuperuserFactory())
    before = KycProfile.objects.values().get(pk=kyc.pk)

    response = client.post(CHANGELIST, {"action": "reject_selected_kyc_submissions", "_selected_action": [kyc.pk]})

    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert KycProfile.objects.values().get(pk=kyc.pk) == before
    assert not kyc.decisions.exists()


def test_kyc_change_form_cannot_be_saved(client, kyc):
    client.force_login(SuperuserFactory())
    before = KycProfile.objects.values().get(pk=kyc.pk)

    response = client.post(
        reverse("admin:investors_kycprofile_change", args=[kyc.pk]), {"status": "verified", "qualified": "on"}
    )

    assert response.status_code == 403
    assert KycProfile.objects.values().get(pk=kyc.pk) == before
    assert (before["status"], before["qualified"]) == (KycStatus.PENDING, False)
    assert not kyc.decisions.exists()
