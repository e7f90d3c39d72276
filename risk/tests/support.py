"""Situations the risk tests start from, and the public scenarios."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from projects.models import AnnouncedCommitment
from risk.replay import scenario_files
from tests.support.money import live_offering


def unfunded_commitment(offering, amount="50000.00"):
    return AnnouncedCommitment.objects.create(offering=offering, by="platform", amount=Decimal(amount))


def near_deadline_offering():
    """A live offering two days from its deadline with a platform commitment nobody paid: critical."""
    offering = live_offering(closes_at=timezone.now() + dt.timedelta(days=2))
    unfunded_commitment(offering)
    return offering


SCENARIOS = scenario_files([Path(__file__).resolve().parents[1] / "scenarios"])
