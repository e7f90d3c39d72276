"""The risk pipeline at size: 1,000 issuers, each with a live offering, its paid subscriptions and earlier
statements, each filing a statement whose figures cannot all be true (net profit above revenue), screened by a real
Celery worker as the filing announces it.

    .venv/bin/python bench/screen.py [--issuers 1000] [--subscriptions-per-offering 10]

The statements are filed through the service from 4 threads, as fast as they go; the worker's signals are then
awaited. issuers_per_s is issuers over the time from the first filing to the last signal; the delay of one issuer is
from its statement's filing to its signal. Last line:

    screen: issuers=N issuers_per_s=… p95_delay_s=… filed_per_s=…
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (sets the environment up before Django loads)

TICKET = Decimal("100.00")
FILERS = 4
INVESTORS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuers", type=int, default=1000)
    parser.add_argument("--subscriptions-per-offering", type=int, default=10)
    args = parser.parse_args()
    harness.fresh_database()

    from django.db import connection

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
        harness.start_stack(stack, processes="worker")
        harness.log(f"filing {len(issuers)} statements from {FILERS} threads")
        with harness.timed() as filing_seconds, concurrent.futures.ThreadPoolExecutor(FILERS) as pool:
            filed = list(pool.map(file_impossible_statement, issuers))
        harness.wait_until(
            lambda: signals.count() >= len(issuers), seconds=600, what="every issuer's signal", interval=0.5
        )
    connection.close()
    raised_at = dict(signals.values_list("subject_id", "created_at"))
    delays = [(raised_at[statement.issuer_id] - statement.filed_at).total_seconds() for statement in filed]
    span = (max(raised_at.values()) - min(statement.filed_at for statement in filed)).total_seconds()
    print(
        f"screen: issuers={len(issuers)} issuers_per_s={len(issuers) / span:.1f} "
        f"p95_delay_s={harness.percentile(delays, 0.95):.2f} filed_per_s={len(issuers) / filing_seconds[0]:.1f}",
        flush=True,
    )
    return 0


def file_impossible_statement(issuer):
    from django.db import connection

    from projects import services

    try:
        return services.financial_statement_file(
            issuer=issuer,
            by=issuer.owner,
            fiscal_year=2025,
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
