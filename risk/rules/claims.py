"""misleading_claims: wording that promises returns or safety. Equity can lose everything, and the rules of every
regime forbid promising otherwise. A negated disclosure ("不保本", "returns are not guaranteed") is the opposite of a
claim and must not be flagged.

Text is read the way a person reads it (policy version 2): full-width forms made half-width, traditional Chinese made
simplified (OpenCC), case folded, and spaces, zero-width characters and punctuation between the characters of a phrase
ignored, so that "保 本", "穩賺不賠" and "Ｒｉｓｋ－ｆｒｅｅ" read as the claims they are. Marks that end a clause or
sentence (。,;:!?、 and line breaks) are kept: a phrase does not run across them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score
from risk.selectors import IssuerFacts

CODE = "misleading_claims"

# Matched against the compact text (no spaces): English phrases are spelt without them, and must begin and end at
# word boundaries of the original (checked apart, see `_at_word_boundaries`).
CLAIMS = re.compile(
    r"保本保息|(?<!确)保本|保息|保收益|保底收益|保底|稳赚不赔|稳赚|包赚|只赚不赔|零风险|无风险(?!利率|收益率)|没有(?:任何)?风险|无任何风险|"
    r"毫无风险|刚性兑付|刚兑|(?:本金|资金)安全(?:有保障)?|本金无忧|本金(?:有|受)?保障|保障本金|"
    r"(?:100%|百分之?百)安全|保证(?:年化)?(?:收益|回报|盈利|赚钱)|承诺(?:年化)?(?:收益|回报)|固定(?:收益|回报)|"
    r"(?:收益|回报)(?:率)?(?:不低于|不少于|至少|高达|稳定在)\d+(?:\.\d+)?%?|"
    r"guaranteed?(?:\d+(?:\.\d+)?%)?(?:annual)?(?:returns?|profits?|income|yields?|dividends?)|(?:returns?|profits?)(?:are|is)?guaranteed|"
    r"(?:capital|principal)(?:is)?(?:guaranteed|protected|safe)|riskfree(?!rate)|riskless|norisks?(?!free)|zerorisk|"
    r"can(?:no|')tlose|sure(?:profit|thing|win)"
)
# A claim is negated when what stands right before it (past other claims of the same list) is a negation, maybe
# with a verb of promising in between: 不保本, 不承诺保本, 不存在保本保收益, "not risk-free", "no guaranteed return".
SEPARATORS = re.compile(r"[、,/和与及或“”\"'()]+$")
NEGATION_ZH = re.compile(
    r"(?:不|非|未|无|并非|并不|绝非|没有|无法|不能|不会|不是|不可能|不得|禁止|严禁)"
    r"(?:承诺|保证|提供|存在|代表|意味着|等于|构成|设|含|属于|可|能|会|是|做到|宣传|作|作出)?"
    r"(?:任何(?:形式的)?|投资者的?|投资人的?|您的?|用户的?|客户的?)?$"
)
# English: a negation up to three words before the claim, within its clause ("no investment is risk-free").
NEGATION_EN = re.compile(
    r"(?<![a-z'])(?:not|no|never|neither|nor|without|isn't|aren't|cannot|can't|don't|doesn't|won't)"
    r"(?: [a-z']+){0,3} ?$"
)
WINDOW = 12
# Kept as they are: they end a clause, so no phrase runs across them.
CLAUSE_ENDS = frozenset("\n。,;:!?、")
# Kept although they are punctuation: part of a phrase ("100%") or of a word ("can't").
PHRASE_MARKS = frozenset("%'")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


@dataclass(frozen=True)
class ReadText:
    """A text as the rule reads it: `compact` without the gaps, and for each of its characters whether a gap (a
    space, punctuation mark or zero-width character) stood before it."""

    compact: str
    gap_before: tuple[bool, ...]

    def spaced(self, end: int) -> str:
        """The compact text up to `end`, with one space for each gap."""
        return "".join((" " if self.gap_before[i] else "") + self.compact[i] for i in range(end))

    def phrase(self, start: int, end: int) -> str:
        """A matched phrase as quoted in evidence: words kept apart, Chinese characters together."""
        return "".join(
            (" " if i > start and self.gap_before[i] and _is_letter(self.compact[i - 1]) else "") + self.compact[i]
            for i in range(start, end)
        )


def read(text: str) -> ReadText:
    text = _TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text)).casefold().translate(APOSTROPHES)
    compact, gap_before, gap = [], [], False
    for char in text:
        category = unicodedata.category(char)
        is_gap = (
            char not in CLAUSE_ENDS
            and char not in PHRASE_MARKS
            and (char.isspace() or category == "Cf" or category[0] == "P" or (category[0] == "S" and category != "Sc"))
        )
        if is_gap:
            gap = True
            continue
        compact.append(char)
        gap_before.append(gap)
        gap = False
    return ReadText("".join(compact), tuple(gap_before))


def _is_letter(char: str) -> bool:
    return "a" <= char <= "z"


def _at_word_boundaries(read_text: ReadText, start: int, end: int) -> bool:
    """An English phrase stands on its own: "no risk" is not the end of "casino risk"."""
    text = read_text.compact
    starts_word = (
        not _is_letter(text[start]) or start == 0 or read_text.gap_before[start] or not _is_letter(text[start - 1])
    )
    ends_word = (
        not _is_letter(text[end - 1]) or end == len(text) or read_text.gap_before[end] or not _is_letter(text[end])
    )
    return starts_word and ends_word


def _is_negated(read_text: ReadText, start: int) -> bool:
    before = read_text.compact[:start]
    while True:
        before = SEPARATORS.sub("", before)
        window = before[-WINDOW:]
        earlier_claim = next((m for m in CLAIMS.finditer(window) if m.end() == len(window)), None)
        if earlier_claim is None:
            break
        before = before[: len(before) - (earlier_claim.end() - earlier_claim.start())]
    if NEGATION_ZH.search(before[-WINDOW:]):
        return True
    return bool(NEGATION_EN.search(read_text.spaced(len(before))[-60:]))


def claims_in(text: str) -> list[str]:
    """The promising phrases of a text (as read: simplified, half-width, folded, gaps dropped) that are not
    negated."""
    read_text = read(text or "")
    return [
        read_text.phrase(match.start(), match.end())
        for match in CLAIMS.finditer(read_text.compact)
        if _at_word_boundaries(read_text, match.start(), match.end()) and not _is_negated(read_text, match.start())
    ]


def _texts(raise_):
    offering = raise_.offering
    yield "title", offering.title
    yield "summary", offering.summary
    yield "risk_factors", offering.risk_factors
    for index, use in enumerate(offering.use_of_funds or []):
        yield f"use_of_funds.{index}", str(use.get("category", ""))
    for update in raise_.updates:
        yield f"update {update.pk} title", update.title
        yield f"update {update.pk} body", update.body


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    for raise_ in facts.offerings:
        quotes = [
            {"field": field, "phrase": phrase, "text": text[:300]}
            for field, text in _texts(raise_)
            for phrase in claims_in(text)
        ]
        if not quotes:
            continue
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.HIGH,
                score=score(len(quotes)),
                subject=Subject.offering(raise_.offering),
                evidence={
                    "summary": "The offering promises returns or safety: "
                    + "、".join(dict.fromkeys(q["phrase"] for q in quotes)),
                    "comparisons": [],
                    "quotes": quotes,
                    "records": [offering_record(raise_.offering)],
                },
            )
        )
    return findings
