"""What the risk review listens to. Each event that can change a conclusion sends a screening task, stamped with the
moment it happened (not the moment the outbox delivered it)."""

import datetime as dt

from kernel.events import listen
from risk import issuer_screening, payment_screening, tasks


@listen("statement_filed")
@listen("issuer_changed")
def issuer_event(*, issuer_id: int, occurred_at: dt.datetime) -> None:
    # Filings come in bursts (year ends, report deadlines): companies are screened in batches, coalesced per company.
    issuer_screening.issuer_screening_request(issuer_id=issuer_id, as_of=occurred_at)


@listen("offering_submitted")
@listen("offering_changed")
@listen("offering_update_posted")
@listen("offering_closing")
def offering_event(*, offering_id: int, occurred_at: dt.datetime) -> None:
    tasks.screen_offering.delay(offering_id, occurred_at.isoformat())


@listen("subscription_paid")
def subscription_paid(*, subscription_id: int, offering_id: int, occurred_at: dt.datetime) -> None:
    # Payments come in bursts during a sale: their screenings are coalesced, one queued or running per offering.
    payment_screening.payment_screening_request(offering_id=offering_id, as_of=occurred_at)


@listen("kyc_submitted")
@listen("kyc_checked")
def kyc_event(*, investor_id: int, occurred_at: dt.datetime) -> None:
    tasks.screen_investor.delay(investor_id, occurred_at.isoformat())
