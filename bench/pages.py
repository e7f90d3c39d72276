"""The offering list and an offering's page under load, against the same server's trivial JSON view
(GET /api/v1/health/, which touches no database), with 1,000 offerings and 100,000 subscriptions in the database.

    .venv/bin/python bench/pages.py [--offerings 1000] [--subscriptions 100000] [--clients 16] [--seconds 10]

Each page is loaded by wrk (bench/repeat.lua) from C clients for the given seconds, anonymously, as the crowd reads them
before logging in; the ratio is its requests per second over the trivial view's. Queries per page are counted in
this process through Django's test client against the same database, with the page cache off (what rendering costs,
on a cache miss or for a signed-in visitor). Last line:

    pages: list_ratio=… detail_ratio=… list_queries=… detail_queries=…
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
import harness  # noqa: E402  (sets the environment up before Django loads)

TICKET = Decimal("100.00")
PLACES = 1000
INVESTORS = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=1000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10, help="how long each page is loaded")
    args = parser.parse_args()

    harness.fresh_database()
    harness.log(f"creating {args.offerings} offerings and {args.subscriptions} subscriptions")
    offerings = create_book(offerings=args.offerings, subscriptions=args.subscriptions)
    detail_path = f"/offerings/{offerings[len(offerings) // 2].pk}/"
    with harness.Stack() as stack:
        base_url = harness.start_michou(stack, port=harness.free_port(), processes="web")
        rates = {}
        for name, path in (("trivial", "/api/v1/health/"), ("list", "/offerings/"), ("detail", detail_path)):
            harness.log(f"loading {path} from {args.clients} clients for {args.seconds} s")
            load = harness.run_wrk(url=base_url + path, script="repeat.lua", clients=args.clients, seconds=args.seconds)
            harness.log(f"{name}: {load}")
            if set(load["statuses"]) != {"200"} or load["errors"]:
                print(f"pages: FAILED {path} answered {load['statuses']} with {load['errors']} socket errors")
                return 1
            rates[name] = load["per_s"]
    print(
        f"pages: list_ratio={rates['list'] / rates['trivial']:.3f} detail_ratio={rates['detail'] / rates['trivial']:.3f} "
        f"list_queries={queries_of('/offerings/')} detail_queries={queries_of(detail_path)} "
        f"trivial_per_s={rates['trivial']:.0f} list_per_s={rates['list']:.0f} detail_per_s={rates['detail']:.0f}",
        flush=True,
    )
    return 0


def create_book(*, offerings: int, subscriptions: int) -> list:
    """Live offerings with their paid subscriptions spread evenly, inserted in bulk (no services: only the pages'
    reads are measured here)."""
    from projects.models import OfferingStatus

    book = data.create_offerings(
        data.create_issuers(offerings), regime="cn", status=OfferingStatus.LIVE, ticket=TICKET, places=PLACES
    )
    investors = [user for user, _token in data.create_ready_investors(INVESTORS, regime="cn")]
    data.create_paid_subscriptions(
        [(investors[number % len(investors)], book[number % len(book)]) for number in range(subscriptions)],
        ticket=TICKET,
    )
    return book


def queries_of(path: str) -> int:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    # The queries of rendering the page, as a signed-in visitor's request or a cache miss makes them.
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get(path)  # the first request fills per-process caches (translations, templates)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


if __name__ == "__main__":
    sys.exit(main())
