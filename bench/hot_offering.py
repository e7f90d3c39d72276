"""Launch day: one live offering, twice as much demand as capacity from ready investors, sent from C concurrent
clients through wrk (bench/subscribe.lua) to Michou served as in production, against the database's own ceiling for
the same unit of work measured in the same run (pgbench), and against that unit of work in a bare Django view served
the same way (bench/bare_view.py): the most any Django view can do here. A third yardstick, auth_noop_per_s, is an
authenticated API request that does nothing (a token checked, then 405): the floor under any request of Michou's API.

    .venv/bin/python bench/hot_offering.py [--clients 16,64] [--places 1000] [--investors 2000]

It waits for every payment, then checks: no oversell, every accepted subscription paid exactly once at the fake
Stripe server, refused requests left nothing, the ledger balanced. Then it empties the fake Stripe server and times
as many bare create-and-confirm calls as there were payments (so through the same store sizes). Last line, per C:

    hot_offering: clients=C accepted_per_s=X ceiling_per_s=Y ratio=X/Y p50_ms=… p99_ms=… paid_per_s=…
        stripe_bare_per_s=… oversell=0 double_charged=0 bare_view_per_s=… auth_noop_per_s=… of_bare_view=X/bare

accepted_per_s counts accepted subscriptions over the time from the first request to the last acceptance; p50/p99
are over every request (accepted and refused); paid_per_s is payments over the time from the first request to the
last payment recorded. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
import harness  # noqa: E402  (sets the environment up before Django loads)

REGIME = "us_reg_cf"  # no cap on investors per offering (cn's 200 would bind long before the places run out)
TICKET = Decimal("100.00")
BARE_THREADS = 16


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="16,64", help="comma-separated numbers of concurrent clients")
    parser.add_argument("--places", type=int, default=1000, help="tickets the offering has room for")
    parser.add_argument("--investors", type=int, help="ready investors, one request each (default 2 × places)")
    parser.add_argument("--ceiling-seconds", type=int, default=10, help="how long pgbench measures the ceiling")
    args = parser.parse_args()
    investors = args.investors or 2 * args.places
    all_clients = [int(number) for number in args.clients.split(",")]
    if investors < max(all_clients):
        parser.error("each client needs at least one investor's request")
    failed = False
    for clients in all_clients:
        failed |= not run(
            clients=clients, places=args.places, investors=investors, ceiling_seconds=args.ceiling_seconds
        )
    return 1 if failed else 0


def run(*, clients: int, places: int, investors: int, ceiling_seconds: int) -> bool:
    harness.fresh_database()
    from django.utils import timezone

    from investors.models import Subscription, SubscriptionStatus
    from projects.models import OfferingStatus

    with harness.Stack() as stack:
        base_url = harness.start_stack(stack)
        (issuer,) = data.create_issuers(1)
        (offering,) = data.create_offerings(
            [issuer], regime=REGIME, status=OfferingStatus.LIVE, ticket=TICKET, places=places
        )
        harness.log(f"creating {investors} ready investors")
        requests_path = harness.LOG_DIR / "subscribe-requests.tsv"
        body = json.dumps({"offering": offering.pk, "amount": str(TICKET), "payment_method": "pm_card_visa"})
        ready = data.create_ready_investors(investors, regime=REGIME)
        requests_path.write_text("".join(f"{token}\tbench-{user.pk}\t{body}\n" for user, token in ready))
        harness.log(f"ceiling: pgbench at {clients} clients for {ceiling_seconds} s")
        ceiling = harness.pgbench_ceiling(clients=clients, seconds=ceiling_seconds)
        harness.log(f"bare view: the same unit of work in a bare Django view at {clients} clients")
        bare_view = harness.bare_view_rate(clients=clients, seconds=ceiling_seconds)
        harness.log(f"authenticated no-op: a token checked and nothing done, at {clients} clients")
        noop = harness.authenticated_noop_rate(
            base_url=base_url, token=ready[0][1], clients=clients, seconds=ceiling_seconds
        )

        harness.log(f"load: {investors} subscriptions from {clients} clients")
        load_started = timezone.now()
        load = harness.run_wrk(
            url=base_url,
            script="subscribe.lua",
            clients=clients,
            seconds=max(120, investors),
            env={"BENCH_REQUESTS": str(requests_path)},
        )
        harness.log(f"answers: {load}")
        subscriptions = Subscription.objects.filter(offering=offering)
        harness.wait_until(
            lambda: not subscriptions.filter(status=SubscriptionStatus.PENDING_PAYMENT).exists(),
            seconds=600,
            what="every payment's end",
            interval=1,
        )
        accepted = subscriptions.count()
        last_accepted = max(subscriptions.values_list("created_at", flat=True), default=load_started)
        paid = subscriptions.filter(status=SubscriptionStatus.PAID)
        last_paid = max(paid.values_list("paid_at", flat=True), default=load_started)
        problems = check(offering=offering, load=load, requests=investors, accepted=accepted)

        paid_count = paid.count()
        harness.log(f"bare Stripe: {paid_count} create-and-confirm calls on an empty store")
        harness.clear_fake_stripe()
        bare_seconds = harness.stripe_bare_seconds(
            harness.bare_charges(paid_count, amount=TICKET, currency="USD", first_id=10**9), threads=BARE_THREADS
        )
    offering.refresh_from_db()
    for problem in problems:
        print(f"hot_offering: FAILED {problem}")
    accepted_per_s = accepted / max((last_accepted - load_started).total_seconds(), 1e-9)
    print(
        f"hot_offering: clients={clients} accepted_per_s={accepted_per_s:.1f} ceiling_per_s={ceiling:.0f} "
        f"ratio={accepted_per_s / ceiling:.4f} p50_ms={load['p50_us'] / 1000:.0f} p99_ms={load['p99_us'] / 1000:.0f} "
        f"paid_per_s={paid_count / max((last_paid - load_started).total_seconds(), 1e-9):.1f} "
        f"stripe_bare_per_s={paid_count / max(bare_seconds, 1e-9):.1f} "
        f"oversell={max(offering.raised_amount - offering.max_amount, Decimal('0')):f} "
        f"double_charged={problems.double_charged} bare_view_per_s={bare_view:.0f} auth_noop_per_s={noop:.0f} "
        f"of_bare_view={accepted_per_s / bare_view:.3f}",
        flush=True,
    )
    return not problems


class Problems(list):
    double_charged = 0


def check(*, offering, load: dict, requests: int, accepted: int) -> Problems:
    """What must hold however fast it went."""
    from investors.models import Subscription, SubscriptionStatus
    from investors.subscriptions import gateway

    problems = Problems()
    offering.refresh_from_db()
    if offering.raised_amount > offering.max_amount or offering.reserved_amount > offering.max_amount:
        problems.append(f"oversold: raised {offering.raised_amount}, reserved {offering.reserved_amount}")
    answered_created = load["statuses"].get("201", 0) + load["statuses"].get("202", 0)
    if answered_created != accepted:
        problems.append(f"{answered_created} requests answered as accepted, {accepted} subscriptions stored")
    # 200 answers a repeated request (see bench/subscribe.lua: wrk may send a thread's last request again as it
    # stops); every other answer is an acceptance or a refusal of a full offering.
    repeats = load["statuses"].get("200", 0)
    unexpected = {status: n for status, n in load["statuses"].items() if status not in ("200", "201", "202", "409")}
    if unexpected:
        problems.append(f"unexpected answers {unexpected}")
    # wrk counts a server closing the connection early as a socket error even when the answer had arrived; only
    # a request left unanswered matters.
    if (answered := sum(load["statuses"].values()) - repeats) != requests:
        problems.append(f"{answered} answers to {requests} requests ({load['errors']} socket errors)")
    succeeded = collections.Counter(
        charge.subscription_id for charge in gateway.list_charges() if charge.status == "succeeded"
    )
    paid_ids = set(
        Subscription.objects.filter(offering=offering, status=SubscriptionStatus.PAID).values_list("pk", flat=True)
    )
    problems.double_charged = sum(1 for count in succeeded.values() if count > 1)
    if problems.double_charged:
        problems.append(f"{problems.double_charged} subscriptions charged more than once")
    if unpaid := [pk for pk in paid_ids if succeeded[pk] != 1]:
        problems.append(f"{len(unpaid)} paid subscriptions without their one charge at Stripe")
    if strays := set(succeeded) - paid_ids:
        problems.append(f"{len(strays)} charges at Stripe for no paid subscription")
    if offering.raised_amount != sum(
        Subscription.objects.filter(pk__in=paid_ids).values_list("amount", flat=True), Decimal("0")
    ):
        problems.append(f"raised {offering.raised_amount} is not the sum of the paid subscriptions")
    if not data.ledger_balanced():
        problems.append("the ledger does not balance")
    return problems


if __name__ == "__main__":
    sys.exit(main())
