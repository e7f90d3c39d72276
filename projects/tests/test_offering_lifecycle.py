"""The offering lifecycle: submit, approve (with four eyes for issuers tied to the platform), reject, open, cancel.
Each legal move writes one history row; each illegal move is refused and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, OfferingReviewerFactory
from kernel.errors import InvalidTransition, PermissionRefused, ValidationFailed
from projects import services
from projects.models import TRANSITION_WORDS, Offering, OfferingApproval, OfferingStatus, OfferingTransition
from projects.tests.factories import IssuerFactory, OfferingFactory, offering_state

pytestmark = pytest.mark.django_db

ALL_STATUSES = [status.value for status in OfferingStatus]


def url(offering, action):
    return f"/api/v1/offerings/{offering.pk}/{action}/"


def transitions(offering):
    return list(offering.transitions.values_list("from_status", "to_status", "by", "reason"))


def assert_refused(response, status_code, code):
    assert response.status_code == status_code, response.json()
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


@pytest.fixture
def reviewer():
    return OfferingReviewerFactory()


@pytest.fixture
def in_review():
    return OfferingFactory(status=OfferingStatus.IN_REVIEW)


# Submit -------------------------------------------------------------------------------------------------------------


def test_submit_moves_a_draft_to_review_and_records_who(api_client, english):
    offering = OfferingFactory()
    api_client.force_authenticate(offering.issuer.owner)

    response = api_client.post(url(offering, "submit"))

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert transitions(offering) == [
        ("draft", "in_review", offering.issuer.owner.pk, "Issuer submitted the offering for review.")
    ]


def test_submitting_twice_is_an_invalid_transition(api_client):
    offering = OfferingFactory()
    api_client.force_authenticate(offering.issuer.owner)
    api_client.post(url(offering, "submit"))
    before = offering_state(offering)

    response = api_client.post(url(offering, "submit"))

    assert_refused(response, 409, "invalid_transition")
    assert offering_state(offering) == before


def test_submitting_after_the_closing_time_is_refused(api_client):
    now = timezone.now()
    offering = OfferingFactory(opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(hours=1))
    api_client.force_authenticate(offering.issuer.owner)
    before = offering_state(offering)

    response = api_client.post(url(offering, "submit"))

    assert_refused(response, 400, "validation_error")
    assert "closes_at" in response.json()["error"]["fields"]
    assert offering_state(offering) == before


def test_another_issuer_cannot_submit_a_draft(api_client):
    offering = OfferingFactory()
    api_client.force_authenticate(IssuerUserFactory())
    before = offering_state(offering)

    response = api_client.post(url(offering, "submit"))

    assert response.status_code == 404
    assert offering_state(offering) == before


# Approve ------------------------------------------------------------------------------------------------------------


def test_staff_approval_of_an_offering_that_opens_later_makes_it_approved(api_client, reviewer, in_review):
    api_client.force_authenticate(reviewer)

    response = api_client.post(url(in_review, "approve"), {"note": "Documents complete."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert transitions(in_review) == [("in_review", "approved", reviewer.pk, "Documents complete.")]
    assert list(in_review.approvals.values_list("by", "note")) == [(reviewer.pk, "Documents complete.")]


def test_staff_approval_after_the_opening_time_makes_it_live_at_once(api_client, reviewer):
    now = timezone.now()
    offering = OfferingFactory(
        status=OfferingStatus.IN_REVIEW, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=20)
    )
    api_client.force_authenticate(reviewer)

    response = api_client.post(url(offering, "approve"))

    assert response.status_code == 200
    assert response.json()["status"] == "live"
    assert [(row[0], row[1], row[2]) for row in transitions(offering)] == [
        ("in_review", "approved", reviewer.pk),
        ("approved", "live", None),
    ]


def test_issuer_cannot_approve_its_own_offering(api_client, in_review):
    api_client.force_authenticate(in_review.issuer.owner)
    before = offering_state(in_review)

    response = api_client.post(url(in_review, "approve"))

    assert_refused(response, 403, "permission_denied")
    assert offering_state(in_review) == before


def test_investor_cannot_approve_an_offering(api_client):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)
    api_client.force_authenticate(InvestorFactory())
    before = offering_state(offering)

    response = api_client.post(url(offering, "approve"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert offering_state(offering) == before


def test_staff_member_who_manages_the_company_cannot_approve_its_offering(api_client):
    staff_owner = OfferingReviewerFactory()
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW, issuer=IssuerFactory(owner=staff_owner))
    api_client.force_authenticate(staff_owner)
    before = offering_state(offering)

    response = api_client.post(url(offering, "approve"))

    assert_refused(response, 403, "permission_denied")
    assert offering_state(offering) == before


@pytest.mark.parametrize(
    "status", ["draft", "rejected", "approved", "live", "suspended", "closed", "failed", "cancelled"]
)
def test_approving_an_offering_not_in_review_is_an_invalid_transition(api_client, reviewer, status):
    offering = OfferingFactory(status=status)
    api_client.force_authenticate(reviewer)
    before = offering_state(offering)

    response = api_client.post(url(offering, "approve"))

    assert_refused(response, 409, "invalid_transition")
    assert offering_state(offering) == before


# Four eyes ----------------------------------------------------------------------------------------------------------


@pytest.fixture(params=["related_to_platform", "platform_stake"])
def tied_offering(request):
    if request.param == "related_to_platform":
        issuer = IssuerFactory(related_to_platform=True, related_party_note="Director shared with the platform.")
    else:
        issuer = IssuerFactory(platform_stake_pct="0.01", related_party_note="Group fund holds a small stake.")
    return OfferingFactory(issuer=issuer, status=OfferingStatus.IN_REVIEW)


def test_first_approval_of_a_tied_issuers_offering_leaves_it_in_review(api_client, reviewer, tied_offering):
    api_client.force_authenticate(reviewer)

    response = api_client.post(url(tied_offering, "approve"))

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert list(tied_offering.approvals.values_list("by", flat=True)) == [reviewer.pk]
    assert transitions(tied_offering) == []


def test_same_staff_approving_a_tied_issuers_offering_again_needs_a_second_approver(
    api_client, reviewer, tied_offering
):
    api_client.force_authenticate(reviewer)
    api_client.post(url(tied_offering, "approve"))
    before = offering_state(tied_offering)

    response = api_client.post(url(tied_offering, "approve"))

    assert_refused(response, 409, "second_approval_required")
    assert offering_state(tied_offering) == before


def test_second_different_staff_approval_approves_a_tied_issuers_offering(api_client, reviewer, tied_offering):
    second = OfferingReviewerFactory()
    api_client.force_authenticate(reviewer)
    api_client.post(url(tied_offering, "approve"))
    api_client.force_authenticate(second)

    response = api_client.post(url(tied_offering, "approve"), {"note": "Second look done."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert set(tied_offering.approvals.values_list("by", flat=True)) == {reviewer.pk, second.pk}
    assert transitions(tied_offering) == [("in_review", "approved", second.pk, "Second look done.")]


def test_untied_issuers_offering_needs_one_approval(reviewer, in_review):
    services.offering_approve(offering=in_review, by=reviewer)

    in_review.refresh_from_db()
    assert in_review.status == OfferingStatus.APPROVED


def test_rejection_discards_earlier_approvals_so_a_resubmission_needs_two_again(reviewer, tied_offering):
    second = OfferingReviewerFactory()
    owner = tied_offering.issuer.owner
    services.offering_approve(offering=tied_offering, by=reviewer)
    services.offering_reject(offering=tied_offering, by=second, reason="Valuation unsupported.")
    services.offering_edit_draft(offering=tied_offering, by=owner, title="Revised")
    services.offering_submit(offering=tied_offering, by=owner)

    services.offering_approve(offering=tied_offering, by=second)

    tied_offering.refresh_from_db()
    assert tied_offering.status == OfferingStatus.IN_REVIEW
    assert list(tied_offering.approvals.filter(superseded=False).values_list("by", flat=True)) == [second.pk]


# Reject -------------------------------------------------------------------------------------------------------------


def test_staff_rejection_with_a_reason_makes_it_rejected(api_client, reviewer, in_review):
    api_client.force_authenticate(reviewer)

    response = api_client.post(url(in_review, "reject"), {"reason": "Use of funds is vague."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert transitions(in_review) == [("in_review", "rejected", reviewer.pk, "Use of funds is vague.")]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"])
def test_rejection_without_a_reason_is_refused(api_client, reviewer, in_review, body):
    api_client.force_authenticate(reviewer)
    before = offering_state(in_review)

    response = api_client.post(url(in_review, "reject"), body, format="json")

    assert_refused(response, 400, "validation_error")
    assert "reason" in response.json()["error"]["fields"]
    assert offering_state(in_review) == before


def test_service_refuses_a_blank_rejection_reason(reviewer, in_review):
    before = offering_state(in_review)

    with pytest.raises(ValidationFailed) as refusal:
        services.offering_reject(offering=in_review, by=reviewer, reason="  ")

    assert "reason" in refusal.value.fields
    assert offering_state(in_review) == before


def test_issuer_cannot_reject_an_offering(api_client, in_review):
    api_client.force_authenticate(in_review.issuer.owner)
    before = offering_state(in_review)

    response = api_client.post(url(in_review, "reject"), {"reason": "Changed my mind."}, format="json")

    assert_refused(response, 403, "permission_denied")
    assert offering_state(in_review) == before


@pytest.mark.parametrize("status", ["draft", "rejected", "approved", "live"])
def test_rejecting_an_offering_not_in_review_is_an_invalid_transition(api_client, reviewer, status):
    offering = OfferingFactory(status=status)
    api_client.force_authenticate(reviewer)
    before = offering_state(offering)

    response = api_client.post(url(offering, "reject"), {"reason": "Too late."}, format="json")

    assert_refused(response, 409, "invalid_transition")
    assert offering_state(offering) == before


def test_every_transition_of_the_graph_has_a_verb_and_a_history_reason(english):
    declared = {transition.name for transition in Offering._meta.get_field("status").get_all_transitions(Offering)}

    assert declared == set(TRANSITION_WORDS)
    assert all(str(TRANSITION_WORDS[name].verb).strip() for name in declared)
    assert all(str(TRANSITION_WORDS[name].reason).strip() for name in declared)


def test_a_transition_moved_without_a_reason_records_its_own(english):
    offering = OfferingFactory(status=OfferingStatus.IN_REVIEW)

    services.offering_approve(offering=offering, by=OfferingReviewerFactory())

    assert offering.transitions.get().reason == "Approved by staff review."


# Every service, from every status -----------------------------------------------------------------------------------

LEGAL_SOURCES = {
    "submit": {"draft"},
    "approve": {"in_review"},
    "reject": {"in_review"},
    "cancel": {"draft", "in_review", "approved", "live", "suspended"},
    "edit": {"draft", "rejected"},
}


def call(action, offering, *, reviewer):
    owner = offering.issuer.owner
    if action == "submit":
        return services.offering_submit(offering=offering, by=owner)
    if action == "approve":
        return services.offering_approve(offering=offering, by=reviewer)
    if action == "reject":
        return services.offering_reject(offering=offering, by=reviewer, reason="Not enough detail.")
    if action == "cancel":
        return services.offering_cancel(offering=offering, by=owner, reason="Raised elsewhere.")
    return services.offering_edit_draft(offering=offering, by=owner, title="Edited")


ILLEGAL_MOVES = [
    (action, status) for action, legal in LEGAL_SOURCES.items() for status in ALL_STATUSES if status not in legal
]
LEGAL_MOVES = [(action, status) for action, legal in LEGAL_SOURCES.items() for status in sorted(legal)]


@pytest.mark.parametrize(("action", "status"), ILLEGAL_MOVES)
def test_illegal_move_raises_invalid_transition_and_changes_nothing(reviewer, action, status):
    offering = OfferingFactory(status=status)
    offering.refresh_from_db()
    before = {field.attname: getattr(offering, field.attname) for field in Offering._meta.concrete_fields}

    with pytest.raises(InvalidTransition):
        call(action, offering, reviewer=reviewer)

    offering.refresh_from_db()
    assert {field.attname: getattr(offering, field.attname) for field in Offering._meta.concrete_fields} == before
    assert not OfferingTransition.objects.exists()
    assert not OfferingApproval.objects.exists()


EXPECTED_TARGET = {"submit": "in_review", "approve": "approved", "reject": "rejected", "cancel": "cancelled"}


@pytest.mark.parametrize(("action", "status"), LEGAL_MOVES)
def test_legal_move_changes_the_status_and_writes_one_history_row(reviewer, action, status):
    offering = OfferingFactory(status=status)

    call(action, offering, reviewer=reviewer)

    offering.refresh_from_db()
    history = list(OfferingTransition.objects.filter(offering=offering))
    if action == "edit":
        assert offering.status == "draft"
        assert [(row.from_status, row.to_status) for row in history] == (
            [] if status == "draft" else [(status, "draft")]
        )
    else:
        assert offering.status == EXPECTED_TARGET[action]
        assert [(row.from_status, row.to_status) for row in history] == [(status, EXPECTED_TARGET[action])]
        assert history[0].at is not None


def test_cancelling_an_offering_with_reserved_capacity_is_refused():
    offering = OfferingFactory(status=OfferingStatus.LIVE, reserved_amount="5000.00")
    before = offering_state(offering)

    with pytest.raises(InvalidTransition):
        services.offering_cancel(offering=offering, by=offering.issuer.owner, reason="Stop.")

    assert offering_state(offering) == before


def test_services_refuse_people_who_do_not_manage_the_company():
    offering = OfferingFactory()
    stranger = IssuerUserFactory()
    before = offering_state(offering)

    for attempt in (
        lambda: services.offering_submit(offering=offering, by=stranger),
        lambda: services.offering_edit_draft(offering=offering, by=stranger, title="x"),
        lambda: services.offering_cancel(offering=offering, by=stranger, reason="x"),
    ):
        with pytest.raises(PermissionRefused):
            attempt()

    assert offering_state(offering) == before


def test_services_refuse_approval_and_rejection_by_non_staff(in_review):
    before = offering_state(in_review)

    with pytest.raises(PermissionRefused):
        services.offering_approve(offering=in_review, by=in_review.issuer.owner)
    with pytest.raises(PermissionRefused):
        services.offering_reject(offering=in_review, by=InvestorFactory(), reason="No.")

    assert offering_state(in_review) == before


def test_a_whole_review_cycle_is_recorded_in_order(reviewer):
    offering = OfferingFactory(opens_at=timezone.now() + dt.timedelta(minutes=5))
    owner = offering.issuer.owner

    services.offering_submit(offering=offering, by=owner)
    services.offering_reject(offering=offering, by=reviewer, reason="Add audited figures.")
    services.offering_edit_draft(offering=offering, by=owner, summary="Now with audited figures.")
    services.offering_submit(offering=offering, by=owner)
    services.offering_approve(offering=offering, by=reviewer, note="Fine now.")
    services.offerings_open_due(now=timezone.now() + dt.timedelta(minutes=10))

    rows = list(OfferingTransition.objects.filter(offering=offering))
    assert [(r.from_status, r.to_status, r.by_id) for r in rows] == [
        ("draft", "in_review", owner.pk),
        ("in_review", "rejected", reviewer.pk),
        ("rejected", "draft", owner.pk),
        ("draft", "in_review", owner.pk),
        ("in_review", "approved", reviewer.pk),
        ("approved", "live", None),
    ]
    assert rows[1].reason == "Add audited figures."
    assert rows[4].reason == "Fine now."
    assert all(rows[i].at <= rows[i + 1].at for i in range(len(rows) - 1))


# Opening due offerings ----------------------------------------------------------------------------------------------


def test_open_due_opens_approved_offerings_whose_time_has_come_and_leaves_the_others():
    now = timezone.now()
    due = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=now - dt.timedelta(minutes=1))
    exactly_due = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=now)
    later = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=now + dt.timedelta(minutes=1))
    not_approved = [
        OfferingFactory(status=status, opens_at=now - dt.timedelta(days=1))
        for status in ("draft", "in_review", "rejected", "cancelled", "suspended")
    ]

    opened = services.offerings_open_due(now=now)

    assert sorted(opened) == sorted([due.pk, exactly_due.pk])
    assert Offering.objects.get(pk=due.pk).status == "live"
    assert Offering.objects.get(pk=exactly_due.pk).status == "live"
    assert Offering.objects.get(pk=later.pk).status == "approved"
    assert [Offering.objects.get(pk=o.pk).status for o in not_approved] == [o.status for o in not_approved]
    row = OfferingTransition.objects.get(offering=due)
    assert (row.from_status, row.to_status, row.by) == ("approved", "live", None)


def test_open_due_run_twice_opens_once():
    offering = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=timezone.now() - dt.timedelta(minutes=1))

    first = services.offerings_open_due()
    second = services.offerings_open_due()

    assert (first, second) == ([offering.pk], [])
    assert OfferingTransition.objects.filter(offering=offering).count() == 1


def test_open_due_task_opens_due_offerings():
    from projects.tasks import open_due_offerings

    offering = OfferingFactory(status=OfferingStatus.APPROVED, opens_at=timezone.now() - dt.timedelta(minutes=1))

    open_due_offerings.delay()

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.LIVE


# Regressions ------------------------------------------------------------------------------------------------------


def test_approving_an_offering_whose_closing_time_has_passed_is_refused(api_client, reviewer):
    now = timezone.now()
    offering = OfferingFactory(
        status=OfferingStatus.IN_REVIEW, opens_at=now - dt.timedelta(days=10), closes_at=now - dt.timedelta(hours=1)
    )
    api_client.force_authenticate(reviewer)
    before = offering_state(offering)

    response = api_client.post(url(offering, "approve"))

    assert_refused(response, 409, "invalid_transition")
    assert offering_state(offering) == before


def test_rejection_keeps_the_record_of_an_earlier_approval(reviewer, tied_offering):
    second = OfferingReviewerFactory()
    services.offering_approve(offering=tied_offering, by=reviewer, note="Looks fine to me.")

    services.offering_reject(offering=tied_offering, by=second, reason="Valuation unsupported.")

    earlier = OfferingApproval.objects.get(offering=tied_offering, by=reviewer)
    assert earlier.superseded
    tied_offering.refresh_from_db()
    assert tied_offering.status == OfferingStatus.REJECTED
