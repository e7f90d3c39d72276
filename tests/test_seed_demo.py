"""The demo data of `make run`: loaded through the services, so the risk review has already screened it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from investors.models import Holding
from projects.models import Offering, OfferingDocument, OfferingQuestion, OfferingStatus
from risk.models import Case, Signal


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_a_risk_queue_and_loads_only_once(fake_stripe):
    call_command("seed_demo", stdout=StringIO())

    assert set(Signal.objects.values_list("rule", flat=True)) == {
        "platform_conflict",
        "forecast_inconsistent",
        "misleading_claims",
        "identity_duplicate",
    }
    held = Offering.objects.get(approval_hold=True)
    assert held.status == OfferingStatus.IN_REVIEW and "保本" in held.summary
    cases = Case.objects.count()
    # Progress bars are not empty: one offering partly funded, one sold out, one closed with holdings.
    live = Offering.objects.filter(status=OfferingStatus.LIVE)
    assert any(0 < offering.raised_amount < offering.target_amount for offering in live)
    assert any(offering.remaining_amount == 0 for offering in live)
    closed = Offering.objects.get(status=OfferingStatus.CLOSED)
    assert Holding.objects.filter(offering=closed).count() == 2
    assert closed.issuer.statements.filter(kind="actual").exists()
    assert OfferingQuestion.objects.exclude(answered_at=None).exists()
    # The live offering's data room holds real PDFs (checked by content on upload).
    assert set(OfferingDocument.objects.values_list("kind", "pages")) == {("business_plan", 1), ("audit_report", 1)}

    call_command("seed_demo", stdout=StringIO())

    assert Case.objects.count() == cases and Offering.objects.count() == 9


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_one_staff_member_per_role(fake_stripe):
    from accounts.models import User
    from kernel.permissions import ROLE_PERMISSIONS

    call_command("seed_demo", stdout=StringIO())

    members = {name: list(User.objects.filter(groups__name=name, is_staff=True)) for name in ROLE_PERMISSIONS}
    assert all(len(users) == 1 and not users[0].is_superuser for users in members.values()), members
    assert User.objects.filter(is_superuser=True).count() == 1
