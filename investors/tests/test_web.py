"""The investor's pages: KYC, the suitability questionnaire and the profile."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory
from investors.kyc import questionnaire
from investors.models import KycProfile, KycStatus, SuitabilityAssessment
from investors.tests.factories import (
    IDENTITY_NUMBER,
    KycProfileFactory,
    SuitabilityAssessmentFactory,
    kyc_submission,
    make_identity_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_investor(client):
    user = InvestorFactory()
    client.force_login(user)
    return user


def test_investor_submits_kyc_and_sees_it_verified(client, web_investor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("investors:kyc"), kyc_submission())

    assert response.status_code == 302
    kyc = KycProfile.objects.get(user=web_investor)
    assert kyc.status == KycStatus.VERIFIED
    page = client.get(reverse("investors:kyc"))
    assertContains(page, "Thank you. We are checking your identity")
    assertContains(page, "Verified")
    assertContains(page, "**************1725")
    assert IDENTITY_NUMBER not in page.content.decode()


def test_kyc_with_a_birth_date_that_differs_from_the_identity_number_is_refused(client, web_investor):
    response = client.post(reverse("investors:kyc"), kyc_submission(date_of_birth="1960-01-09"))

    assert response.context["form"].errors["date_of_birth"] == ["The date of birth does not match the identity number."]
    assertContains(response, "The date of birth does not match the identity number.")
    assert not KycProfile.objects.exists()


def test_kyc_of_someone_under_18_is_refused(client, web_investor):
    born = timezone.localdate() - dt.timedelta(days=365 * 17)

    response = client.post(
        reverse("investors:kyc"),
        kyc_submission(id_number=make_identity_number(born), date_of_birth=born.isoformat()),
    )

    assertContains(response, "Investors must be at least 18 years old.")
    assert not KycProfile.objects.exists()


def test_rejected_kyc_shows_the_reason(client, web_investor):
    KycProfileFactory(user=web_investor, status=KycStatus.REJECTED, decision_reason="The photo is unreadable.")

    response = client.get(reverse("investors:kyc"))

    assertContains(response, "Rejected")
    assertContains(response, "The photo is unreadable.")


def test_issuer_can_neither_open_nor_post_the_kyc_form(client):
    client.force_login(IssuerUserFactory())

    assert client.get(reverse("investors:kyc")).status_code == 403
    assert client.post(reverse("investors:kyc"), kyc_submission()).status_code == 403
    assert not KycProfile.objects.exists()


def cautious_answers() -> dict[str, str]:
    """The first option of every question: the lowest score."""
    return {question.id: question.options[0].id for question in questionnaire.QUESTIONS}


def test_investor_answers_the_questionnaire_and_sees_the_level(client, web_investor):
    response = client.post(reverse("investors:questionnaire"), cautious_answers(), follow=True)

    assessment = SuitabilityAssessment.objects.get(user=web_investor)
    assert assessment.risk_level == "C1"
    assertContains(response, "Your answers are saved.")
    assertContains(response, "Your risk level is <strong>C1</strong>")


def test_an_unanswered_question_is_marked_and_nothing_is_saved(client, web_investor):
    answers = cautious_answers()
    del answers["horizon"]

    response = client.post(reverse("investors:questionnaire"), answers)

    assert response.context["form"].errors["horizon"] == ["Choose one of the options."]
    assertContains(response, "Choose one of the options.")
    assert not SuitabilityAssessment.objects.exists()


def test_profile_shows_role_kyc_status_qualification_evidence_and_risk_level(client, web_investor):
    KycProfileFactory(
        user=web_investor,
        status=KycStatus.VERIFIED,
        qualified=True,
        qualification_regime="cn",
        qualification_evidence={
            "currency": "CNY",
            "financial_assets": "3500000.00",
            "financial_assets_threshold": "3000000.00",
            "average_annual_income": "200000.00",
            "average_annual_income_threshold": "500000.00",
            "met_by": ["financial_assets"],
        },
        financial_assets=Decimal("3500000.00"),
    )
    SuitabilityAssessmentFactory(user=web_investor, risk_level="C4")

    response = client.get(reverse("investors:profile"))

    assertContains(response, "<td>Investor</td>", html=True)
    assertContains(response, "Verified")
    assertContains(response, "<tr><th>Qualified investor</th><td>yes</td></tr>", html=True)
    assertContains(response, "CNY 3,500,000.00")
    assertContains(response, "CNY 3,000,000.00")
    assertContains(response, "C4")
