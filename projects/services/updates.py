"""Updates an offering posts to its investors, and the terms they change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import events
from kernel.errors import FieldErrors, InvalidTransition
from projects import hooks, page_cache, regime_checks
from projects.models import (
    TAKES_UPDATES_STATUSES,
    TERMS_CHANGEABLE_STATUSES,
    Offering,
    OfferingStatus,
    OfferingUpdate,
    TermChange,
)
from projects.regimes import regime_for
from projects.services.issuers import ensure_manages_issuer
from projects.services.terms import MATERIAL_TERMS, TERM_FIELDS, UPDATABLE_TERMS, _clean_terms
from projects.services.transitions import _locked
from projects.validation import check_free_text, check_single_line


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def offering_update_post(
    *,
    offering: Offering,
    by,
    title: str,
    body: str,
    material_change: bool = False,
    changes: dict | None = None,
    requested_closes_at: dt.datetime | None = None,
) -> OfferingUpdate:
    """The issuer publishes an update to its investors (see `_update_post`)."""
    ensure_manages_issuer(by, offering.issuer)
    return _update_post(
        offering=offering,
        by=by,
        title=title,
        body=body,
        material_change=material_change,
        changes=changes,
        requested_closes_at=requested_closes_at,
    )


def _update_post(
    *,
    offering: Offering,
    by,
    title: str,
    body: str,
    material_change: bool = False,
    changes: dict | None = None,
    requested_closes_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    closing_early: bool = False,
) -> OfferingUpdate:
    """Publish an update to investors; `changes` alters terms of a running offering and is kept term by term.
    `now` is the moment of the notice, for a caller that computed a deadline from it. Posted by the issuer, or by
    staff closing early (the platform's notice, not the issuer's).

    An earlier `closes_at` is an early close, which staff decide: only `offering_close_early` passes
    `closing_early`, after its own checks. The issuer asks for one with `requested_closes_at`, which is recorded
    with the update for staff and changes nothing."""
    changes = changes or {}
    errors = FieldErrors()
    if not (title or "").strip():
        errors.add("title", _("This field is required."))
    if not (body or "").strip():
        errors.add("body", _("This field is required."))
    check_single_line(title, "title", errors, max_length=OfferingUpdate._meta.get_field("title").max_length)
    check_free_text(body, "body", errors)
    if not isinstance(changes, dict):
        errors.add("changes", _("Give changed terms as an object of term and new value."))
        changes = {}
    for term in sorted(set(changes) - set(UPDATABLE_TERMS)):
        errors.add(f"changes.{term}", _("This term cannot be changed by an update."))
    errors.raise_if_any()

    with transaction.atomic():
        offering = _locked(offering)
        if offering.status not in TAKES_UPDATES_STATUSES:
            raise InvalidTransition(_("Updates can be posted once the offering is submitted."))
        if changes and offering.status not in TERMS_CHANGEABLE_STATUSES:
            raise InvalidTransition(_("Terms can be changed only while the offering is approved or open."))
        now = now or timezone.now()
        current = {field: getattr(offering, field) for field in TERM_FIELDS}
        if "closes_at" in changes and isinstance(changes["closes_at"], str):
            changes["closes_at"] = _parse_datetime(changes["closes_at"], errors)
        # News without changed terms needs no check of the terms: it can follow an offering long after it closed.
        new_terms = _clean_terms(current | changes, errors) if changes else current
        regime = regime_for(offering.regime)
        if changes:
            regime_checks.check_open_window(terms=new_terms, regime=regime, errors=errors, field="changes.closes_at")
        if new_terms["closes_at"] is not None and "closes_at" in changes:
            if new_terms["closes_at"] < offering.closes_at and not closing_early:
                errors.add(
                    "changes.closes_at",
                    _(
                        "An earlier deadline closes the offering early, which only staff decide, with notice to "
                        "investors. Ask them instead: give the closing time you would like as an early-close request."
                    ),
                )
            for problem in regime_checks.early_close_problems(
                offering=offering, regime=regime, new_deadline=new_terms["closes_at"], now=now
            ):
                errors.add("changes.closes_at", problem)
        if requested_closes_at is not None and not (
            offering.status == OfferingStatus.LIVE and now < requested_closes_at < offering.closes_at
        ):
            errors.add(
                "requested_closes_at",
                _("An early close can be asked for a live offering, for a time between now and its deadline."),
            )
        errors.raise_if_any()
        changed = {term: new_terms[term] for term in changes if new_terms[term] != current[term]}
        # Whatever the issuer ticked, changing what investors buy, at what price or for what, is material once
        # their money is in escrow.
        material = bool(material_change) or (bool(set(changed) & set(MATERIAL_TERMS)) and offering.raised_amount > 0)
        update = OfferingUpdate.objects.create(
            offering=offering,
            title=title.strip(),
            body=body.strip(),
            material_change=material,
            changes={term: _json_value(new_terms[term]) for term in changes},
            requested_closes_at=requested_closes_at,
            posted_at=now,
            posted_by=by,
        )
        for term in changed:
            TermChange.objects.create(
                offering=offering,
                update=update,
                term=term,
                old_value=_json_value(current[term]),
                new_value=_json_value(new_terms[term]),
                changed_at=now,
            )
            setattr(offering, term, new_terms[term])
        offering.save()
        page_cache.offering_pages_changed(offering_id=offering.pk)
        # In this transaction: a material update and the reconfirmation it asks of investors commit together.
        hooks.update_posted(update=update, changed_terms=changed)
        events.announce("offering_update_posted", offering_id=offering.pk)
    return update


def _parse_datetime(value: str, errors: FieldErrors) -> dt.datetime | None:
    parsed = None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    if parsed is None or timezone.is_naive(parsed):
        errors.add("changes.closes_at", _("Enter a date and time with its time zone."))
        return None
    return parsed
