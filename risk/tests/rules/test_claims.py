"""The `misleading_claims` rule (risk/rules/claims.py) at, just under and just over its thresholds."""

from __future__ import annotations

import pytest

from risk.rules import claims
from risk.selectors import IssuerFacts
from risk.tests.rules.facts import company, make_offering, make_update, only, raise_of, run

# (id, text): ids in ASCII so that the test names read in any terminal.
CLAIMS = [
    ("baoben", "本项目保本，年底分红。"),
    ("baoshouyi", "投资即保收益。"),
    ("wenzhuan", "稳赚"),
    ("lingfengxian", "零风险投资"),
    ("wenzhuanbupei", "稳赚不赔的好机会"),
    ("benjinanquan", "本金安全，随时退出"),
    ("guaranteed-returns", "We offer guaranteed returns to every investor."),
    ("risk-free", "A risk-free way to own a tea chain."),
    ("nianhua-budiyu-15pct", "年化回报不低于15%"),
]
NOT_CLAIMS = [
    ("bu-baoben", "不保本"),
    ("bu-baozheng-shouyi", "不保证收益"),
    ("bu-chengnuo-baoben", "本平台不承诺保本。"),
    ("bu-cunzai-baoben-baoshouyi", "不存在保本保收益的安排"),
    ("bingfei-wufengxian", "股权投资并非无风险。"),
    ("returns-not-guaranteed", "Returns are not guaranteed."),
    ("not-risk-free", "This investment is not risk-free."),
    ("no-guaranteed-return", "There is no guaranteed return."),
    ("benjin-quanbu-sunshi", "股权投资存在本金全部损失的风险"),
    ("bu-baoben-bu-baoshouyi", "过往业绩不代表未来收益，投资有风险，不保本、不保收益。"),
]
# Wordings beyond the policy's own examples, as an issuer might write them.
MORE_CLAIMS = [
    ("chengnuo-nianhua-shouyi", "承诺年化收益12%"),
    ("bujin-baoben-hai-baoshouyi", "不仅保本，还保收益"),
    ("guaranteed-returns-12pct", "Guaranteed returns of 12% a year"),
    ("meiyou-renhe-fengxian", "这是一个没有任何风险的项目"),
    ("benjin-you-baozhang", "本金有保障，收益看得见"),
]
# Policy version 2: the same promises dressed up (traditional characters, full-width forms, spacing, zero-width and
# punctuation between characters, capitals) and the rest of the published vocabulary.
DRESSED_CLAIMS = [
    ("spaced-traditional", "本項目 保 本 保 息，穩賺不賠。"),
    ("zero-width", "保\u200b本"),
    ("dashes-between", "零-风-险投资"),
    ("middle-dots", "本·金·无·忧"),
    ("full-width-percent", "１００％安全"),
    ("traditional-gangxing-duifu", "剛性兌付"),
    ("zhi-zhuan-bu-pei", "只 赚 不 赔"),
    ("baoxi", "保息"),
    ("bao-zhuan", "包赚"),
    ("benjin-anquan-you-baozhang", "本金安全有保障"),
    ("full-width-english", "Ｇｕａｒａｎｔｅｅｄ　Ｒｅｔｕｒｎｓ"),
    ("capitals", "RISK-FREE"),
    ("spaced-letters", "r i s k - f r e e"),
    ("no-risk", "With us there is no risk."),
    ("capital-protected", "Your capital is protected."),
    ("cannot-lose", "You cannot lose."),
    ("cant-lose-curly", "You can’t lose."),
    ("guaranteed-8pct-returns", "Guaranteed 8% returns."),
    ("baifenbai-anquan", "资金百分百安全"),
    ("riskless", "A riskless investment."),
]
DRESSED_DISCLOSURES = [
    ("traditional-shouyi-bu-baozheng", "本項目收益不保證，投資者可能損失全部本金。"),
    ("traditional-bu-baoben", "本產品不保本。"),
    ("spaced-bu-baoben", "不 保 本"),
    ("spaced-shouyi-bu-baozheng", "收 益 不 保 证"),
    ("full-width-bu-baozheng-shouyi", "不保证收益"),
    ("spaced-bu-chengnuo-baoben", "不 承 诺 保 本"),
    ("traditional-fei-baoben", "本產品非保本型"),
    ("no-guarantee", "There is no guarantee of any return."),
    ("not-guaranteed-capitals", "RETURNS ARE NOT GUARANTEED"),
    ("no-investment-is-risk-free", "No investment is risk-free."),
    ("no-risk-free-investment", "There is no risk-free investment."),
    ("casino-risk", "Casino risk is not our business."),
    ("queren-baoben-ci", "确保本次融资顺利完成。"),
    ("across-a-full-stop", "对外担保：无。风险因素：市场竞争。"),
    ("wufengxian-lilv", "估值的折现率采用無風險利率加风险溢价。"),
    ("risk-free-rate", "Discounted at the risk-free rate plus a premium."),
    ("bu-chengnuo-renhe-xingshi-de-baoben", "本平台不承诺任何形式的保本。"),
    ("ji-bu-baoben-ye-bu-baoxi", "既不保本也不保息。"),
    ("no-promise-of", "We make no promise of guaranteed returns."),
    ("no-guarantee-capital-safe", "There is no guarantee that your capital is safe."),
]
MORE_DISCLOSURES = [
    ("bu-baozheng-benjin-anquan", "投资有风险，不保证本金安全和收益"),
    ("we-do-not-guarantee", "We do not guarantee returns."),
    ("neither-principal-nor-returns", "Neither principal nor returns are guaranteed."),
    ("buneng-baozheng-benjin-anquan", "平台不能保证投资者本金安全。"),
    ("bu-tigong-renhe-baoben-chengnuo", "投资者可能损失全部本金，本项目不提供任何保本承诺。"),
]


