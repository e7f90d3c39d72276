"""Accounts for tests: investors, issuers and staff, each with a known password."""

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Role, User

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
    """A Django staff user, as `createsuperuser` or the admin makes them: no role, no model permissions."""

    username = factory.Sequence(lambda n: f"staff{n}")
    role = ""
    is_staff = True


class SuperuserFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_superuser = True
