"""What a rule returns: a finding about one subject, with evidence a person can check.

Evidence is plain JSON: `summary` (one sentence), `comparisons` (figures side by side: what was expected or allowed
against what is, with the threshold) and `records` (the rows involved). It must depend only on the facts, never on
when the screening ran, so that the same facts screened twice give the same finding."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from risk.models import SubjectType

SCORE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Subject:
    type: str
    id: int

    @classmethod
    def issuer(cls, issuer) -> Subject:
        return cls(SubjectType.ISSUER, issuer.pk)

    @classmethod
    def offering(cls, offering) -> Subject:
        return cls(SubjectType.OFFERING, offering.pk)

    @classmethod
    def investor(cls, user) -> Subject:
        return cls(SubjectType.INVESTOR, user.pk)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    score: Decimal
    subject: Subject
    evidence: dict

    @property
    def fingerprint(self) -> str:
        facts = json.dumps({"rule": self.rule, "evidence": self.evidence}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(facts.encode()).hexdigest()


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def score(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def comparison(label: str, expected, actual, threshold: str = "", **extra) -> dict:
    return {"figure": label, "expected": money(expected), "actual": money(actual), "threshold": threshold, **extra}


def statement_record(statement) -> dict:
    return {
        "type": "financial_statement",
        "id": statement.pk,
        "label": f"{statement.fiscal_year} {statement.period} {statement.kind} v{statement.version}",
    }


def offering_record(offering) -> dict:
    return {"type": "offering", "id": offering.pk, "label": offering.title}
