"""Accounts for tests: investors, issuers and staff, each with a known password."""

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Role, User
from kernel.permissions import KYC_OFFICER, OFFERING_REVIEWER, RISK_ANALYST, SUPPORT, role_group

PASSWORD = "Quiet-river-2719"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = Password(PASSWORD)
    role = Role.INVESTOR


class InvestorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"investor{n}")
    role = Role.INVESTOR


class IssuerUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"issuer{n}")
    role = Role.ISSUER


class StaffFactory(UserFactory):
    """A Django staff user with no staff role: it may open the admin, and decide nothing."""

    username = factory.Sequence(lambda n: f"staff{n}")
    role = ""
    is_staff = True


class SuperuserFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_superuser = True


def _holding_role(name: str):
    @factory.post_generation
    def staff_role(user, create, extracted, **kwargs):
        if create:
            user.groups.add(role_group(name))

    return staff_role


class OfferingReviewerFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"reviewer{n}")
    staff_role = _holding_role(OFFERING_REVIEWER)


class KycOfficerFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"kyc_officer{n}")
    staff_role = _holding_role(KYC_OFFICER)


class RiskAnalystFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"analyst{n}")
    staff_role = _holding_role(RISK_ANALYST)


class SupportFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"support{n}")
    staff_role = _holding_role(SUPPORT)
