"""Who may do what: every API endpoint and every page, for every kind of account, with the answer each one gets.

The endpoints are read from the URL configuration, so a new endpoint or page that is not in the table below fails
`test_the_matrix_names_every_endpoint_and_page`. Each account's walk builds one set of records and runs each request
in a savepoint that is rolled back, so every request starts from the same records; after every refusal, no row of
the project's apps has changed. (Django's admin is left out: it answers with Django's model permissions, and its
actions call the same services, which tests/test_staff_roles.py checks.)
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Set
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiToken
from accounts.tests.factories import (
    PASSWORD,
    InvestorFactory,
    IssuerUserFactory,
    KycOfficerFactory,
    OfferingReviewerFactory,
    RiskAnalystFactory,
    StaffFactory,
    SuperuserFactory,
    SupportFactory,
)
from investors.models import KycStatus, Payment, Subscription, SubscriptionStatus
from investors.tests.factories import (
    IDENTITY_NUMBER,
    KycProfileFactory,
    RiskAcknowledgementFactory,
    SuitabilityAssessmentFactory,
)
from projects import questions
from projects.documents import document_upload
from projects.models import AnnouncedCommitment, CommitmentStatus, OfferingQuestion, OfferingStatus
from projects.regimes import regime_for
from projects.tests.factories import (
    FinancialStatementFactory,
    IssuerFactory,
    OfferingFactory,
    company_fields,
    offering_payload,
    pdf_bytes,
    statement_figures,
)
from risk import services as risk_services
from risk.models import Case

pytestmark = pytest.mark.django_db

ANON, INVESTOR_A, INVESTOR_B, ISSUER_A, ISSUER_B = "anonymous", "investor_a", "investor_b", "issuer_a", "issuer_b"
REVIEWER, KYC_OFFICER, RISK_ANALYST, SUPPORT, BARE_STAFF, SUPERUSER = (
    "offering_reviewer", "kyc_officer", "risk_analyst", "support", "staff_without_role", "superuser",
)  # fmt: skip
ACTORS = [ANON, INVESTOR_A, INVESTOR_B, ISSUER_A, ISSUER_B, REVIEWER, KYC_OFFICER, RISK_ANALYST, SUPPORT, BARE_STAFF,
          SUPERUSER]  # fmt: skip
SIGNED_IN = [actor for actor in ACTORS if actor != ANON]
INVESTORS = {INVESTOR_A, INVESTOR_B}
ISSUERS = {ISSUER_A, ISSUER_B}
# Staff whose role reads every company's records (projects.view_issuer, projects.view_offering).
READ_COMPANIES = {REVIEWER, RISK_ANALYST, SUPPORT, SUPERUSER}
READ_SUBSCRIPTIONS = {RISK_ANALYST, SUPPORT, SUPERUSER}
READ_CASES = {RISK_ANALYST, SUPPORT, SUPERUSER}
ACCOUNT_FACTORIES = {
    INVESTOR_A: InvestorFactory, INVESTOR_B: InvestorFactory, ISSUER_A: IssuerUserFactory,
    ISSUER_B: IssuerUserFactory, REVIEWER: OfferingReviewerFactory, KYC_OFFICER: KycOfficerFactory,
    RISK_ANALYST: RiskAnalystFactory, SUPPORT: SupportFactory, BARE_STAFF: StaffFactory, SUPERUSER: SuperuserFactory,
}  # fmt: skip


Answer = int | str  # a status code, or LOGIN


def answers(default, **by_actor) -> dict[str, Answer]:
    """The status code each actor gets: `default`, except where named (a set of actors maps to one code with the
    `groups` keyword: {code: actors})."""
    groups = by_actor.pop("groups", {})
    expected = {actor: default for actor in ACTORS}
    for code, actors in groups.items():
        expected.update(dict.fromkeys(actors, code))
    expected.update(by_actor)
    return expected


def everyone(code: int) -> dict[str, Answer]:
    return answers(code)


def signed_in(code: int) -> dict[str, Answer]:
    return answers(code, anonymous=401)


def owner_only(success: int, *, others_see: Set[str], unauthenticated: int = 401) -> dict[str, Answer]:
    """Issuer A's own action: those who can see the record are refused (403), the others do not find it (404)."""
    return answers(404, anonymous=unauthenticated, issuer_a=success, groups={403: others_see - {ISSUER_A}})


