"""KYC profiles and suitability assessments for tests, stored as the services store them."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum.cn import ric

from accounts.tests.factories import InvestorFactory
from investors.kyc import identity_numbers
from investors.models import KycProfile, KycStatus, RiskAcknowledgement, SuitabilityAssessment
from projects.regimes import regime_for


def make_identity_number(born: dt.date, serial: int = 1, region: str = "110101") -> str:
    """A resident identity number with a correct check digit for someone born on `born` in Beijing Dongcheng."""
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _number(kyc) -> str:
    return make_identity_number(kyc.date_of_birth, serial=kyc.serial)


class KycProfileFactory(DjangoModelFactory):
    class Meta:
        model = KycProfile
        exclude = ["serial", "id_number"]

    user = factory.SubFactory(InvestorFactory)
    real_name = "Wang Fang"
    serial = factory.Sequence(lambda n: n)
    date_of_birth = dt.date(1980, 5, 17)
    id_number = factory.LazyAttribute(_number)
    id_number_encrypted = factory.LazyAttribute(lambda kyc: identity_numbers.encrypt(kyc.id_number))
    id_number_hash = factory.LazyAttribute(lambda kyc: identity_numbers.lookup_hash(kyc.id_number))
    id_number_masked = factory.LazyAttribute(lambda kyc: identity_numbers.mask(kyc.id_number))
    # Different people, different phones: a shared phone is a sign of one person behind several accounts.
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    annual_income = Decimal("200000.00")
    financial_assets = Decimal("800000.00")
    status = KycStatus.PENDING
    submitted_at = factory.LazyFunction(timezone.now)


class RiskAcknowledgementFactory(DjangoModelFactory):
    """A signature under the current risk statement of `regime` (default cn), as the service records it."""

    class Meta:
        model = RiskAcknowledgement

    investor = factory.SubFactory(InvestorFactory)
    regime = "cn"
    version = factory.LazyAttribute(lambda signature: regime_for(signature.regime).risk_statement.version)
    text = factory.LazyAttribute(lambda signature: str(regime_for(signature.regime).risk_statement.text))
    signed_at = factory.LazyFunction(timezone.now)


class SuitabilityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = SuitabilityAssessment

    user = factory.SubFactory(InvestorFactory)
    version = "2026.1"
    answers = factory.LazyFunction(dict)
    score = 25
    risk_level = "C4"
    taken_at = factory.LazyFunction(timezone.now)


IDENTITY_NUMBER = "440100196001081725"  # a valid resident identity number of someone born on 8 January 1960


def kyc_submission(**overrides) -> dict:
    """A valid KYC submission as the API and the web form both take it."""
    return {
        "real_name": "Li Hua",
        "id_number": IDENTITY_NUMBER,
        "date_of_birth": "1960-01-08",
        "phone": "13800138000",
        "annual_income": "200000.00",
        "financial_assets": "800000.00",
    } | overrides
