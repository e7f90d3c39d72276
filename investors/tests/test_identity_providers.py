"""The identity provider a production deployment may name when it has no provider contract."""

import pytest

from investors.models import KycProfile, KycStatus
from investors.tests.factories import kyc_submission

pytestmark = pytest.mark.django_db


def test_manual_review_provider_leaves_every_submission_to_staff(
    api_client, investor, django_capture_on_commit_callbacks, settings
):
    settings.IDENTITY_PROVIDER = "investors.kyc.identity.ManualReviewIdentityProvider"

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put("/api/v1/me/kyc/", kyc_submission(), format="json")

    assert response.status_code == 200, response.json()
    kyc = KycProfile.objects.get(user=investor)
    assert kyc.status == KycStatus.PENDING
    assert "KYC officer" in kyc.review_reason
    assert list(kyc.decisions.values_list("to_status", flat=True)) == ["pending"]
