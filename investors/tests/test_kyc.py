"""KYC: the checks on a submission, the identity provider's verdict after commit, qualification, encryption at rest,
duplicates, and staff decisions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from stdnum.cn import ric

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, KycOfficerFactory, StaffFactory
from investors.kyc import services
from investors.kyc.identity import IdentityCheck, Verdict
from investors.models import KycDecision, KycProfile, KycStatus
from investors.tests.factories import IDENTITY_NUMBER, KycProfileFactory, kyc_submission, make_identity_number
from kernel.errors import PermissionRefused, ValidationFailed
from outbox.models import MessageKind, OutboxMessage
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

KYC = "/api/v1/me/kyc/"
ME = "/api/v1/me/"


def submit(api_client, capture, **overrides):
    """PUT me/kyc/ and run what the request scheduled after commit (the identity check)."""
    with capture(execute=True):
        response = api_client.put(KYC, kyc_submission(**overrides), format="json")
    return response


def assert_refused_with_fields(response, *fields):
    assert_validation_error(response, *fields)
    assert KycProfile.objects.count() == 0
    assert KycDecision.objects.count() == 0


def years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# Submission and verification ----------------------------------------------------------------------------------------


def test_submission_answers_pending_and_the_provider_verifies_it_after_commit(
    api_client, investor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.put(KYC, kyc_submission(), format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"
    assert callbacks, "the identity check must wait for the commit"
    kyc = KycProfile.objects.get(user=investor)
    assert kyc.status == KycStatus.VERIFIED
    assert list(kyc.decisions.values_list("from_status", "to_status", "by")) == [
        ("", "pending", investor.pk),
        ("pending", "verified", None),
    ]
    assert api_client.get(ME).json()["kyc_status"] == "verified"


def test_submission_stays_pending_until_the_write_is_committed(
    api_client, investor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.put(KYC, kyc_submission(), format="json")

    assert callbacks
    assert KycProfile.objects.get(user=investor).status == KycStatus.PENDING


@pytest.mark.parametrize(
    ("assets", "income", "qualified", "met_by"),
    [
        ("3000000.00", "0.00", True, ["financial_assets"]),
        ("2999999.99", "0.00", False, []),
        ("0.00", "500000.00", True, ["income"]),
        ("0.00", "499999.99", False, []),
        ("2999999.99", "499999.99", False, []),
        ("3000000.00", "500000.00", True, ["financial_assets", "income"]),
    ],
    ids=["assets-at", "assets-just-under", "income-at", "income-just-under", "both-just-under", "both-at"],
)
def test_verified_investor_is_qualified_by_assets_or_income_with_evidence(
    api_client, investor, django_capture_on_commit_callbacks, assets, income, qualified, met_by
):
    submit(api_client, django_capture_on_commit_callbacks, financial_assets=assets, annual_income=income)

    kyc = KycProfile.objects.get(user=investor)
    assert kyc.status == KycStatus.VERIFIED
    assert kyc.qualified is qualified
    assert kyc.qualification_regime == "cn"
    evidence = kyc.qualification_evidence
    assert evidence["met_by"] == met_by
    assert (evidence["financial_assets"], evidence["average_annual_income"]) == (assets, income)
    assert (evidence["financial_assets_threshold"], evidence["average_annual_income_threshold"]) == (
        "3000000.00",
        "500000.00",
    )
    assert evidence["currency"] == "CNY"
    assert api_client.get(ME).json()["qualified"] is qualified


@pytest.mark.parametrize("number,born", [
    ("120101196612126023", "1966-12-12"),
    ("310110196101050719", "1961-01-05"),
    ("53010019851024882X", "1985-10-24"),
    ("53010019851024882x", "1985-10-24"),
])  # fmt: skip
def test_valid_identity_numbers_are_accepted(api_client, investor, django_capture_on_commit_callbacks, number, born):
    response = submit(api_client, django_capture_on_commit_callbacks, id_number=number, date_of_birth=born)

    assert response.status_code == 200, response.json()
    assert KycProfile.objects.get(user=investor).status == KycStatus.VERIFIED


def test_identity_number_with_a_wrong_check_digit_is_refused(api_client, investor):
    response = api_client.put(KYC, kyc_submission(id_number="440100196001081726"), format="json")

    assert_refused_with_fields(response, "id_number")


@pytest.mark.parametrize(
    "number", ["44010019600108172", "4401001960010817255", "44010019600108A725", "000000196001081725"]
)
def test_malformed_identity_number_is_refused(api_client, investor, number):
    body = number[:-1]
    if len(number) == 18 and body.isdigit():
        number = body + ric.calc_check_digit(number)  # right check digit, unknown region

    response = api_client.put(KYC, kyc_submission(id_number=number), format="json")

    assert_refused_with_fields(response, "id_number")


def test_birth_date_that_does_not_match_the_identity_number_is_refused(api_client, investor):
    response = api_client.put(KYC, kyc_submission(date_of_birth="1960-01-09"), format="json")

    assert_refused_with_fields(response, "date_of_birth")


def test_investor_aged_17_is_refused(api_client, investor):
    born = years_ago(17)
    number = make_identity_number(born)
    assert ric.is_valid(number)

    response = api_client.put(KYC, kyc_submission(id_number=number, date_of_birth=born.isoformat()), format="json")

    assert_refused_with_fields(response, "date_of_birth")


def test_investor_turning_18_today_is_accepted(api_client, investor):
    born = years_ago(18)

    response = api_client.put(
        KYC, kyc_submission(id_number=make_identity_number(born), date_of_birth=born.isoformat()), format="json"
    )

    assert response.status_code == 200, response.json()
    assert KycProfile.objects.get(user=investor).date_of_birth == born


def test_investor_turning_18_tomorrow_is_refused(api_client, investor):
    born = years_ago(18) + dt.timedelta(days=1)

    response = api_client.put(
        KYC, kyc_submission(id_number=make_identity_number(born), date_of_birth=born.isoformat()), format="json"
    )

    assert_refused_with_fields(response, "date_of_birth")


@pytest.mark.parametrize(
    "phone", ["12345", "23800138000", "1380013800", "138001380001", "+1 415 555 0100", "1280013800a"]
)
def test_phone_that_is_not_a_mainland_mobile_number_is_refused(api_client, investor, phone):
    response = api_client.put(KYC, kyc_submission(phone=phone), format="json")

    assert_refused_with_fields(response, "phone")


@pytest.mark.parametrize("phone", ["13800138000", "+8613800138000", "138-0013-8000", "8619912345678"])
def test_mainland_mobile_numbers_in_common_spellings_are_accepted(api_client, investor, phone):
    response = api_client.put(KYC, kyc_submission(phone=phone), format="json")

    assert response.status_code == 200, response.json()
    stored = KycProfile.objects.get(user=investor).phone
    assert "".join(filter(str.isdigit, stored))[-11:] == "".join(filter(str.isdigit, phone))[-11:]


@pytest.mark.parametrize("field", ["annual_income", "financial_assets"])
@pytest.mark.parametrize("amount", ["-0.01", "100.001"])
def test_negative_or_sub_cent_means_are_refused(api_client, investor, field, amount):
    response = api_client.put(KYC, kyc_submission(**{field: amount}), format="json")

    assert_refused_with_fields(response, field)


def test_a_real_name_with_a_line_break_is_refused(api_client, investor):
    response = api_client.put(KYC, kyc_submission(real_name="Zhang\nWei"), format="json")

    assert_refused_with_fields(response, "real_name")


def test_missing_fields_are_each_reported(api_client, investor):
    response = api_client.put(KYC, {}, format="json")

    assert_refused_with_fields(
        response, "real_name", "id_number", "date_of_birth", "phone", "annual_income", "financial_assets"
    )


def test_issuer_account_cannot_submit_kyc(api_client):
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.put(KYC, kyc_submission(), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert KycProfile.objects.count() == 0


def test_staff_account_cannot_submit_kyc(api_client):
    api_client.force_authenticate(StaffFactory())

    response = api_client.put(KYC, kyc_submission(), format="json")

    assert response.status_code == 403
    assert KycProfile.objects.count() == 0


def test_anonymous_cannot_submit_kyc(api_client):
    response = api_client.put(KYC, kyc_submission(), format="json")

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert KycProfile.objects.count() == 0


def test_resubmission_goes_back_to_pending_and_is_checked_again(
    api_client, investor, django_capture_on_commit_callbacks
):
    submit(api_client, django_capture_on_commit_callbacks, financial_assets="0.00")

    with django_capture_on_commit_callbacks(execute=False):
        response = api_client.put(KYC, kyc_submission(financial_assets="5000000.00"), format="json")
    pending = KycProfile.objects.get(user=investor)
    submit(api_client, django_capture_on_commit_callbacks, financial_assets="5000000.00")

    assert response.json()["status"] == "pending"
    assert (pending.status, pending.qualified) == (KycStatus.PENDING, False)
    kyc = KycProfile.objects.get(user=investor)
    assert (kyc.status, kyc.qualified) == (KycStatus.VERIFIED, True)
    assert KycProfile.objects.count() == 1


def test_refused_resubmission_keeps_the_verified_profile(api_client, investor, django_capture_on_commit_callbacks):
    submit(api_client, django_capture_on_commit_callbacks)
    before = KycProfile.objects.values().get(user=investor)

    response = api_client.put(KYC, kyc_submission(phone="12345"), format="json")

    assert response.status_code == 400
    assert KycProfile.objects.values().get(user=investor) == before


def test_running_the_identity_check_again_changes_nothing(api_client, investor, django_capture_on_commit_callbacks):
    submit(api_client, django_capture_on_commit_callbacks)
    kyc = KycProfile.objects.get(user=investor)

    services.kyc_check_identity(kyc_id=kyc.pk)

    assert kyc.decisions.count() == 2
    assert KycProfile.objects.get(pk=kyc.pk).status == KycStatus.VERIFIED


class ReviewingProvider:
    def check(self, **kwargs):
        return IdentityCheck(Verdict.NEEDS_REVIEW, "photo does not match")


class RejectingProvider:
    def check(self, **kwargs):
        return IdentityCheck(Verdict.REJECTED, "no such person")


def test_provider_asking_for_review_leaves_the_submission_pending_with_its_reason(
    api_client, investor, django_capture_on_commit_callbacks, settings
):
    settings.IDENTITY_PROVIDER = f"{__name__}.ReviewingProvider"

    submit(api_client, django_capture_on_commit_callbacks)

    kyc = KycProfile.objects.get(user=investor)
    assert (kyc.status, kyc.review_reason) == (KycStatus.PENDING, "photo does not match")


def test_provider_rejection_rejects_the_submission(api_client, investor, django_capture_on_commit_callbacks, settings):
    settings.IDENTITY_PROVIDER = f"{__name__}.RejectingProvider"

    submit(api_client, django_capture_on_commit_callbacks)

    kyc = KycProfile.objects.get(user=investor)
    assert (kyc.status, kyc.decision_reason, kyc.qualified) == (KycStatus.REJECTED, "no such person", False)


class VerifyingProvider:
    def check(self, **kwargs):
        return IdentityCheck(Verdict.VERIFIED, "matches")


@pytest.mark.parametrize(
    "provider, twin_status",
    [
        ("VerifyingProvider", None),
        ("ReviewingProvider", None),
        ("RejectingProvider", None),
        ("VerifyingProvider", KycStatus.VERIFIED),
    ],
    ids=["verified", "left-for-review", "rejected", "held-as-duplicate"],
)
def test_every_identity_check_outcome_is_announced_to_the_risk_review(settings, provider, twin_status):
    settings.IDENTITY_PROVIDER = f"{__name__}.{provider}"
    if twin_status is not None:
        KycProfileFactory(id_number=IDENTITY_NUMBER, date_of_birth=dt.date(1960, 1, 8), status=twin_status)
    kyc = KycProfileFactory(id_number=IDENTITY_NUMBER, date_of_birth=dt.date(1960, 1, 8))

    services.kyc_check_identity(kyc_id=kyc.pk)
    services.kyc_check_identity(kyc_id=kyc.pk)  # a repeat checks nothing, so it announces nothing

    announced = OutboxMessage.objects.filter(kind=MessageKind.EVENT, name="kyc_checked")
    assert [message.payload for message in announced] == [{"investor_id": kyc.user_id}]


# The identity number at rest and on the way out ---------------------------------------------------------------------


def test_identity_number_is_stored_encrypted_and_answered_masked(
    api_client, investor, django_capture_on_commit_callbacks
):
    response = submit(api_client, django_capture_on_commit_callbacks)

    assert response.json()["id_number"] == "**************1725"
    assert api_client.get(KYC).json()["id_number"] == "**************1725"
    assert IDENTITY_NUMBER not in response.content.decode()
    for table in (KycProfile._meta.db_table, KycProfile.history.model._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows = cursor.fetchall()
        assert rows
        assert all(IDENTITY_NUMBER not in str(value) for row in rows for value in row), table
    kyc = KycProfile.objects.get(user=investor)
    assert kyc.id_number_encrypted and kyc.id_number_encrypted != IDENTITY_NUMBER


# Duplicates ---------------------------------------------------------------------------------------------------------


def test_number_already_verified_on_another_account_is_not_verified_automatically(
    api_client, investor, django_capture_on_commit_callbacks
):
    first = KycProfileFactory(id_number=IDENTITY_NUMBER, date_of_birth=dt.date(1960, 1, 8), status=KycStatus.VERIFIED)

    submit(api_client, django_capture_on_commit_callbacks)

    kyc = KycProfile.objects.get(user=investor)
    assert kyc.status == KycStatus.PENDING
    assert kyc.review_reason
    assert list(kyc.decisions.values_list("to_status", flat=True)) == ["pending"]
    assert KycProfile.objects.get(pk=first.pk).status == KycStatus.VERIFIED
    assert api_client.get(ME).json()["kyc_status"] == "pending"


# Staff decisions ----------------------------------------------------------------------------------------------------


def review_url(user, verdict):
    return f"/api/v1/kyc/{user.pk}/{verdict}/"


@pytest.fixture
def waiting():
    """A submission the provider left for staff."""
    return KycProfileFactory(review_reason="Already verified on another account.", financial_assets="3000000.00")


def test_staff_approval_verifies_and_assesses_qualification(api_client, waiting):
    staff = KycOfficerFactory()
    api_client.force_authenticate(staff)

    response = api_client.post(review_url(waiting.user, "approve"), {}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "verified"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.qualified) == (KycStatus.VERIFIED, staff, True)
    assert waiting.decided_at is not None
    decision = waiting.decisions.get()
    assert (decision.from_status, decision.to_status, decision.by) == ("pending", "verified", staff)


def test_staff_rejection_with_a_reason_rejects(api_client, waiting):
    staff = KycOfficerFactory()
    api_client.force_authenticate(staff)

    response = api_client.post(review_url(waiting.user, "reject"), {"reason": "Same person as user 12."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decision_reason, waiting.qualified) == (
        KycStatus.REJECTED,
        "Same person as user 12.",
        False,
    )
    assert waiting.decisions.get().reason == "Same person as user 12."


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_staff_rejection_without_a_reason_is_refused(api_client, waiting, body):
    api_client.force_authenticate(KycOfficerFactory())
    before = KycProfile.objects.values().get(pk=waiting.pk)

    response = api_client.post(review_url(waiting.user, "reject"), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert KycProfile.objects.values().get(pk=waiting.pk) == before
    assert not KycDecision.objects.exists()


@pytest.mark.parametrize("verdict", ["approve", "reject"])
@pytest.mark.parametrize("who", ["the-investor", "another-investor", "issuer"])
def test_non_staff_cannot_decide_kyc(api_client, waiting, verdict, who):
    user = {"the-investor": waiting.user, "another-investor": InvestorFactory(), "issuer": IssuerUserFactory()}[who]
    api_client.force_authenticate(user)
    before = KycProfile.objects.values().get(pk=waiting.pk)

    response = api_client.post(review_url(waiting.user, verdict), {"reason": "because"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert KycProfile.objects.values().get(pk=waiting.pk) == before
    assert not KycDecision.objects.exists()


@pytest.mark.parametrize("status", [KycStatus.VERIFIED, KycStatus.REJECTED])
def test_deciding_a_submission_that_is_not_pending_is_an_invalid_transition(api_client, status):
    kyc = KycProfileFactory(status=status)
    api_client.force_authenticate(KycOfficerFactory())
    before = KycProfile.objects.values().get(pk=kyc.pk)

    response = api_client.post(review_url(kyc.user, "approve"), {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert KycProfile.objects.values().get(pk=kyc.pk) == before


def test_deciding_for_a_user_without_kyc_is_404(api_client):
    api_client.force_authenticate(KycOfficerFactory())

    response = api_client.post(review_url(InvestorFactory(), "approve"), {}, format="json")

    assert response.status_code == 404
    assert not KycProfile.objects.exists() and not KycDecision.objects.exists()


def test_investor_sees_only_their_own_kyc(api_client):
    mine = KycProfileFactory(real_name="Zhang Wei")
    theirs = KycProfileFactory(real_name="Chen Jing", date_of_birth=dt.date(1975, 2, 3))
    api_client.force_authenticate(mine.user)

    response = api_client.get(KYC)

    assert response.json()["real_name"] == "Zhang Wei"
    assert "Chen Jing" not in response.content.decode()
    assert theirs.id_number_masked not in response.content.decode()


def test_investor_without_kyc_gets_404_not_someone_elses(api_client):
    KycProfileFactory()
    api_client.force_authenticate(InvestorFactory())

    response = api_client.get(KYC)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_service_refuses_a_decision_by_non_staff():
    kyc = KycProfileFactory()

    with pytest.raises(PermissionRefused):
        services.kyc_review(kyc=kyc, by=kyc.user, approve=True)

    assert KycProfile.objects.get(pk=kyc.pk).status == KycStatus.PENDING


def test_service_rejects_negative_money_given_as_decimal():
    user = InvestorFactory()

    with pytest.raises(ValidationFailed) as refusal:
        services.kyc_submit(
            user=user, real_name="Li", id_number=IDENTITY_NUMBER, date_of_birth=dt.date(1960, 1, 8),
            phone="13800138000", annual_income=Decimal("-1"), financial_assets=Decimal("0"),
        )  # fmt: skip

    assert "annual_income" in refusal.value.fields
    assert KycProfile.objects.count() == 0