def texts(table):
    return [pytest.param(text, id=name) for name, text in table]


def claims_facts(*, summary="Seed round to build the product.", updates=()) -> IssuerFacts:
    offering = make_offering(summary=summary)
    return company(raise_of(offering, updates=[make_update(offering, title=t, body=b) for t, b in updates]))


@pytest.mark.parametrize("text", texts(CLAIMS + MORE_CLAIMS + DRESSED_CLAIMS))
def test_claims_promising_returns_or_safety_are_flagged(text):
    finding = only(run(claims, claims_facts(summary=text)))

    assert finding.severity == "high"
    assert finding.evidence["quotes"][0]["field"] == "summary"
    assert finding.evidence["quotes"][0]["text"] == text


@pytest.mark.parametrize("text", texts(NOT_CLAIMS + MORE_DISCLOSURES + DRESSED_DISCLOSURES))
def test_claims_negated_or_plain_risk_disclosures_are_not_flagged(text):
    assert run(claims, claims_facts(summary=text)) == []


def test_claims_in_an_update_body_are_flagged():
    facts = claims_facts(updates=[("Q2 news", "Sales are up. 本项目稳赚不赔。")])

    quote = only(only(run(claims, facts)).evidence["quotes"])

    assert quote["field"].endswith("body")
    assert quote["phrase"] == "稳赚不赔"


def test_claims_in_an_update_title_are_flagged():
    assert run(claims, claims_facts(updates=[("保本保收益", "Sales are up.")])) != []


def test_claims_quote_the_phrase_as_read_and_the_text_as_written():
    text = "本項目 保 本，Guaranteed  Returns"

    quotes = only(run(claims, claims_facts(summary=text))).evidence["quotes"]

    assert [q["phrase"] for q in quotes] == ["保本", "guaranteed returns"]
    assert {q["text"] for q in quotes} == {text}


def test_claims_update_with_a_plain_disclosure_is_not_flagged():
    assert run(claims, claims_facts(updates=[("Q2 news", "Returns are not guaranteed. 不保本。")])) == []
