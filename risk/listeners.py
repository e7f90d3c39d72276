"""What the risk review listens to. Each event that can change a conclusion sends a screening task, stamped with the
moment it happened."""

from django.utils import timezone

from crowdfund.events import listen
from risk import tasks


def _now() -> str:
    return timezone.now().isoformat()


@listen("statement_filed")
def statement_filed(*, issuer_id: int) -> None:
    tasks.screen_issuer.delay(issuer_id, _now())


@listen("offering_submitted")
@listen("offering_changed")
@listen("offering_update_posted")
@listen("offering_closing")
def offering_event(*, offering_id: int) -> None:
    tasks.screen_offering.delay(offering_id, _now())


@listen("subscription_paid")
def subscription_paid(*, subscription_id: int, offering_id: int) -> None:
    tasks.screen_offering.delay(offering_id, _now())


@listen("kyc_submitted")
@listen("kyc_checked")
def kyc_event(*, investor_id: int) -> None:
    tasks.screen_investor.delay(investor_id, _now())
