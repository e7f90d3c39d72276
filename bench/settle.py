"""Settlement and refunds at size: a closing offering of N paid subscriptions settled (shares issued, escrow released
to the issuer), and a closing offering of N paid subscriptions that missed its target refunded at the fake Stripe
server, each through the worker's task as the beat job sends it, against N bare refund calls to the same server in
the same run.

    .venv/bin/python bench/settle.py [--subscriptions 10000]

Every subscription of the failed offering is first charged at the fake Stripe server (untimed), and N more payments
are made there for the bare refunds, which are timed first, one at a time as settlement makes them; Michou's refunds
then meet a store twice as large (the fake server slows as it grows), so the comparison leans against Michou. Last
line:

    settle: subscriptions=N settle_s=… refund_s=… stripe_bare_s=… settle_ratio=… refund_ratio=…
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (sets the environment up before Django loads)

TICKET = Decimal("100.00")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000, help="N: paid subscriptions per offering")
    args = parser.parse_args()
    count = args.subscriptions
    harness.fresh_database()

    from investors import tasks
    from investors.models import Refund, RefundStatus, Subscription, SubscriptionStatus
    from investors.subscriptions import gateway
    from projects.models import Offering, OfferingStatus

    with harness.Stack() as stack:
        harness.start_stack(stack, processes="worker")
        harness.log(f"creating two closing offerings of {count} paid subscriptions")
        # Room for N tickets: N paid meet the target; room for 4N: N paid miss it.
        succeeding, failing = (
            harness.create_offerings(
                harness.create_issuers(1), regime="cn", status=OfferingStatus.CLOSING, ticket=TICKET, places=places
            )[0]
            for places in (count, 4 * count)
        )
        investors = [user for user, _token in harness.create_ready_investors(count, regime="cn")]
        harness.create_paid_subscriptions([(investor, succeeding) for investor in investors], ticket=TICKET)
        harness.log(f"charging {count} subscriptions at the fake Stripe server")
        harness.create_paid_subscriptions(
            [(investor, failing) for investor in investors], ticket=TICKET, charge_at_stripe=True
        )
        harness.log(f"bare: {count} payments, then {count} refunds timed one at a time")
        bare_payments = [call() for call in harness.bare_charges(count, amount=TICKET, currency="CNY", first_id=10**9)]
        bare_seconds = harness.stripe_bare_seconds(
            [
                lambda payment=payment, number=number: gateway.refund(
                    refund_id=10**9 + number,
                    payment_intent_id=payment.payment_intent_id,
                    amount=payment.amount,
                    currency=payment.currency,
                )
                for number, payment in enumerate(bare_payments)
            ],
            threads=1,
        )
        harness.log("settling the offering that met its target")
        with harness.timed() as settle_seconds:
            tasks.settle_offering.delay(succeeding.pk)
            harness.wait_until(
                lambda: Offering.objects.filter(pk=succeeding.pk, status=OfferingStatus.CLOSED).exists(),
                seconds=3600,
                what="settlement",
                interval=0.2,
            )
        harness.log("refunding the offering that missed it")
        refunds = Refund.objects.filter(subscription__offering=failing)
        with harness.timed() as refund_seconds:
            tasks.settle_offering.delay(failing.pk)
            harness.wait_until(
                lambda: refunds.filter(status=RefundStatus.SUCCEEDED).count() == count,
                seconds=3600,
                what="the refunds",
                interval=0.5,
            )
        problems = []
        if Subscription.objects.filter(offering=succeeding, status=SubscriptionStatus.SETTLED).count() != count:
            problems.append("not every subscription of the successful offering was settled")
        refund_ids = set(refunds.values_list("pk", flat=True))
        refunded_at_stripe = sum(1 for found in gateway.list_refunds() if found.refund_id in refund_ids)
        if refunded_at_stripe != count:
            problems.append(f"{refunded_at_stripe} refunds at Stripe for {count} subscriptions")
        if not harness.ledger_balanced():
            problems.append("the ledger does not balance")
    for problem in problems:
        print(f"settle: FAILED {problem}")
    print(
        f"settle: subscriptions={count} settle_s={settle_seconds[0]:.1f} refund_s={refund_seconds[0]:.1f} "
        f"stripe_bare_s={bare_seconds:.1f} settle_ratio={settle_seconds[0] / bare_seconds:.2f} "
        f"refund_ratio={refund_seconds[0] / bare_seconds:.2f}",
        flush=True,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
