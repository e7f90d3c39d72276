"""What a viewer learns of an investor's identity: the masked number cannot be turned back into the number with what
the same viewer sees, staff without the identity permission see neither the number nor the birth date, and a
submitter cannot learn whether their number is verified on another account."""

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
import stdnum
from django.contrib.auth.models import Permission
from django.urls import reverse
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from accounts.tests.factories import InvestorFactory, StaffFactory, SuperuserFactory
from investors.models import KycProfile, KycStatus
from investors.tests.factories import KycProfileFactory, kyc_submission

pytestmark = pytest.mark.django_db

NUMBER = "53010019851024882X"
BORN = dt.date(1985, 10, 24)
KYC = "/api/v1/me/kyc/"


@cache
def region_codes() -> tuple[str, ...]:
    """Every six-digit region code python-stdnum knows (its table is a province line with county lines under it)."""
    codes, province = [], ""
    for line in (Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text(encoding="utf-8").splitlines():
        if line[:2].isdigit():
            province = line[:2]
        elif line.startswith("  ") and line[2:6].isdigit():
            codes.append(province + line[2:6])
    return tuple(codes)


def candidates(masked: str, born: dt.date) -> set[str]:
    """The valid identity numbers that show as `masked` and carry the birth date `born`."""
    shown = masked[14:]
    assert "*" not in shown, "the order code or check digit is hidden: widen this search"
    found = set()
    for region in region_codes():
        if any(m != "*" and m != r for m, r in zip(masked[:6], region, strict=True)):
            continue
        number = f"{region}{born:%Y%m%d}{shown}"
        try:
            found.add(ric.validate(number))
        except stdnum_errors.ValidationError:
            continue
    return found


def test_masked_number_beside_the_full_birth_date_leaves_many_candidates():
    kyc = KycProfileFactory(id_number=NUMBER, date_of_birth=BORN)

    found = candidates(kyc.id_number_masked, kyc.date_of_birth)

    assert NUMBER in found
    assert len(found) >= 100


def test_masked_number_shows_the_last_four_only():
    kyc = KycProfileFactory(id_number=NUMBER, date_of_birth=BORN)

    assert kyc.id_number_masked == "**************882X"


# Staff without the identity permission -------------------------------------------------------------------------------


def staff_with(*codenames):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="investors", codename__in=codenames))
    return user


@pytest.fixture
def waiting():
    return KycProfileFactory(
        id_number=NUMBER, date_of_birth=BORN, review_reason="The identity provider asked for a manual review."
    )


def test_staff_decision_answer_hides_the_birth_date_from_staff_without_the_identity_permission(api_client, waiting):
    api_client.force_authenticate(staff_with("review_kyc"))

    body = api_client.post(f"/api/v1/kyc/{waiting.user_id}/approve/", {}, format="json").json()

    assert body["date_of_birth"] is None
    assert body["birth_year"] == 1985
    assert "1985-10-24" not in str(body) and NUMBER not in str(body)


def test_staff_with_the_identity_permission_see_the_birth_date_in_the_answer(api_client, waiting):
    api_client.force_authenticate(staff_with("review_kyc", "view_identity_number"))

    body = api_client.post(f"/api/v1/kyc/{waiting.user_id}/approve/", {}, format="json").json()

    assert body["date_of_birth"] == "1985-10-24"


def test_investor_sees_their_own_birth_date(api_client):
    kyc = KycProfileFactory(id_number=NUMBER, date_of_birth=BORN)
    api_client.force_authenticate(kyc.user)

    assert api_client.get(KYC).json()["date_of_birth"] == "1985-10-24"


def admin_page(client, user, kyc, url="admin:investors_kycprofile_change", *args):
    client.force_login(user)
    return client.get(reverse(url, args=[kyc.pk, *args]))


def test_admin_page_hides_the_birth_date_from_staff_without_the_identity_permission(client, waiting):
    response = admin_page(client, staff_with("view_kycprofile"), waiting)

    content = response.content.decode()
    assert response.status_code == 200
    assert "1985" in content
    assert "24 Oct 1985" not in content and "1985-10-24" not in content and "24" not in content.split("1985")[0][-12:]
    assert NUMBER not in content


def test_admin_history_is_closed_to_staff_without_the_identity_permission(client, waiting):
    record = waiting.history.first()

    listing = admin_page(client, staff_with("view_kycprofile"), waiting, "admin:investors_kycprofile_history")
    version = client.get(reverse("admin:investors_kycprofile_simple_history", args=[waiting.pk, record.history_id]))

    assert listing.status_code == 403
    assert version.status_code == 403


def test_admin_page_shows_the_birth_date_to_staff_with_the_identity_permission(client, waiting):
    response = admin_page(client, SuperuserFactory(), waiting)

    assert "24 Oct 1985" in response.content.decode()


# Duplicate identity numbers ----------------------------------------------------------------------------------------


def submit_as_new_investor(api_client, capture) -> tuple[KycProfile, dict]:
    investor = InvestorFactory()
    api_client.force_authenticate(investor)
    with capture(execute=True):
        api_client.put(
            KYC, kyc_submission(id_number=NUMBER, date_of_birth=BORN.isoformat(), real_name="Wang Fang"), format="json"
        )
    answer = api_client.get(KYC).json()
    return KycProfile.objects.get(user=investor), answer


def shown_to_submitter(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "submitted_at"}


@pytest.mark.parametrize("other_status", [KycStatus.VERIFIED, KycStatus.PENDING])
def test_number_on_another_account_is_held_for_staff_whatever_that_accounts_status(
    api_client, django_capture_on_commit_callbacks, other_status
):
    KycProfileFactory(id_number=NUMBER, date_of_birth=BORN, status=other_status)

    kyc, answer = submit_as_new_investor(api_client, django_capture_on_commit_callbacks)

    assert answer["status"] == "pending"
    assert kyc.status == KycStatus.PENDING
    assert kyc.review_reason
    assert list(kyc.decisions.values_list("to_status", flat=True)) == ["pending"]


def test_submitter_gets_the_same_answer_for_a_number_verified_or_pending_elsewhere(
    api_client, client, django_capture_on_commit_callbacks
):
    other = KycProfileFactory(id_number=NUMBER, date_of_birth=BORN, status=KycStatus.VERIFIED)
    _kyc, against_verified = submit_as_new_investor(api_client, django_capture_on_commit_callbacks)
    client.force_login(_kyc.user)
    page_against_verified = client.get(reverse("investors:kyc")).content.decode()
    KycProfile.objects.filter(pk=other.pk).update(status=KycStatus.PENDING)
    kyc, against_pending = submit_as_new_investor(api_client, django_capture_on_commit_callbacks)
    client.force_login(kyc.user)
    page_against_pending = client.get(reverse("investors:kyc")).content.decode()

    assert shown_to_submitter(against_verified) == shown_to_submitter(against_pending)
    assert "A staff member is reviewing your submission." in page_against_pending
    assert "A staff member is reviewing your submission." in page_against_verified
    assert other.user.username not in page_against_pending + page_against_verified


def test_staff_see_which_account_holds_the_number(api_client, django_capture_on_commit_callbacks):
    other = KycProfileFactory(id_number=NUMBER, date_of_birth=BORN, status=KycStatus.PENDING)

    kyc, _answer = submit_as_new_investor(api_client, django_capture_on_commit_callbacks)

    assert other.user.username in kyc.review_reason