def staff_decision(success_for: Set[str], *, others_see: Set[str] = frozenset(SIGNED_IN)) -> dict[str, Answer]:
    """A staff decision on a record: who holds the permission succeeds, who sees the record is refused with 403."""
    return answers(404, anonymous=401, groups={403: others_see, 200: success_for})


# The world each walk starts from ----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    company_a: object
    company_b: object
    draft: object
    in_review: object
    live: object
    subscription: Subscription
    pending_kyc_user: object
    case: Case
    question: OfferingQuestion
    commitment: AnnouncedCommitment
    token_id: int
    document: object


def build_world() -> World:
    users = {actor: factory() for actor, factory in ACCOUNT_FACTORIES.items()}
    company_a = IssuerFactory(owner=users[ISSUER_A])
    company_b = IssuerFactory(owner=users[ISSUER_B])
    now = timezone.now()
    draft = OfferingFactory(issuer=company_a, status=OfferingStatus.DRAFT)
    in_review = OfferingFactory(issuer=company_a, status=OfferingStatus.IN_REVIEW)
    amount = Decimal("10000.00")
    # Its target is met, so that staff may close it early.
    live = OfferingFactory(
        issuer=company_a, status=OfferingStatus.LIVE, opens_at=now - dt.timedelta(days=1),
        target_amount=amount, reserved_amount=amount, raised_amount=amount, investor_count=1,
    )  # fmt: skip
    investor_a = users[INVESTOR_A]
    KycProfileFactory(user=investor_a, status=KycStatus.VERIFIED)
    SuitabilityAssessmentFactory(user=investor_a)
    RiskAcknowledgementFactory(investor=investor_a)
    subscription = Subscription.objects.create(
        investor=investor_a, offering=live, amount=amount, currency="CNY", shares=1000,
        status=SubscriptionStatus.PAID, idempotency_key="matrix", request_digest="matrix",
        payment_method="pm_card_visa", created_at=now, reserved_until=now, paid_at=now,
    )  # fmt: skip
    Payment.objects.create(
        subscription=subscription, payment_intent_id="pi_matrix", amount=amount, currency="CNY", received_at=now
    )
    KycProfileFactory(user=users[INVESTOR_B], status=KycStatus.PENDING)
    # A case the way the platform opens one: company B files a profit above its revenue, and is screened.
    FinancialStatementFactory(issuer=company_b, revenue=Decimal("100.00"), net_profit=Decimal("500.00"))
    risk_services.screen_issuer(issuer_id=company_b.pk, as_of=now)
    question = questions.question_ask(offering=live, by=investor_a, text="When does the money reach the lab?")
    commitment = AnnouncedCommitment.objects.create(
        offering=live, by="lead", named_account_id=investor_a.pk, investor=investor_a, amount=amount,
        status=CommitmentStatus.PENDING,
    )  # fmt: skip
    account_services.token_issue(user=investor_a)
    document = document_upload(
        offering=live, by=users[ISSUER_A], kind="business_plan", title="Plan", file=a_pdf()
    )  # fmt: skip
    return World(
        users=users, company_a=company_a, company_b=company_b, draft=draft, in_review=in_review, live=live,
        subscription=subscription, pending_kyc_user=users[INVESTOR_B], case=Case.objects.get(), question=question,
        commitment=commitment, token_id=ApiToken.objects.get(user=investor_a).pk, document=document,
    )  # fmt: skip


def a_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.pdf", pdf_bytes(), "application/pdf")


# The requests ------------------------------------------------------------------------------------------------------


@dataclass
class Call:
    route: str  # the URL name, as in the URL configuration
    method: str
    path: Callable[[World], str]
    expected: dict[str, Answer]
    body: Callable[[World], dict] | dict | None = None
    headers: dict | None = None
    # The error code of a 403 from the API; None where investors are refused for their own reasons (KYC, ...).
    refusal_code: str | None = "permission_denied"
    multipart: bool = False  # a file upload


def kyc_fields() -> dict:
    return {
        "real_name": "Chen Jing", "id_number": IDENTITY_NUMBER, "date_of_birth": "1960-01-08", "phone": "13800138000",
        "annual_income": "600000.00", "financial_assets": "3500000.00",
    }  # fmt: skip


