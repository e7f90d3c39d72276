"""Public questions and answers on an offering: investors ask, the company's manager answers once, staff hide abuse;
the same rules through the web page, the REST API and the admin."""

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.test import APIClient

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, OfferingReviewerFactory, StaffFactory
from projects import questions
from projects.models import OfferingQuestion, OfferingStatus
from projects.tests.factories import IssuerFactory, OfferingFactory, live_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    return live_offering(issuer=IssuerFactory(owner=IssuerUserFactory()))


def ask(offering, text="What is your monthly churn?", investor=None):
    return questions.question_ask(offering=offering, by=investor or InvestorFactory(), text=text)


def page(client, offering):
    return client.get(reverse("projects:offering_detail", args=[offering.pk]))


# Web ---------------------------------------------------------------------------------------------------------------


def test_investor_asks_on_the_page_and_the_question_is_listed_with_its_date(client, offering):
    investor = InvestorFactory(username="careful_wang")
    client.force_login(investor)

    response = client.post(reverse("projects:question_ask", args=[offering.pk]), {"text": "Who audits you?"})

    assert response.status_code == 302
    question = OfferingQuestion.objects.get()
    assert (question.asked_by, question.text) == (investor, "Who audits you?")
    client.logout()
    shown = page(client, offering)
    assertContains(shown, "Who audits you?")
    assertContains(shown, "careful_wang")
    assertContains(shown, f'<time datetime="{timezone.localtime(question.asked_at).isoformat()}">')
    assertContains(shown, "Not answered yet.")


def test_empty_question_is_refused_beside_the_field_and_nothing_is_saved(client, offering):
    client.force_login(InvestorFactory())

    response = client.post(reverse("projects:question_ask", args=[offering.pk]), {"text": "   "})

    assert response.status_code == 200
    assertContains(response, "This field is required.")
    assert not OfferingQuestion.objects.exists()


def test_over_long_question_is_refused_by_the_free_text_limit(client, offering, settings):
    settings.FREE_TEXT_MAX_CHARS = 20
    client.force_login(InvestorFactory())

    response = client.post(reverse("projects:question_ask", args=[offering.pk]), {"text": "x" * 21})

    assertContains(response, "Keep this to 20 characters at most (it has 21).")
    assert not OfferingQuestion.objects.exists()


def test_issuer_cannot_ask_on_the_page(client, offering):
    client.force_login(offering.issuer.owner)

    response = client.post(reverse("projects:question_ask", args=[offering.pk]), {"text": "Self-praise?"})

    assert response.status_code == 403
    assert not OfferingQuestion.objects.exists()


def test_issuer_answers_on_the_page_and_everyone_reads_the_answer(client, offering):
    question = ask(offering)
    client.force_login(offering.issuer.owner)
    assertContains(page(client, offering), f'id="id_answer_{question.pk}_text"')

    response = client.post(reverse("projects:question_answer", args=[question.pk]), {"text": "Under 2% a month."})

    assert response.status_code == 302
    client.logout()
    shown = page(client, offering)
    assertContains(shown, "The company answered")
    assertContains(shown, "Under 2% a month.")
    assertNotContains(shown, "Not answered yet.")


def test_another_issuer_cannot_answer(client, offering):
    question = ask(offering)
    client.force_login(IssuerFactory().owner)

    response = client.post(reverse("projects:question_answer", args=[question.pk]), {"text": "Fake answer"})

    assertContains(response, "You do not manage this company.")
    question.refresh_from_db()
    assert question.answered_at is None and question.answer == ""


def test_hidden_question_leaves_the_page(client, offering):
    kept, abusive = ask(offering, "Fair question"), ask(offering, "Abusive words")

    questions.question_hide(question=abusive, by=OfferingReviewerFactory(), reason="Insults")

    shown = page(client, offering)
    assertContains(shown, "Fair question")
    assertNotContains(shown, "Abusive words")
    assert kept.hidden_at is None


def test_a_question_answered_once_is_not_answered_again(offering):
    question = ask(offering)
    owner = offering.issuer.owner
    questions.question_answer(question=question, by=owner, text="First")

    with pytest.raises(questions.InvalidTransition):
        questions.question_answer(question=question, by=owner, text="Second")

    question.refresh_from_db()
    assert question.answer == "First"


def test_questions_wait_until_the_offering_is_published(offering):
    draft = OfferingFactory(status=OfferingStatus.DRAFT)

    with pytest.raises(questions.InvalidTransition):
        ask(draft)

    assert not OfferingQuestion.objects.exists()


