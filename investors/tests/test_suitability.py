"""The suitability questionnaire: its published shape, scoring, refusals, and the score-to-level thresholds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.tests.factories import IssuerUserFactory
from investors.kyc import questionnaire
from investors.models import SuitabilityAssessment
from tests.api_asserts import assert_validation_error

pytestmark = pytest.mark.django_db

QUESTIONNAIRE = "/api/v1/suitability/questionnaire/"
SUITABILITY = "/api/v1/me/suitability/"
ME = "/api/v1/me/"


def best_answers():
    return {q.id: max(q.options, key=lambda o: o.points).id for q in questionnaire.QUESTIONS}


def worst_answers():
    return {q.id: min(q.options, key=lambda o: o.points).id for q in questionnaire.QUESTIONS}


def assert_refused_with_fields(response, *fields):
    assert_validation_error(response, *fields)
    assert SuitabilityAssessment.objects.count() == 0


def test_questionnaire_has_a_version_and_questions_with_options_but_no_points(api_client, investor):
    response = api_client.get(QUESTIONNAIRE)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"version", "questions"}
    assert body["version"] == questionnaire.VERSION
    assert [q["id"] for q in body["questions"]] == [q.id for q in questionnaire.QUESTIONS]
    for question in body["questions"]:
        assert set(question) == {"id", "text", "options"}
        assert question["text"]
        assert question["options"]
        assert all(set(option) == {"id", "text"} and option["text"] for option in question["options"])


def test_questionnaire_needs_authentication(api_client):
    response = api_client.get(QUESTIONNAIRE)

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_all_top_answers_score_the_maximum_and_give_c5(api_client, investor):
    response = api_client.post(SUITABILITY, {"answers": best_answers()}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["score"] == 36
    assert response.json()["risk_level"] == "C5"
    assessment = SuitabilityAssessment.objects.get(user=investor)
    assert (assessment.score, assessment.risk_level, assessment.version) == (36, "C5", questionnaire.VERSION)
    assert assessment.answers == best_answers()


def test_all_bottom_answers_score_zero_and_give_c1(api_client, investor):
    response = api_client.post(SUITABILITY, {"answers": worst_answers()}, format="json")

    assert (response.json()["score"], response.json()["risk_level"]) == (0, "C1")


def test_a_mixed_set_of_answers_is_scored_by_summing_option_points(api_client, investor):
    answers = worst_answers() | {"experience": "long", "loss_tolerance": "limited", "knowledge": "some_risk"}

    response = api_client.post(SUITABILITY, {"answers": answers}, format="json")

    assert (response.json()["score"], response.json()["risk_level"]) == (14, "C2")


def test_missing_answers_are_each_reported(api_client, investor):
    answers = best_answers()
    del answers["horizon"], answers["knowledge"]

    response = api_client.post(SUITABILITY, {"answers": answers}, format="json")

    assert_refused_with_fields(response, "answers.horizon", "answers.knowledge")


def test_unknown_option_is_refused(api_client, investor):
    response = api_client.post(SUITABILITY, {"answers": best_answers() | {"experience": "forever"}}, format="json")

    assert_refused_with_fields(response, "answers.experience")


def test_unknown_question_is_refused(api_client, investor):
    response = api_client.post(SUITABILITY, {"answers": best_answers() | {"favourite_colour": "red"}}, format="json")

    assert_refused_with_fields(response, "answers.favourite_colour")


@pytest.mark.parametrize("body", [{}, {"answers": "all good"}, {"answers": ["long"]}])
def test_answers_that_are_not_an_object_are_refused(api_client, investor, body):
    response = api_client.post(SUITABILITY, body, format="json")

    assert_refused_with_fields(response, "answers")


def test_issuer_account_cannot_take_the_questionnaire(api_client):
    api_client.force_authenticate(IssuerUserFactory())

    response = api_client.post(SUITABILITY, {"answers": best_answers()}, format="json")

    assert response.status_code == 403
    assert SuitabilityAssessment.objects.count() == 0


def test_me_shows_the_latest_risk_level(api_client, investor):
    api_client.post(SUITABILITY, {"answers": best_answers()}, format="json")
    api_client.post(SUITABILITY, {"answers": worst_answers()}, format="json")

    assert api_client.get(ME).json()["risk_level"] == "C1"
    assert SuitabilityAssessment.objects.filter(user=investor).count() == 2


def test_me_shows_no_risk_level_before_the_questionnaire(api_client, investor):
    assert api_client.get(ME).json()["risk_level"] is None


# Thresholds ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "C1"),
        (7, "C1"),
        (8, "C2"),
        (15, "C2"),
        (16, "C3"),
        (22, "C3"),
        (23, "C4"),
        (29, "C4"),
        (30, "C5"),
        (36, "C5"),
    ],
)
def test_level_for_each_threshold_boundary(score, level):
    assert questionnaire.level_for(score) == level


MAX_SCORE = sum(max(o.points for o in q.options) for q in questionnaire.QUESTIONS)


@given(st.integers(min_value=0, max_value=MAX_SCORE), st.integers(min_value=0, max_value=MAX_SCORE))
def test_a_higher_score_never_gives_a_more_cautious_level(low, high):
    low, high = sorted((low, high))

    levels = questionnaire.RISK_LEVELS
    assert levels.index(questionnaire.level_for(low)) <= levels.index(questionnaire.level_for(high))


def test_every_level_is_reachable_from_real_answers():
    reachable = {0}
    for question in questionnaire.QUESTIONS:
        reachable = {score + option.points for score in reachable for option in question.options}

    assert {questionnaire.level_for(score) for score in reachable} == set(questionnaire.RISK_LEVELS)
