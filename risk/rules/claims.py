"""misleading_claims: wording that promises returns or safety. Equity can lose everything, and the rules of every
regime forbid promising otherwise. A negated disclosure ("不保本", "returns are not guaranteed") is the opposite of a
claim and must not be flagged."""

from __future__ import annotations

import re

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, offering_record, score
from risk.selectors import IssuerFacts

CODE = "misleading_claims"

CLAIMS = re.compile(
    r"保本保息|保本|保息|保收益|保底收益|保底|稳赚不赔|稳赚|包赚|只赚不赔|零风险|无风险|没有(?:任何)?风险|无任何风险|毫无风险|"
    r"刚性兑付|刚兑|本金安全|本金无忧|本金(?:有|受)?保障|保证(?:年化)?(?:收益|回报|盈利|赚钱)|承诺(?:年化)?(?:收益|回报)|固定(?:收益|回报)|"
    r"(?:收益|回报)(?:率)?(?:不低于|不少于|至少|高达|稳定在)\s*\d+(?:\.\d+)?%?|"
    r"\bguaranteed?\s+(?:returns?|profits?|income|yields?|dividends?)\b|\b(?:returns?|profits?)\s+(?:are\s+|is\s+)?guaranteed\b|"
    r"\b(?:capital|principal)\s+(?:is\s+)?(?:guaranteed|protected|safe)\b|\brisk[-\s]free\b|\bno\s+risk\b|\bzero\s+risk\b|"
    r"\bcan(?:no|')t\s+lose\b|\bsure[-\s](?:profit|thing|win)\b",
    re.IGNORECASE,
)
# A claim is negated when what stands right before it (past other claims of the same list) is a negation, maybe
# with a verb of promising in between: 不保本, 不承诺保本, 不存在保本保收益, "not risk-free", "no guaranteed return".
SEPARATORS = re.compile(r"[\s、，,。;；/和与及或“”\"'()（）]+$")
NEGATION = re.compile(
    r"(?:不|非|未|无|并非|并不|绝非|没有|无法|不能|不会|不是|不可能|不得|禁止|严禁)"
    r"(?:承诺|保证|提供|存在|代表|意味着|构成|可|能|会|是|做到|宣传|作|作出)?"
    r"(?:任何|投资者的?|投资人的?|您的?|用户的?|客户的?)?$"
    r"|\b(?:not|no|never|neither|nor|without|isn't|aren't|cannot|can't)(?:\s+(?:a|any|be|been|offer|promise|promised|provide))?$",
    re.IGNORECASE,
)
WINDOW = 12


def _is_negated(text: str, start: int) -> bool:
    before = text[:start]
    while True:
        before = SEPARATORS.sub("", before)
        earlier_claim = next((m for m in CLAIMS.finditer(before[-WINDOW:]) if m.end() == len(before[-WINDOW:])), None)
        if earlier_claim is None:
            break
        before = before[: len(before) - (earlier_claim.end() - earlier_claim.start())]
    return bool(NEGATION.search(before[-WINDOW:].rstrip()))


def claims_in(text: str) -> list[str]:
    """The promising phrases of a text that are not negated."""
    return [match.group(0) for match in CLAIMS.finditer(text or "") if not _is_negated(text, match.start())]


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