def questionnaire_answers() -> dict:
    return {"experience": "long", "unlisted_equity": "several", "loss_tolerance": "limited", "horizon": "over_5y",
            "share_of_assets": "under_10", "knowledge": "total_loss"}  # fmt: skip


def risk_statement_signature() -> dict:
    return {"version": regime_for("cn").risk_statement.version, "accepted": True}


def opening_in_a_day() -> dict:
    opens_at = timezone.localtime() + dt.timedelta(days=1)
    return {"opens_at": opens_at.isoformat(), "closes_at": (opens_at + dt.timedelta(days=30)).isoformat()}


API = "/api/v1"
# Under the cn regime an investor who is not qualified may not invest less than 1,000,000 in one offering: the
# subscription is refused before any payment is attempted.
SMALL_SUBSCRIPTION = {"amount": "1000.00", "payment_method": "pm_card_visa"}

API_CALLS = [
    Call("api:api-root", "get", lambda w: f"{API}/", signed_in(200)),
    Call("api:schema", "get", lambda w: f"{API}/schema/", everyone(200)),
    Call("api:health", "get", lambda w: f"{API}/health/", everyone(200)),
    Call("api:docs", "get", lambda w: f"{API}/docs/", everyone(200)),
    Call(
        "api:register",
        "post",
        lambda w: f"{API}/auth/register/",
        everyone(201),
        {"username": "newcomer", "email": "newcomer@example.com", "password": PASSWORD, "role": "investor"},
    ),
    Call(
        "api:token",
        "post",
        lambda w: f"{API}/auth/token/",
        everyone(200),
        lambda w: {"username": w.users[INVESTOR_A].username, "password": PASSWORD},
    ),
    Call("api:me", "get", lambda w: f"{API}/me/", signed_in(200)),
    Call("api:logout", "post", lambda w: f"{API}/auth/logout/", signed_in(204)),
    Call("api:my-tokens", "get", lambda w: f"{API}/me/tokens/", signed_in(200)),
    Call(
        "api:my-token",
        "delete",
        lambda w: f"{API}/me/tokens/{w.token_id}/",
        answers(404, anonymous=401, investor_a=204),
        refusal_code=None,
    ),
    Call("api:my-commitment-list", "get", lambda w: f"{API}/me/commitments/", signed_in(200)),
    Call(
        "api:my-commitment-accept",
        "post",
        lambda w: f"{API}/me/commitments/{w.commitment.pk}/accept/",
        answers(404, anonymous=401, investor_a=200),
    ),
    Call(
        "api:my-commitment-decline",
        "post",
        lambda w: f"{API}/me/commitments/{w.commitment.pk}/decline/",
        answers(404, anonymous=401, investor_a=200),
    ),
    Call("api:offering-questions", "get", lambda w: f"{API}/offerings/{w.live.pk}/questions/", everyone(200)),
    Call(
        "api:offering-questions",
        "post",
        lambda w: f"{API}/offerings/{w.live.pk}/questions/",
        answers(403, anonymous=401, groups={201: INVESTORS}),
        {"text": "Who audits the accounts?"},
    ),
    Call(
        "api:question-answer",
        "post",
        lambda w: f"{API}/questions/{w.question.pk}/answer/",
        answers(403, anonymous=401, issuer_a=200),
        {"text": "An accounting firm, since 2021."},
    ),
    Call(
        "api:question-hide",
        "post",
        lambda w: f"{API}/questions/{w.question.pk}/hide/",
        answers(403, anonymous=401, groups={200: {REVIEWER, SUPERUSER}}),
        {"reason": "Off topic."},
    ),
    Call("api:my-kyc", "get", lambda w: f"{API}/me/kyc/", answers(404, anonymous=401, groups={200: INVESTORS})),
    Call(
        "api:my-kyc",
        "put",
        lambda w: f"{API}/me/kyc/",
        answers(403, anonymous=401, groups={200: INVESTORS}),
        kyc_fields(),
    ),
    Call(
        "api:my-suitability",
        "post",
        lambda w: f"{API}/me/suitability/",
        answers(403, anonymous=401, groups={201: INVESTORS}),
        {"answers": questionnaire_answers()},
    ),
    Call("api:my-risk-acknowledgement", "get", lambda w: f"{API}/me/risk-acknowledgement/", signed_in(200)),
    Call(
        "api:my-risk-acknowledgement",
        "post",
        lambda w: f"{API}/me/risk-acknowledgement/",
        answers(403, anonymous=401, groups={201: INVESTORS}),
        risk_statement_signature(),
    ),
    Call("api:questionnaire", "get", lambda w: f"{API}/suitability/questionnaire/", signed_in(200)),
    Call(
        "api:kyc-approve",
        "post",
        lambda w: f"{API}/kyc/{w.pending_kyc_user.pk}/approve/",
        staff_decision({KYC_OFFICER, SUPERUSER}),
    ),
    Call(
        "api:kyc-reject",
        "post",
        lambda w: f"{API}/kyc/{w.pending_kyc_user.pk}/reject/",
        staff_decision({KYC_OFFICER, SUPERUSER}),
        {"reason": "The photo is unreadable."},
    ),
    Call("api:my-subscriptions", "get", lambda w: f"{API}/me/subscriptions/", signed_in(200)),
    Call("api:my-holdings", "get", lambda w: f"{API}/me/holdings/", signed_in(200)),
    Call(
        "api:offering-close",
        "post",
        lambda w: f"{API}/offerings/{w.live.pk}/close/",
        answers(403, anonymous=401, groups={202: {REVIEWER, SUPERUSER}}),
    ),
    Call(
        "api:stripe-webhook",
        "post",
        lambda w: f"{API}/payments/stripe/webhook/",
        everyone(400),
        {"type": "payment_intent.succeeded"},
    ),
    Call("api:issuer-list", "get", lambda w: f"{API}/issuers/", signed_in(200)),
    Call(
        "api:issuer-list",
        "post",
        lambda w: f"{API}/issuers/",
        answers(403, anonymous=401, groups={201: ISSUERS}),
        company_fields(),
    ),
    Call(
        "api:issuer-detail",
        "get",
        lambda w: f"{API}/issuers/{w.company_a.pk}/",
        owner_only(200, others_see=READ_COMPANIES) | dict.fromkeys(READ_COMPANIES, 200),
    ),
    Call(
        "api:issuer-financials",
        "get",
        lambda w: f"{API}/issuers/{w.company_a.pk}/financials/",
        owner_only(200, others_see=READ_COMPANIES) | dict.fromkeys(READ_COMPANIES, 200),
    ),
    Call(
        "api:issuer-financials",
        "post",
        lambda w: f"{API}/issuers/{w.company_a.pk}/financials/",
        owner_only(201, others_see=READ_COMPANIES),
        statement_figures(fiscal_year=2023, audited=True),
    ),
    Call("api:offering-list", "get", lambda w: f"{API}/offerings/", everyone(200)),
    Call(
        "api:offering-list",
        "post",
        lambda w: f"{API}/offerings/",
        owner_only(201, others_see=READ_COMPANIES),
        lambda w: offering_payload(w.company_a),
    ),
    Call(
        "api:offering-detail",
        "get",
        lambda w: f"{API}/offerings/{w.draft.pk}/",
        owner_only(200, others_see=READ_COMPANIES, unauthenticated=404) | dict.fromkeys(READ_COMPANIES, 200),
    ),
    Call(
        "api:offering-detail",
        "patch",
        lambda w: f"{API}/offerings/{w.draft.pk}/",
        owner_only(200, others_see=READ_COMPANIES),
        {"title": "Changed by someone"},
    ),
    Call(
        "api:offering-submit",
        "post",
        lambda w: f"{API}/offerings/{w.draft.pk}/submit/",
        owner_only(200, others_see=READ_COMPANIES),
    ),
    Call(
        "api:offering-cancel",
        "post",
        lambda w: f"{API}/offerings/{w.draft.pk}/cancel/",
        owner_only(200, others_see=READ_COMPANIES),
        {"reason": "Not now."},
    ),
    Call(
        "api:offering-approve",
        "post",
        lambda w: f"{API}/offerings/{w.in_review.pk}/approve/",
        staff_decision({REVIEWER, SUPERUSER}, others_see=READ_COMPANIES | {ISSUER_A}),
    ),
    Call(
        "api:offering-reject",
        "post",
        lambda w: f"{API}/offerings/{w.in_review.pk}/reject/",
        staff_decision({REVIEWER, SUPERUSER}, others_see=READ_COMPANIES | {ISSUER_A}),
        {"reason": "Too vague."},
    ),
    Call("api:offering-updates", "get", lambda w: f"{API}/offerings/{w.live.pk}/updates/", everyone(200)),
    Call(
        "api:offering-updates",
        "post",
        lambda w: f"{API}/offerings/{w.live.pk}/updates/",
        answers(403, anonymous=401, issuer_a=201),
        {"title": "News", "body": "We shipped."},
    ),
    Call("api:offering-documents", "get", lambda w: f"{API}/offerings/{w.live.pk}/documents/", signed_in(200)),
    Call(
        "api:offering-documents",
        "post",
        lambda w: f"{API}/offerings/{w.live.pk}/documents/",
        answers(403, anonymous=401, issuer_a=201),
        lambda w: {"kind": "articles", "title": "Articles", "file": a_pdf()},
        multipart=True,
    ),
    Call("api:document-download", "get", lambda w: f"{API}/documents/{w.document.pk}/download/", signed_in(200)),
    Call(
        "api:subscription-list",
        "post",
        lambda w: f"{API}/subscriptions/",
        answers(403, anonymous=401),
        lambda w: SMALL_SUBSCRIPTION | {"offering": w.live.pk},
        {"Idempotency-Key": "matrix-new"},
        refusal_code=None,
    ),
    Call(
        "api:subscription-detail",
        "get",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/",
        answers(404, anonymous=401, investor_a=200, groups={200: READ_SUBSCRIPTIONS}),
    ),
    Call(
        "api:subscription-cancel",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/cancel/",
        answers(404, anonymous=401, investor_a=200, groups={403: READ_SUBSCRIPTIONS}),
    ),
    Call(
        "api:subscription-reconfirm",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/reconfirm/",
        answers(404, anonymous=401, investor_a=200, groups={403: READ_SUBSCRIPTIONS}),
    ),
    Call(
        "api:risk-case-list",
        "get",
        lambda w: f"{API}/risk/cases/",
        answers(403, anonymous=401, groups={200: READ_CASES}),
    ),
    Call(
        "api:risk-case-detail",
        "get",
        lambda w: f"{API}/risk/cases/{w.case.pk}/",
        answers(403, anonymous=401, groups={200: READ_CASES}),
    ),
    Call(
        "api:risk-case-resolve",
        "post",
        lambda w: f"{API}/risk/cases/{w.case.pk}/resolve/",
        answers(403, anonymous=401, groups={200: {RISK_ANALYST, SUPERUSER}}),
        {"outcome": "cleared", "note": "Typo; refiled."},
    ),
]

