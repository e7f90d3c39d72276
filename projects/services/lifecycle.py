"""An offering's life after review: opening, closing at or before its deadline, finishing, cancelling."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import InvalidTransition, field_error
from kernel.permissions import CANCEL_OFFERING, CLOSE_OFFERING, ensure_permission
from projects import regime_checks
from projects.models import TRANSITION_WORDS, Offering, OfferingStatus
from projects.regimes import regime_for
from projects.services.issuers import ensure_manages_issuer
from projects.services.transitions import _locked, _transition, _transition_due
from projects.services.updates import _update_post


def offering_cancel(*, offering: Offering, by, reason: str) -> Offering:
    ensure_manages_issuer(by, offering.issuer)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.reserved_amount > 0:
            raise InvalidTransition(_("This offering has subscriptions; staff must close or refund it instead."))
        return _transition(offering, "cancel", by=by, reason=reason)


def offering_cancel_by_staff(*, offering: Offering, by, reason: str) -> Offering:
    """Staff end an offering whatever money it holds; the caller (investors.subscriptions.settlement) refunds it in the same
    transaction. A reason is required: investors are told it."""
    ensure_permission(by, CANCEL_OFFERING)
    if not (reason or "").strip():
        raise field_error("reason", _("Give the investors a reason."))
    with transaction.atomic():
        return _transition(_locked(offering), "cancel", by=by, reason=reason.strip())


def offerings_open_due(*, now: dt.datetime | None = None) -> list[int]:
    """Open every approved offering whose time has come."""
    return _transition_due(
        Offering.objects.filter(opens_at__lte=now or timezone.now()),
        status=OfferingStatus.APPROVED,
        name="go_live",
    )


def offering_close_early(*, offering: Offering, by, closes_at: dt.datetime | None = None) -> Offering:
    """Staff end a live offering before its deadline, under every regime with notice to its investors.

    The regime's conditions are checked and the deadline is brought forward to `closes_at` or the earliest the
    notice period allows, whichever is later, by an update (so the change is kept as a term change, and investors are
    emailed it like every update). The offering stays live, and investors may cancel, until the cancel window before
    the new deadline; the deadline job then moves it to `closing` and settlement follows."""
    ensure_permission(by, CLOSE_OFFERING)
    regime = regime_for(offering.regime)
    with transaction.atomic():
        offering = _locked(offering)
        if offering.status != OfferingStatus.LIVE:
            return _transition(offering, "start_closing", by=by)  # refuses with invalid_transition
        now = timezone.now()
        deadline = max(closes_at or now, regime_checks.earliest_early_deadline(regime=regime, now=now))
        if deadline >= offering.closes_at:
            problems = [
                _("The offering already closes at %(deadline)s, no later than an early close could.")
                % {"deadline": timezone.localtime(offering.closes_at).isoformat()}
            ]
        else:
            problems = regime_checks.early_close_problems(
                offering=offering, regime=regime, new_deadline=deadline, now=now
            )
        if problems:
            raise regime_checks.early_close_refused(
                offering=offering, regime=regime, problems=problems, new_deadline=deadline
            )
        _update_post(
            offering=offering,
            by=by,
            title=_("The offering closes early"),
            body=_(
                "The target is met. The offering now closes at %(deadline)s instead of %(previous)s. You may cancel "
                "your subscription until %(hours)s hours before the new deadline."
            )
            % {
                "deadline": timezone.localtime(deadline).isoformat(),
                "previous": timezone.localtime(offering.closes_at).isoformat(),
                "hours": regime.cancel_window_hours,
            },
            changes={"closes_at": deadline},
            now=now,
            closing_early=True,
        )
        offering.refresh_from_db()
        return offering


def offerings_close_due(*, now: dt.datetime | None = None) -> list[int]:
    """Move every live offering whose deadline has passed to `closing`."""
    return _transition_due(
        Offering.objects.filter(closes_at__lte=now or timezone.now()),
        status=OfferingStatus.LIVE,
        name="start_closing",
        event="offering_closing",
    )


def offering_finish_closing(*, offering: Offering, succeeded: bool, exception: str = "") -> Offering:
    """Called by settlement once every subscription is settled (closed) or refunded (failed); `exception` names
    what staff must still settle by hand (refunds that failed)."""
    with transaction.atomic():
        offering = _locked(offering)
        name = "close" if succeeded else "fail"
        reason = f"{TRANSITION_WORDS[name].reason} {exception}".strip()
        return _transition(offering, name, by=None, reason=reason)
