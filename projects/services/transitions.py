"""Moving an offering along its lifecycle graph: one guarded step, recorded with who, when and why."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from kernel import events
from kernel.errors import InvalidTransition
from projects import page_cache
from projects.models import TRANSITION_WORDS, Offering, OfferingTransition


def _record_transition(offering: Offering, from_status: str, *, by, reason: str = "") -> None:
    offering.save()
    page_cache.offering_pages_changed(offering_id=offering.pk)
    OfferingTransition.objects.create(
        offering=offering, from_status=from_status, to_status=offering.status, by=by, at=timezone.now(), reason=reason
    )


def _locked(offering: Offering) -> Offering:
    # Only the offering's row is locked; its issuer is read along (the risk review locks an issuer, then offerings).
    return Offering.objects.select_for_update(no_key=True, of=("self",)).select_related("issuer").get(pk=offering.pk)


def _transition(offering: Offering, name: str, *, by, reason: str = "") -> Offering:
    """Apply one named transition of the lifecycle, or refuse it with `invalid_transition`. Without a `reason`, the
    history row gets the transition's own."""
    method = getattr(offering, name)
    if not can_proceed(method):
        raise InvalidTransition(
            _("An offering that is %(status)s cannot be %(action)s.")
            % {"status": offering.get_status_display(), "action": TRANSITION_WORDS[name].verb},
            details={"status": offering.status, "transition": name},
        )
    from_status = offering.status
    method()
    _record_transition(offering, from_status, by=by, reason=reason or str(TRANSITION_WORDS[name].reason))
    return offering


def _transition_due(due: QuerySet[Offering], *, status: str, name: str, event: str = "") -> list[int]:
    """Apply transition `name` to each offering of `due` still in `status`, each in its own transaction, skipping
    rows another run holds. Safe to run any number of times, concurrently too."""
    moved = []
    for offering_id in list(due.filter(status=status).values_list("pk", flat=True)):
        with transaction.atomic():
            offering = Offering.objects.select_for_update(no_key=True, skip_locked=True).filter(pk=offering_id).first()
            if offering is None or offering.status != status:
                continue
            _transition(offering, name, by=None)
            if event:
                events.announce(event, offering_id=offering_id)
            moved.append(offering_id)
    return moved