# Pages send anonymous visitors of a signed-in page to the login page: a refusal, unlike other redirects.
LOGIN = "login"


def page(success: int, allowed: set[str], *, refused: int = 403, **by_actor) -> dict[str, Answer]:
    return answers(refused, anonymous=LOGIN, groups={success: allowed}, **by_actor)


PAGE_CALLS = [
    Call("home", "get", lambda w: "/", everyone(200)),
    Call("set_language", "post", lambda w: "/i18n/setlang/", everyone(302), {"language": "en", "next": "/"}),
    Call("accounts:register", "get", lambda w: "/accounts/register/", answers(302, anonymous=200)),
    Call("accounts:login", "get", lambda w: "/accounts/login/", answers(302, anonymous=200)),
    Call("accounts:logout", "post", lambda w: "/accounts/logout/", everyone(302)),
    Call("accounts:password_reset", "get", lambda w: "/accounts/password-reset/", everyone(200)),
    Call("accounts:password_reset_done", "get", lambda w: "/accounts/password-reset/sent/", everyone(200)),
    Call("accounts:password_reset_confirm", "get", lambda w: "/accounts/reset/MQ/not-a-token/", everyone(200)),
    Call("accounts:password_reset_complete", "get", lambda w: "/accounts/reset/done/", everyone(200)),
    Call("emails:notifications", "get", lambda w: "/notifications/", answers(200, anonymous=LOGIN)),
    Call("investors:dashboard", "get", lambda w: "/investor/", page(200, INVESTORS)),
    Call("investors:kyc", "get", lambda w: "/investor/kyc/", page(200, INVESTORS)),
    Call("investors:questionnaire", "get", lambda w: "/investor/questionnaire/", page(200, INVESTORS)),
    Call("investors:profile", "get", lambda w: "/investor/profile/", page(200, INVESTORS)),
    Call(
        "investors:subscribe",
        "post",
        lambda w: f"/investor/subscribe/{w.live.pk}/",
        page(302, INVESTORS),
        lambda w: {"amount": "1000.00", "payment_method": "pm_card_visa", "idempotency_key": "matrix-page"},
    ),
    Call("investors:subscriptions", "get", lambda w: "/investor/subscriptions/", page(200, INVESTORS)),
    Call(
        "investors:subscription_cancel",
        "post",
        lambda w: f"/investor/subscriptions/{w.subscription.pk}/cancel/",
        page(302, {INVESTOR_A}, investor_b=404),
    ),
    Call(
        "investors:subscription_reconfirm",
        "post",
        lambda w: f"/investor/subscriptions/{w.subscription.pk}/reconfirm/",
        page(302, {INVESTOR_A}, investor_b=404),
    ),
    Call("investors:portfolio", "get", lambda w: "/investor/portfolio/", page(200, INVESTORS)),
    Call(
        "investors:cap_table", "get", lambda w: f"/investor/cap-table/{w.live.pk}/", page(200, {ISSUER_A}, issuer_b=404)
    ),
    Call("projects:offering_list", "get", lambda w: "/offerings/", everyone(200)),
    Call(
        "projects:question_ask",
        "post",
        lambda w: f"/offerings/{w.live.pk}/questions/",
        page(302, INVESTORS),
        {"text": "Who audits the accounts?"},
    ),
    Call(
        "projects:question_answer",
        "post",
        lambda w: f"/questions/{w.question.pk}/answer/",
        page(302, {ISSUER_A}, issuer_b=200),
        {"text": "An accounting firm, since 2021."},
    ),
    Call("projects:my_commitments", "get", lambda w: "/commitments/", page(200, INVESTORS)),
    Call(
        "projects:commitment_accept",
        "post",
        lambda w: f"/commitments/{w.commitment.pk}/accept/",
        page(302, {INVESTOR_A}, investor_b=404),
    ),
    Call(
        "projects:commitment_decline",
        "post",
        lambda w: f"/commitments/{w.commitment.pk}/decline/",
        page(302, {INVESTOR_A}, investor_b=404),
    ),
    Call(
        "projects:offering_detail",
        "get",
        lambda w: f"/offerings/{w.draft.pk}/",
        answers(404, groups={200: READ_COMPANIES | {ISSUER_A}}),
    ),
    Call(
        "projects:offering_edit",
        "post",
        lambda w: f"/offerings/{w.draft.pk}/edit/",
        page(200, {ISSUER_A}, issuer_b=404),
        {"title": "Changed by someone"},
    ),
    Call(
        "projects:offering_submit",
        "post",
        lambda w: f"/offerings/{w.draft.pk}/submit/",
        page(302, {ISSUER_A}, issuer_b=404),
    ),
    Call(
        "projects:offering_update_post",
        "post",
        lambda w: f"/offerings/{w.live.pk}/updates/new/",
        page(302, {ISSUER_A}, issuer_b=404),
        {"title": "News", "body": "We shipped."},
    ),
    Call(
        "projects:offering_cancel",
        "post",
        lambda w: f"/offerings/{w.draft.pk}/cancel/",
        page(302, {ISSUER_A}, issuer_b=404),
        {"reason": "Not now."},
    ),
    Call(
        "projects:document_upload",
        "post",
        lambda w: f"/offerings/{w.live.pk}/documents/",
        page(302, {ISSUER_A}, issuer_b=404),
        lambda w: {"kind": "articles", "title": "Articles", "file": a_pdf()},
    ),
    Call("projects:document_download", "get", lambda w: f"/documents/{w.document.pk}/", answers(200, anonymous=LOGIN)),
    Call("projects:issuer_list", "get", lambda w: "/companies/", page(200, ISSUERS)),
    Call(
        "projects:issuer_create",
        "post",
        lambda w: "/companies/new/",
        page(302, ISSUERS),
        company_fields(related_to_platform=""),
    ),
    Call(
        "projects:issuer_detail",
        "post",
        lambda w: f"/companies/{w.company_a.pk}/",
        page(302, {ISSUER_A}, issuer_b=404),
        statement_figures(fiscal_year=2023, audited="on"),
    ),
    Call(
        "projects:issuer_guide",
        "get",
        lambda w: f"/companies/{w.company_a.pk}/guide/",
        page(200, {ISSUER_A}, issuer_b=404),
    ),
    Call(
        "projects:offering_create",
        "post",
        lambda w: f"/companies/{w.company_a.pk}/offerings/new/",
        page(200, {ISSUER_A}, issuer_b=404),
        {"title": "Incomplete"},
    ),
]


