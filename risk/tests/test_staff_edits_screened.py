"""Staff edits in the admin that change how tied a company is to the platform reach the risk review at once, through
the services that announce them, not at the next hourly sweep."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import SuperuserFactory
from projects.models import OfferingStatus, PortfolioCompany
from projects.tests.factories import IssuerFactory, OfferingFactory
from risk.models import Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = SuperuserFactory()
    client.force_login(user)
    return user


def live_offering_of(issuer):
    now = timezone.now()
    return OfferingFactory(
        issuer=issuer,
        status=OfferingStatus.LIVE,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
    )


def test_listing_a_company_in_the_portfolio_registry_flags_its_concealed_tie_and_holds_its_offering_at_once(
    client, superuser, django_capture_on_commit_callbacks
):
    issuer = IssuerFactory()
    offering = live_offering_of(issuer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/projects/portfoliocompany/add/",
            {"uscc": issuer.uscc, "legal_name": issuer.legal_name, "stake_pct": "30.00", "note": "Group fund."},
        )

    assert response.status_code == 302
    assert PortfolioCompany.objects.get().history.get().history_user == superuser
    signal = Signal.objects.get(rule="platform_conflict")
    assert (signal.severity, signal.subject_id) == ("critical", issuer.pk)
    offering.refresh_from_db()
    assert (offering.status, offering.risk_hold) == (OfferingStatus.SUSPENDED, True)


def test_editing_an_issuer_in_the_admin_screens_the_company_at_once(
    client, superuser, django_capture_on_commit_callbacks
):
    issuer = IssuerFactory()
    live_offering_of(issuer)
    form = {
        "legal_name": issuer.legal_name,
        "industry": issuer.industry,
        "founded_on": issuer.founded_on.isoformat(),
        "description": issuer.description,
        "website": "",
        "related_to_platform": "on",
        "platform_stake_pct": "60.00",
        "related_party_note": "The platform group holds most of it.",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/projects/issuer/{issuer.pk}/change/", form)

    assert response.status_code == 302
    issuer.refresh_from_db()
    assert issuer.platform_stake_pct == Decimal("60.00")
    assert issuer.history.first().history_user == superuser
    signal = Signal.objects.get(rule="platform_conflict")
    assert (signal.severity, signal.subject_id) == ("high", issuer.pk)


def test_removing_a_registry_entry_in_the_admin_screens_the_company_again(
    client, superuser, django_capture_on_commit_callbacks, monkeypatch
):
    issuer = IssuerFactory()
    entry = PortfolioCompany.objects.create(uscc=issuer.uscc)
    screened = []
    monkeypatch.setattr(
        "risk.issuer_screening.issuer_screening_request", lambda issuer_id, as_of: screened.append(issuer_id)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/projects/portfoliocompany/{entry.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not PortfolioCompany.objects.exists()
    assert screened == [issuer.pk]
