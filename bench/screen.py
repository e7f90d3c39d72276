"""The risk pipeline at size: 1,000 issuers, each with a live offering, its paid subscriptions and earlier
statements, each filing a statement whose figures cannot all be true (net profit above revenue), screened by a real
Celery worker.

    .venv/bin/python bench/screen.py [--issuers 1000] [--subscriptions-per-offering 10]

Two phases. Capacity: every issuer files its statement while no worker runs, then the worker starts and drains the
backlog; issuers_per_s is issuers over the time from the worker's start to the last signal. Delay: every issuer files
a second such statement (an earlier year) from FILERS threads with the worker running; the delay of one issuer is from
its statement's filing to the moment its signal is seen in the database (polled every POLL_S seconds; a signal's own
timestamp is the moment it is judged as of, the filing's, so it cannot measure the delay). Last line:

    screen: issuers=N issuers_per_s=… p95_delay_s=… filed_per_s=…
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (sets the environment up before Django loads)

TICKET = Decimal("100.00")
FILERS = 8
INVESTORS = 500
POLL_S = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuers", type=int, default=1000)
    parser.add_argument("--subscriptions-per-offering", type=int, default=10)
    args = parser.parse_args()
    harness.fresh_database()

    from django.db import connection
    from django.utils import timezone

    from projects.models import FinancialStatement, OfferingStatus
    from projects.tests.factories import FinancialStatementFactory
    from risk.models import Signal
    from risk.rules.financials import CODE as IMPOSSIBLE_FIGURES

    harness.log(f"creating {args.issuers} issuers with their offerings, statements and subscriptions")
    issuers = harness.create_issuers(args.issuers)
    offerings = harness.create_offerings(issuers, regime="cn", status=OfferingStatus.LIVE, ticket=TICKET, places=1000)
    FinancialStatement.objects.bulk_create(
        (
            FinancialStatementFactory.build(issuer=issuer, fiscal_year=year, filed_by=issuer.owner)
            for issuer in issuers
            for year in (2023, 2024)
        ),
        batch_size=5000,
    )
    investors = [user for user, _token in harness.create_ready_investors(INVESTORS, regime="cn")]
    harness.create_paid_subscriptions(
        [
            (investors[(number * 7 + offering.pk) % len(investors)], offering)
            for offering in offerings
            for number in range(args.subscriptions_per_offering)
        ],
        ticket=TICKET,
    )
    signals = Signal.objects.filter(rule=IMPOSSIBLE_FIGURES, subject_type="issuer")
    with harness.Stack() as stack:
        harness.log(f"capacity: filing {len(issuers)} statements with no worker running")
        with concurrent.futures.ThreadPoolExecutor(FILERS) as pool:
            list(pool.map(functools.partial(file_impossible_statement, fiscal_year=2025), issuers))
        harness.start_stack(stack, processes="worker")
        started = timezone.now()
        seen = watch_signals(signals, expected=len(issuers))
        capacity_span = (max(seen.values()) - started).total_seconds()
        harness.log(f"delay: filing {len(issuers)} more statements from {FILERS} threads, the worker running")
        with concurrent.futures.ThreadPoolExecutor(FILERS + 1) as pool:
            watching = pool.submit(
                watch_signals, signals.exclude(pk__in=list(signals.values_list("pk", flat=True))), expected=len(issuers)
            )
            with harness.timed() as filing_seconds:
                filed = list(pool.map(functools.partial(file_impossible_statement, fiscal_year=2022), issuers))
            seen = watching.result()
    connection.close()
    delays = [(seen[statement.issuer_id] - statement.filed_at).total_seconds() for statement in filed]
    print(
        f"screen: issuers={len(issuers)} issuers_per_s={len(issuers) / capacity_span:.1f} "
        f"p95_delay_s={harness.percentile(delays, 0.95):.2f} filed_per_s={len(issuers) / filing_seconds[0]:.1f}",
        flush=True,
    )
    return 0


def watch_signals(signals, *, expected: int) -> dict:
    """The moment each issuer's signal is first seen, polling until `expected` issuers have one."""
    from django.db import connection
    from django.utils import timezone

    seen: dict = {}
    deadline = time.monotonic() + 600
    try:
        while len(seen) < expected:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(seen)} of {expected} signals after 600 s")
            now = timezone.now()
            # All of them each time: two worker processes commit signals out of id order.
            for issuer_id in signals.values_list("subject_id", flat=True):
                seen.setdefault(issuer_id, now)
            time.sleep(POLL_S)
    finally:
        connection.close()
    return seen


def file_impossible_statement(issuer, *, fiscal_year: int):
    from django.db import connection

    from projects import services

    try:
        return services.financial_statement_file(
            issuer=issuer,
            by=issuer.owner,
            fiscal_year=fiscal_year,
            period="FY",
            kind="historical",
            revenue="1000000.00",
            net_profit="2000000.00",
            total_assets="8000000.00",
            total_liabilities="3000000.00",
            audited=True,
        )
    finally:
        # Each filing thread's own connection, closed when its work is done.
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