# The URL configuration, read -------------------------------------------------------------------------------------


def _routes(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            if inner != "admin":
                yield from _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback


def _api_methods(callback) -> set[str]:
    if getattr(callback, "actions", None):  # a viewset route: the methods it maps (HEAD answers as GET)
        return set(callback.actions) - {"head"}
    view = callback.cls
    return {method for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)}


def api_endpoints() -> set[tuple[str, str]]:
    return {
        (name, method)
        for name, callback in _routes(get_resolver().url_patterns)
        if name.startswith("api:")
        for method in _api_methods(callback)
    }


def page_routes() -> set[str]:
    return {name for name, _callback in _routes(get_resolver().url_patterns) if not name.startswith("api:")}


def test_the_matrix_names_every_endpoint_and_page():
    assert api_endpoints() == {(call.route, call.method) for call in API_CALLS}
    assert page_routes() == {call.route for call in PAGE_CALLS}


# The walk ----------------------------------------------------------------------------------------------------------

PROJECT_APPS = ("accounts", "projects", "investors", "ledger", "risk", "auth")


def everything() -> dict[str, object]:
    """Every row of the project's apps (and of staff groups and permissions), to compare after a refusal."""
    models = [
        model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    if connection.vendor == "postgresql":  # a digest of each table in one round trip: the walk makes hundreds
        digests = ", ".join(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{model._meta.db_table}\" t)"
            for model in models
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {digests}")
            return dict(zip((model._meta.label for model in models), cursor.fetchone(), strict=True))
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in models}


def _client(actor: str, world: World, *, api: bool):
    client = APIClient() if api else Client(HTTP_ACCEPT_LANGUAGE="en")
    user = world.users.get(actor)
    if user is not None:
        if api:
            client.force_authenticate(user)
        else:
            client.force_login(user)
    return client


def _send(client, call: Call, world: World):
    body = call.body(world) if callable(call.body) else call.body
    kwargs = {"format": "multipart" if call.multipart else "json"} if isinstance(client, APIClient) else {}
    if call.headers:
        kwargs["headers"] = call.headers
    request = getattr(client, call.method)
    return request(call.path(world), body or {}, **kwargs) if call.method != "get" else request(call.path(world))


@pytest.mark.parametrize("actor", ACTORS)
def test_each_account_gets_the_answer_its_role_allows_and_a_refusal_changes_nothing(actor):
    world = build_world()
    api_client, web_client = _client(actor, world, api=True), _client(actor, world, api=False)
    before = everything()
    signed_in_cookies = copy.deepcopy(web_client.cookies)
    wrong = []
    for call in API_CALLS + PAGE_CALLS:
        cache.clear()  # rate limits count per test, and this walk is many requests
        web_client.cookies = copy.deepcopy(signed_in_cookies)  # logging out is one of the requests
        with transaction.atomic():
            response = _send(api_client if call.route.startswith("api:") else web_client, call, world)
            expected = call.expected[actor]
            answer = LOGIN if response.get("Location", "").startswith("/accounts/login/") else response.status_code
            refused = answer == LOGIN or response.status_code >= 400
            if answer != expected:
                wrong.append(f"{call.method.upper()} {call.route}: {answer}, expected {expected}")
            elif response.status_code == 403 and call.route.startswith("api:") and call.refusal_code:
                code = response.json()["error"]["code"]
                if code != call.refusal_code:
                    wrong.append(f"{call.method.upper()} {call.route}: error code {code}")
            if refused and everything() != before:
                wrong.append(f"{call.method.upper()} {call.route}: refused ({response.status_code}) but changed rows")
            transaction.set_rollback(True)
    assert wrong == [], "\n".join(wrong)
