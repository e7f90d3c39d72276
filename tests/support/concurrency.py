"""Orders placed at the same moment, each on its own database connection (PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from investors.models import Subscription
from investors.subscriptions import services as subscriptions
from kernel.errors import DomainError


def race(orders, amount: str) -> list:
    """Each (investor, offering) order is placed at the same moment, each on its own connection; returns answers or
    refusals in the same order."""
    start = threading.Barrier(len(orders))

    def attempt(numbered_order):
        index, (investor, offering) = numbered_order
        try:
            start.wait()
            return subscriptions.subscription_create(
                investor=investor,
                offering=offering,
                amount=amount,
                payment_method="pm_card_visa",
                idempotency_key=f"race-{index}",
            ).subscription
        except DomainError as refusal:
            return refusal
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        return list(pool.map(attempt, enumerate(orders)))


def outcomes(answers) -> tuple[list[Subscription], list[str]]:
    """The subscriptions a race took, and the codes of the refusals, in the order of the orders."""
    accepted = [answer for answer in answers if isinstance(answer, Subscription)]
    refused = [answer.code for answer in answers if isinstance(answer, DomainError)]
    assert len(accepted) + len(refused) == len(answers), answers
    return accepted, refused
