"""Every notification email is a template (`templates/<app>/emails/*.txt`) that renders a subject and a body in
both of the site's languages, with the issuer's own text (titles, notes) as typed, never HTML-escaped."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from emails.services import email_render

# A title with the characters HTML escaping would change: a text email must carry them as typed.
TITLE = 'Tea & "Co" <Ltd>'
MONEY = {"amount": Decimal("10000.00"), "currency": "CNY", "shares": 1000, "offering": TITLE}
REMINDER = {"issuer": TITLE, "year": 2025, "due": "2026-04-30"}
UPDATE = {"offering": TITLE, "title": "New price", "body": "The price is now 12.00."}

CASES = {
    "investors/emails/subscription_confirmed.txt": MONEY,
    "investors/emails/subscription_reconfirmed.txt": MONEY,
    "investors/emails/subscription_reconfirmation_lapsed.txt": MONEY,
    "investors/emails/subscription_cancelled.txt": MONEY,
    "investors/emails/offering_closed.txt": MONEY,
    "investors/emails/offering_failed.txt": MONEY,
    "investors/emails/offering_update.txt": UPDATE,
    "investors/emails/offering_update_reconfirm.txt": {
        **UPDATE,
        "changed": "price_per_share",
        "deadline": "2026-05-01 18:00 CST",
    },
    "investors/emails/offering_milestone.txt": {
        "offering": TITLE,
        "percent": 50,
        "raised": Decimal("500.00"),
        "target": Decimal("1000.00"),
        "currency": "CNY",
    },
    "projects/emails/report_reminder.txt": {**REMINDER, "half_year": False, "overdue": False},
    "risk/emails/material_finding.txt": {"offering": TITLE, "rules": "commitment_unfunded", "note": "Never paid."},
}
# An update without changed terms is the issuer's own words: only the subject's punctuation is the platform's.
ISSUER_WORDS_ONLY = "investors/emails/offering_update.txt"
# Branches of one template that must each read in both languages.
VARIANTS = [
    ("investors/emails/offering_milestone.txt", {**CASES["investors/emails/offering_milestone.txt"], "percent": 100}),
    ("projects/emails/report_reminder.txt", {**REMINDER, "half_year": False, "overdue": True}),
    ("projects/emails/report_reminder.txt", {**REMINDER, "half_year": True, "overdue": False}),
    ("projects/emails/report_reminder.txt", {**REMINDER, "half_year": True, "overdue": True}),
]


def rendered(template, context, language):
    with translation.override(language):
        return email_render(template, context)


def test_every_email_template_has_a_case_here():
    found = {
        path.relative_to(settings.BASE_DIR / "templates").as_posix()
        for path in Path(settings.BASE_DIR, "templates").glob("*/emails/*.txt")
    }

    assert found == set(CASES)


@pytest.mark.parametrize(("template", "context"), [*CASES.items(), *VARIANTS])
def test_email_renders_a_subject_and_a_body_in_english_and_in_chinese(template, context):
    english = rendered(template, context, "en")
    chinese = rendered(template, context, "zh-hans")

    for email in (english, chinese):
        assert email["subject"] and "\n" not in email["subject"]
        assert email["body"] and "{" not in email["body"] and "%(" not in email["body"]
    assert chinese["subject"] != english["subject"]
    if template != ISSUER_WORDS_ONLY:
        assert chinese["body"] != english["body"]
        assert any("\u4e00" <= character <= "\u9fff" for character in chinese["subject"] + chinese["body"])


def test_issuer_text_is_carried_as_typed_not_escaped():
    email = rendered("investors/emails/subscription_confirmed.txt", MONEY, "en")

    assert email == {
        "subject": "Your subscription is confirmed",
        "body": f"We received 10000.00 CNY for 1000 shares of {TITLE}. The money is held in escrow until the offering "
        "closes.",
    }


def test_a_material_change_keeps_its_paragraphs():
    context = CASES["investors/emails/offering_update_reconfirm.txt"]

    email = rendered("investors/emails/offering_update_reconfirm.txt", context, "zh-hans")

    assert email["body"].split("\n\n") == [
        f"{TITLE} 发布了重大变更：New price。",
        "The price is now 12.00.",
        "变更的条款：price_per_share。",
        "请在 2026-05-01 18:00 CST 之前在“我的认购”页面重新确认您的认购。逾期未确认的，该认购将被取消，全部款项予以退还。",
    ]


def test_a_material_change_listing_no_terms_says_so_in_the_reader_language():
    context = {**CASES["investors/emails/offering_update_reconfirm.txt"], "changed": ""}

    assert (
        "Changed terms: none listed."
        in rendered("investors/emails/offering_update_reconfirm.txt", context, "en")["body"]
    )
    assert (
        "变更的条款：未列明。" in rendered("investors/emails/offering_update_reconfirm.txt", context, "zh-hans")["body"]
    )
