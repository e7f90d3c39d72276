"""Row locks for money and capacity, always taken in this order: investor, offering, subscription, refund.

One fixed order means two transactions can never wait on each other in a cycle. One exception keeps a flash crowd's
hot offering row free: a reservation's own payment, failure or expiry (investors/subscriptions/payments.py) locks the subscription
(after the investor) and then touches the offering with one conditional update, last. No cycle follows, because a
transaction holding an offering waits only for funded subscriptions (cancelling, reconfirming, settling; the cancel
service refuses a reservation before locking anything), never for one still `pending_payment`. The exception is a
material update of the offering, which locks every subscription holding capacity: PostgreSQL breaks that rare cycle
and the payment's task or sweep runs again. Every row lock in the project is
FOR NO KEY UPDATE (`select_for_update(no_key=True)`): it serialises writers as FOR UPDATE does, but does not block the
FOR KEY SHARE lock that PostgreSQL takes at commit to check a deferred foreign key. With FOR UPDATE, a transaction
that had written a row referring to another investor (an email to each investor of an offering) waited at COMMIT
for that investor's lock, while the investor's own subscription waited for the offering this transaction held."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from investors.models import Refund, Subscription
from projects.models import Offering


def lock_investor(investor_id: int):
    return get_user_model().objects.select_for_update(no_key=True).get(pk=investor_id)


def lock_offering(offering_id: int) -> Offering:
    # `of=("self",)`: the issuer row is read, not locked; the risk review locks issuers (then offerings).
    return Offering.objects.select_for_update(no_key=True, of=("self",)).select_related("issuer").get(pk=offering_id)


def lock_subscription(subscription_id: int) -> Subscription:
    # With its investor and offering read, not locked (`of=("self",)`): what follows (emails, the ledger) uses both.
    return (
        Subscription.objects.select_for_update(no_key=True, of=("self",))
        .select_related("investor", "offering")
        .get(pk=subscription_id)
    )


def lock_subscriptions(subscription_ids: list[int], *, status__in) -> list[Subscription]:
    """Those of `subscription_ids` in one of the statuses, locked in id order (two batches never wait in a cycle)."""
    return list(
        Subscription.objects.select_for_update(no_key=True)
        .filter(pk__in=subscription_ids, status__in=status__in)
        .order_by("pk")
    )


def lock_offering_and_subscription(subscription_id: int) -> tuple[Offering, Subscription]:
    """A subscription known by id, with its offering locked first, as the order above asks."""
    offering_id = Subscription.objects.values_list("offering_id", flat=True).get(pk=subscription_id)
    return lock_offering(offering_id), lock_subscription(subscription_id)


def lock_investor_offering_and_subscription(subscription_id: int) -> tuple[Offering, Subscription]:
    """As above, after the investor's lock, for work that gives capacity back (whether the investor still counts
    towards the offering's investors is decided under it)."""
    investor_id = Subscription.objects.values_list("investor_id", flat=True).get(pk=subscription_id)
    lock_investor(investor_id)
    return lock_offering_and_subscription(subscription_id)


def lock_refund(refund_id: int) -> Refund:
    return Refund.objects.select_for_update(no_key=True).select_related("subscription").get(pk=refund_id)


def lock_refunds(refund_ids: list[int]) -> list[Refund]:
    """Refunds locked in id order (two runs never wait in a cycle)."""
    return list(
        Refund.objects.select_for_update(no_key=True)
        .select_related("subscription")
        .filter(pk__in=refund_ids)
        .order_by("pk")
    )
