"""The issuer's and the public's web pages: each form saves through its service, shows every refusal beside the
field it concerns, and saves nothing when refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.tests.factories import InvestorFactory, IssuerUserFactory, SuperuserFactory, SupportFactory
from projects import services
from projects.models import FinancialStatement, Issuer, Offering, OfferingStatus, OfferingUpdate, TermChange
from projects.tests.factories import (
    VALID_USCC,
    FinancialStatementFactory,
    IssuerFactory,
    OfferingFactory,
    company_fields,
    offering_snapshot,
    offering_terms,
    statement_figures,
    with_wrong_check_digit,
)

pytestmark = pytest.mark.django_db

BROWSER_DATETIME = "%Y-%m-%dT%H:%M"


@pytest.fixture
def web_issuer_user(client):
    user = IssuerUserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def company(web_issuer_user):
    return IssuerFactory(owner=web_issuer_user, legal_name="Lantern Tea Software Ltd")


def company_form(**overrides):
    return company_fields(related_party_note="") | overrides


def in_browser_format(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime(BROWSER_DATETIME)


def offering_form(uses=(("product development", "600000.00"), ("marketing", "400000.00")), commitments=(), **overrides):
    """The offering form as a browser posts it, with its two row formsets and a blank row left in each."""
    opens = timezone.now() + dt.timedelta(days=1)
    data = offering_terms(
        opens_at=in_browser_format(opens),
        closes_at=in_browser_format(opens + dt.timedelta(days=30)),
    ) | {
        "use_of_funds-TOTAL_FORMS": str(len(uses) + 1),
        "use_of_funds-INITIAL_FORMS": "0",
        "announced_commitments-TOTAL_FORMS": str(len(commitments) + 1),
        "announced_commitments-INITIAL_FORMS": "0",
    }
    for index, (category, amount) in enumerate(uses):
        data |= {f"use_of_funds-{index}-category": category, f"use_of_funds-{index}-amount": amount}
    for index, (party, amount) in enumerate(commitments):
        data |= {f"announced_commitments-{index}-by": party, f"announced_commitments-{index}-amount": amount}
    return data | overrides


# Public pages ------------------------------------------------------------------------------------------------------


def test_offerings_page_lists_public_offerings_and_hides_other_issuers_drafts(client):
    OfferingFactory(title="Tea till seed round", status=OfferingStatus.LIVE)
    OfferingFactory(title="Secret draft round", status=OfferingStatus.DRAFT)

    response = client.get(reverse("projects:offering_list"))

    assertContains(response, "Tea till seed round")
    assertNotContains(response, "Secret draft round")


def test_offerings_page_filters_by_status_and_search_words(client):
    OfferingFactory(title="Tea till seed round", status=OfferingStatus.LIVE)
    OfferingFactory(title="Bakery oven round", status=OfferingStatus.LIVE)
    OfferingFactory(title="Closed tea round", status=OfferingStatus.CLOSED)

    response = client.get(reverse("projects:offering_list"), {"status": "live", "search": "tea"})

    assertContains(response, "Tea till seed round")
    assertNotContains(response, "Bakery oven round")
    assertNotContains(response, "Closed tea round")


def test_offering_page_shows_terms_progress_commitments_and_updates_with_changed_terms(client):
    offering = OfferingFactory(status=OfferingStatus.LIVE, raised_amount=Decimal("250000.00"))
    offering.commitments.create(by="lead", amount=Decimal("200000.00"))
    services.offering_update_post(
        offering=offering,
        by=offering.issuer.owner,
        title="New share price",
        body="We raised the price after a new customer signed.",
        material_change=True,
        changes={"price_per_share": Decimal("20.00")},
    )

    response = client.get(reverse("projects:offering_detail", args=[offering.pk]))

    assertContains(response, offering.title)
    assertContains(response, "product development")
    assertContains(response, "CNY 600,000.00")
    assertContains(response, "Lead investor")
    assertContains(response, "CNY 200,000.00")
    assertContains(response, "25.00%")  # 250,000 raised of a 1,000,000 target
    assertContains(response, "New share price")
    assertContains(response, "Material change")
    assertContains(response, "<td>10.00</td>", html=True)
    assertContains(response, "<td>20.00</td>", html=True)
    assertNotContains(response, "On hold for risk review")
    assertNotContains(response, "Related-party disclosure")


def test_offering_on_risk_hold_shows_the_hold_banner(client):
    offering = OfferingFactory(status=OfferingStatus.SUSPENDED, risk_hold=True)

    response = client.get(reverse("projects:offering_detail", args=[offering.pk]))

    assertContains(response, "On hold for risk review")


def test_offering_of_a_company_tied_to_the_platform_discloses_the_stake(client):
    issuer = IssuerFactory(platform_stake_pct=Decimal("12.50"), related_party_note="The platform's fund owns shares.")
    offering = OfferingFactory(issuer=issuer, status=OfferingStatus.LIVE)

    response = client.get(reverse("projects:offering_detail", args=[offering.pk]))

    assertContains(response, "Related-party disclosure")
    assertContains(response, "The platform group holds 12.50% of this company.")
    assertContains(response, "The platform&#x27;s fund owns shares.")


def test_another_issuers_draft_is_not_found(client, web_issuer_user):
    draft = OfferingFactory(status=OfferingStatus.DRAFT)

    assert client.get(reverse("projects:offering_detail", args=[draft.pk])).status_code == 404


def test_home_page_speaks_chinese_by_default_and_english_when_asked(client):
    chinese = client.get(reverse("home"), headers={"accept-language": "zh-hans"})
    english = client.get(reverse("home"), headers={"accept-language": "en"})

    assertContains(chinese, "浏览项目")
    assertNotContains(chinese, "Browse offerings")
    assertContains(english, "Browse offerings")
    assertNotContains(english, "浏览项目")


def test_language_switcher_keeps_the_chosen_language(client):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")

    client.post(reverse("set_language"), {"language": "en", "next": reverse("projects:offering_list")})

    assertContains(client.get(reverse("projects:offering_list")), "No offerings to show.")


# Companies ---------------------------------------------------------------------------------------------------------


def test_issuer_registers_a_company_and_sees_its_page(client, web_issuer_user):
    response = client.post(reverse("projects:issuer_create"), company_form(), follow=True)

    issuer = Issuer.objects.get(uscc=VALID_USCC)
    assert issuer.owner == web_issuer_user
    assert response.redirect_chain[-1][0] == reverse("projects:issuer_detail", args=[issuer.pk])
    assertContains(response, "The company is registered.")
    assertContains(response, "Hangzhou Lantern Technology Co., Ltd.")


def test_credit_code_with_a_wrong_check_digit_is_shown_beside_the_field_and_saves_nothing(client, web_issuer_user):
    response = client.post(reverse("projects:issuer_create"), company_form(uscc=with_wrong_check_digit(VALID_USCC)))

    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == ["The check digit of this unified social credit code is wrong."]
    assertContains(response, "The check digit of this unified social credit code is wrong.")
    assert not Issuer.objects.exists()


def test_investor_can_neither_open_nor_post_the_company_form(client):
    client.force_login(InvestorFactory())

    assert client.get(reverse("projects:issuer_create")).status_code == 403
    assert client.post(reverse("projects:issuer_create"), company_form()).status_code == 403
    assert not Issuer.objects.exists()


def test_visitor_is_sent_to_log_in_before_registering_a_company(client):
    response = client.get(reverse("projects:issuer_create"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_another_issuers_company_page_is_not_found(client, web_issuer_user):
    someone_elses = IssuerFactory()

    assert client.get(reverse("projects:issuer_detail", args=[someone_elses.pk])).status_code == 404
    assert client.get(reverse("projects:offering_create", args=[someone_elses.pk])).status_code == 404


def test_another_issuers_offering_cannot_be_edited_or_submitted(client, web_issuer_user):
    draft = OfferingFactory(status=OfferingStatus.DRAFT)
    before = offering_snapshot(draft)

    assert client.get(reverse("projects:offering_edit", args=[draft.pk])).status_code == 404
    edit = client.post(reverse("projects:offering_edit", args=[draft.pk]), offering_form(title="Hijacked"))
    assert edit.status_code == 404
    assert client.post(reverse("projects:offering_submit", args=[draft.pk])).status_code == 404
    assert offering_snapshot(draft) == before
    assert not draft.transitions.exists()


@pytest.mark.parametrize("staff_factory", [SupportFactory, SuperuserFactory])
def test_staff_never_open_a_companys_issuer_pages(client, staff_factory):
    issuer = IssuerFactory()
    offering = OfferingFactory(issuer=issuer)
    client.force_login(staff_factory())
    before = offering_snapshot(offering)

    assert client.get(reverse("projects:issuer_detail", args=[issuer.pk])).status_code == 403
    assert client.post(reverse("projects:offering_submit", args=[offering.pk])).status_code == 403
    assert offering_snapshot(offering) == before


def test_my_companies_lists_only_mine(client, company):
    IssuerFactory(legal_name="Someone Else's Bakery Ltd")

    response = client.get(reverse("projects:issuer_list"))

    assertContains(response, "Lantern Tea Software Ltd")
    assertNotContains(response, "Someone Else")


# Financial statements ----------------------------------------------------------------------------------------------


def statement_form(**overrides):
    return statement_figures(fiscal_year="2023", operating_cash_flow="", audited="on") | overrides


def test_filing_a_statement_again_adds_a_version_and_marks_it_latest(client, company):
    FinancialStatementFactory(issuer=company, fiscal_year=2023, revenue=Decimal("4000000.00"))

    response = client.post(reverse("projects:issuer_detail", args=[company.pk]), statement_form(), follow=True)

    latest = FinancialStatement.objects.get(issuer=company, version=2)
    assert latest.revenue == Decimal("5000000.00")
    assertContains(response, "The statement is filed.")
    assertContains(response, '<tr class="latest">')
    assertContains(response, '<tr class="superseded">')
    assertContains(response, "5,000,000.00")
    assertContains(response, "4,000,000.00")


def test_historical_figures_for_a_period_not_yet_ended_are_refused_and_not_filed(client, company):
    this_year = str(timezone.localdate().year)

    response = client.post(reverse("projects:issuer_detail", args=[company.pk]), statement_form(fiscal_year=this_year))

    assert response.context["form"].errors["fiscal_year"] == [
        "Historical and actual figures can be filed only after the period has ended."
    ]
    assertContains(response, "Historical and actual figures can be filed only after the period has ended.")
    assert not FinancialStatement.objects.exists()


# Offerings ---------------------------------------------------------------------------------------------------------


def test_issuer_prepares_a_draft_offering_with_uses_and_commitments(client, company):
    response = client.post(
        reverse("projects:offering_create", args=[company.pk]),
        offering_form(commitments=[("lead", "200000.00")]),
        follow=True,
    )

    offering = Offering.objects.get(issuer=company)
    assert offering.status == OfferingStatus.DRAFT
    assert offering.use_of_funds == [
        {"category": "product development", "amount": "600000.00"},
        {"category": "marketing", "amount": "400000.00"},
    ]
    assert [(c.by, c.amount) for c in offering.commitments.all()] == [("lead", Decimal("200000.00"))]
    assertContains(response, "The draft is saved.")
    assertContains(response, "Lantern seed round")
    assertContains(response, "Submit for review")


def test_uses_of_funds_that_do_not_add_up_to_the_target_are_refused_and_nothing_is_saved(client, company):
    uses = [("product development", "600000.00"), ("marketing", "300000.00")]

    response = client.post(reverse("projects:offering_create", args=[company.pk]), offering_form(uses=uses))

    assert response.status_code == 200
    assert response.context["form"].formsets["use_of_funds"].non_form_errors() == [
        "The uses of funds add up to 900000.00 but the target is 1000000.00."
    ]
    assertContains(response, "The uses of funds add up to 900000.00 but the target is 1000000.00.")
    assert not Offering.objects.exists()


def test_a_row_missing_its_category_gets_the_error_on_that_row(client, company):
    # The blank row between the two filled ones is skipped; the service counts the third row as its second.
    data = offering_form(uses=[("product development", "600000.00"), ("", ""), ("", "400000.00")])

    response = client.post(reverse("projects:offering_create", args=[company.pk]), data)

    rows = response.context["form"].formsets["use_of_funds"].forms
    assert rows[2].errors["category"] == ["This field is required."]
    assert not rows[0].errors and not rows[1].errors
    assert not Offering.objects.exists()


def test_issuer_edits_a_draft(client, company):
    draft = OfferingFactory(issuer=company, status=OfferingStatus.DRAFT)
    edit_page = client.get(reverse("projects:offering_edit", args=[draft.pk]))
    assertContains(edit_page, 'value="product development"')

    response = client.post(
        reverse("projects:offering_edit", args=[draft.pk]), offering_form(title="Renamed round"), follow=True
    )

    draft.refresh_from_db()
    assert draft.title == "Renamed round"
    assertContains(response, "Renamed round")


def test_editing_an_offering_in_review_is_refused(client, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.IN_REVIEW)
    before = offering_snapshot(offering)

    response = client.post(reverse("projects:offering_edit", args=[offering.pk]), offering_form(title="Renamed round"))

    assertContains(response, "Only a draft can be edited; this offering is In review.")
    assert offering_snapshot(offering) == before
    assert not offering.transitions.exists()


def test_issuer_submits_a_draft_for_review(client, company):
    draft = OfferingFactory(issuer=company, status=OfferingStatus.DRAFT)

    response = client.post(reverse("projects:offering_submit", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == OfferingStatus.IN_REVIEW
    assertContains(response, "The offering is submitted for review.")


def test_submitting_an_offering_whose_closing_time_has_passed_is_refused(client, company):
    yesterday = timezone.now() - dt.timedelta(days=1)
    draft = OfferingFactory(
        issuer=company, status=OfferingStatus.DRAFT, opens_at=yesterday - dt.timedelta(days=30), closes_at=yesterday
    )
    before = offering_snapshot(draft)

    response = client.post(reverse("projects:offering_submit", args=[draft.pk]), follow=True)

    assertContains(response, "The closing time has already passed; edit the dates first.")
    assert offering_snapshot(draft) == before
    assert not draft.transitions.exists()


def update_form(**overrides):
    return {"title": "New share price", "body": "A large customer signed.", "material_change": "on"} | overrides


def test_issuer_posts_an_update_that_changes_the_price(client, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.LIVE)

    response = client.post(
        reverse("projects:offering_update_post", args=[offering.pk]),
        update_form(price_per_share="20.00"),
        follow=True,
    )

    update = OfferingUpdate.objects.get(offering=offering)
    assert update.material_change
    change = TermChange.objects.get(update=update)
    assert (change.term, change.old_value, change.new_value) == ("price_per_share", "10.00", "20.00")
    assertContains(response, "The update is published.")
    assertContains(response, "New share price")


def test_a_price_that_is_not_money_is_refused_and_nothing_is_posted(client, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.LIVE)
    before = offering_snapshot(offering)

    response = client.post(
        reverse("projects:offering_update_post", args=[offering.pk]), update_form(price_per_share="-7.00")
    )

    assert response.status_code == 200
    assert "price_per_share" in response.context["form"].errors
    assert not OfferingUpdate.objects.exists() and not TermChange.objects.exists()
    assert offering_snapshot(offering) == before


def test_an_update_to_a_draft_is_refused(client, company):
    draft = OfferingFactory(issuer=company, status=OfferingStatus.DRAFT)
    before = offering_snapshot(draft)

    response = client.post(reverse("projects:offering_update_post", args=[draft.pk]), update_form())

    assertContains(response, "Updates can be posted once the offering is submitted.")
    assert not OfferingUpdate.objects.exists() and not TermChange.objects.exists()
    assert offering_snapshot(draft) == before


def test_issuer_cancels_an_offering(client, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.IN_REVIEW)

    response = client.post(
        reverse("projects:offering_cancel", args=[offering.pk]), {"reason": "Found a bank loan."}, follow=True
    )

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED
    assertContains(response, "The offering is cancelled.")


def test_cancelling_an_offering_that_has_subscriptions_is_refused(client, company):
    offering = OfferingFactory(issuer=company, status=OfferingStatus.LIVE, reserved_amount=Decimal("5000.00"))
    before = offering_snapshot(offering)

    response = client.post(reverse("projects:offering_cancel", args=[offering.pk]), {"reason": "Changed our mind."})

    assertContains(response, "This offering has subscriptions; staff must close or refund it instead.")
    assert offering_snapshot(offering) == before
    assert not offering.transitions.exists()
