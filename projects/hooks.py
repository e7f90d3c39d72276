"""What `projects` asks other apps to do inside its own transactions.

`projects` knows no other app, yet some of its writes must change another app's rows atomically with its own: when
an issuer posts a material update, every paid subscription (an `investors` row) must wait for its investor's
reconfirmation, in the same transaction, or an investor could be settled on terms they never accepted.
`kernel/events.py` cannot do this: its listeners run after the commit. So `projects` exposes this hook, and
`investors` registers its handler when the app loads (`InvestorsConfig.ready`).

Handlers run with the offering row locked and may raise a `DomainError`, which refuses the whole update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from projects.models import OfferingUpdate

UpdateHandler = Callable[..., None]

_update_posted: list[UpdateHandler] = []


def on_update_posted(handler: UpdateHandler) -> UpdateHandler:
    """Register `handler(*, update, changed_terms)`, called inside `offering_update_post`'s transaction."""
    if handler not in _update_posted:
        _update_posted.append(handler)
    return handler


def update_posted(*, update: OfferingUpdate, changed_terms: dict) -> None:
    for handler in list(_update_posted):
        handler(update=update, changed_terms=changed_terms)
