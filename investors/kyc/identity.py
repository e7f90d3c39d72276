"""Identity-verification providers. The platform asks one whether a person is who they say they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from django.conf import settings
from django.utils.module_loading import import_string


class Verdict(str, Enum):
    VERIFIED = "verified"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"


@dataclass(frozen=True)
class IdentityCheck:
    verdict: Verdict
    reason: str = ""


class DemoIdentityProvider:
    """Stands in for a real provider: a submission that passed the platform's own checks is verified."""

    def check(self, *, real_name: str, id_number: str, date_of_birth: dt.date) -> IdentityCheck:
        return IdentityCheck(Verdict.VERIFIED, "demo provider: identity number and birth date consistent")


class ManualReviewIdentityProvider:
    """For a deployment without a provider contract: every submission waits for a KYC officer's decision."""

    def check(self, *, real_name: str, id_number: str, date_of_birth: dt.date) -> IdentityCheck:
        return IdentityCheck(Verdict.NEEDS_REVIEW, "no identity provider: a KYC officer checks the documents")


def identity_provider():
    return import_string(settings.IDENTITY_PROVIDER)()