def test_staff_hide_through_the_admin_action_with_a_reason(client, offering):
    question = ask(offering)
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)

    client.post(
        reverse("admin:projects_offeringquestion_changelist"),
        {"action": "hide_questions", "_selected_action": [question.pk], "apply": "1", "reason": "Spam"},
    )

    question.refresh_from_db()
    assert (question.hidden_by, question.hidden_reason) == (staff, "Spam")


# API ---------------------------------------------------------------------------------------------------------------


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_lists_public_questions_with_dates_and_answers(offering):
    answered = ask(offering, "Answered one")
    questions.question_answer(question=answered, by=offering.issuer.owner, text="Yes")
    questions.question_hide(question=ask(offering, "Hidden one"), by=OfferingReviewerFactory())
    ask(offering, "Open one")

    response = api_as().get(f"/api/v1/offerings/{offering.pk}/questions/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(row["text"], row["answer"]) for row in results] == [("Open one", None), ("Answered one", "Yes")]
    assert results[1]["answered_at"] and results[1]["asked_at"]


def test_api_investor_asks_and_issuer_answers(offering):
    investor = InvestorFactory()

    asked = api_as(investor).post(f"/api/v1/offerings/{offering.pk}/questions/", {"text": "Dividends?"}, format="json")
    answered = api_as(offering.issuer.owner).post(
        f"/api/v1/questions/{asked.json()['id']}/answer/", {"text": "Not before 2030."}, format="json"
    )

    assert asked.status_code == 201
    assert asked.json()["asked_by"] == investor.username
    assert answered.status_code == 200
    assert answered.json()["answer"] == "Not before 2030."


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [(None, 401, "not_authenticated"), ("issuer", 403, "permission_denied")],
)
def test_api_refuses_to_let_anyone_but_an_investor_ask(offering, who, status, code):
    user = offering.issuer.owner if who == "issuer" else None

    response = api_as(user).post(f"/api/v1/offerings/{offering.pk}/questions/", {"text": "Hi"}, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not OfferingQuestion.objects.exists()


def test_api_only_offering_reviewers_hide_and_hidden_questions_are_404_to_others(offering):
    question = ask(offering)

    refused = api_as(InvestorFactory()).post(f"/api/v1/questions/{question.pk}/hide/", {}, format="json")
    staff_without_role = api_as(StaffFactory()).post(f"/api/v1/questions/{question.pk}/hide/", {}, format="json")
    hidden = api_as(OfferingReviewerFactory()).post(
        f"/api/v1/questions/{question.pk}/hide/", {"reason": "Spam"}, format="json"
    )
    answer = api_as(offering.issuer.owner).post(
        f"/api/v1/questions/{question.pk}/answer/", {"text": "x"}, format="json"
    )

    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert (staff_without_role.status_code, staff_without_role.json()["error"]["code"]) == (403, "permission_denied")
    assert hidden.status_code == 200
    assert answer.status_code == 404
    question.refresh_from_db()
    assert question.answered_at is None


def test_api_answer_twice_is_a_conflict(offering):
    question = ask(offering)
    issuer = api_as(offering.issuer.owner)
    issuer.post(f"/api/v1/questions/{question.pk}/answer/", {"text": "First"}, format="json")

    again = issuer.post(f"/api/v1/questions/{question.pk}/answer/", {"text": "Second"}, format="json")

    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    assert again.json()["error"]["details"] == {"answered": True}


def test_schema_describes_the_question_calls_with_every_error_status():
    cache.clear()
    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    paths = schema["paths"]

    errors = {"400", "401", "403", "404"}
    assert set(paths["/api/v1/offerings/{id}/questions/"]["post"]["responses"]) == {"201", "409", *errors}
    assert set(paths["/api/v1/offerings/{id}/questions/"]["get"]["responses"]) == {"200", "404"}
    assert set(paths["/api/v1/questions/{id}/answer/"]["post"]["responses"]) == {"200", "409", *errors}
    assert set(paths["/api/v1/questions/{id}/hide/"]["post"]["responses"]) == {"200", *errors}
    question = schema["components"]["schemas"]["OfferingQuestion"]["properties"]
    assert question["answer"]["nullable"] is True
    assert question["answered_at"]["nullable"] is True


def test_schema_builds_without_warnings(tmp_path):
    """A warning means a wrong schema, such as two components under one name (the questionnaire has a `Question`)."""
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
