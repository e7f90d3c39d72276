"""Runs localstripe, the fake Stripe server, on 127.0.0.1 for development (`make run`) and tests.

    python scripts/fake_stripe.py --port 8420 [--webhook-url URL] [--webhook-secret SECRET]

`--port 0` takes a free port. Once it listens, the server prints one line to stdout,
`fake Stripe ready at http://127.0.0.1:PORT`, which tests/fake_stripe.py waits for.

Three ways in which this differs from localstripe's own command line:
- It listens on loopback only (localstripe's listens on every interface and has no host option).
- The test card `pm_card_visa_chargeDeclined` (4000000000000002) is declined when charged, as Stripe declines it;
  localstripe 1.15 declines it only when it is attached to a customer, and lets a payment intent charge it.
- Its store lives in memory only. localstripe writes every change to /tmp/localstripe.pickle and reloads it at start;
  the path is fixed in the code (no directory or TMPDIR setting moves it), so any two instances, such as a
  development server and a test run, would share and overwrite each other's objects. This runner replaces the
  store's `dump_to_disk` with a no-op, so each instance starts empty and keeps to itself. That also saves a full
  pickle of the store on every write.

With `--webhook-url`, events are posted there signed with `--webhook-secret` (default: STRIPE_WEBHOOK_SECRET from the
environment), as `POST /_config/webhooks/michou` would arrange.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket

from aiohttp import web
from localstripe.resources import PaymentMethod, store
from localstripe.server import app
from localstripe.webhooks import register_webhook

HOST = "127.0.0.1"
WEBHOOK_NAME = "michou"
GENERIC_DECLINE_CARD = "4000000000000002"


def keep_store_in_memory() -> None:
    # The store is empty until localstripe's own start() loads the file, which this runner never calls.
    store.dump_to_disk = lambda: None


def decline_generic_decline_card_on_charge() -> None:
    declined_by_localstripe = PaymentMethod._charging_is_declined

    def charging_is_declined(payment_method: PaymentMethod) -> bool:
        is_generic_decline_card = payment_method.type == "card" and payment_method._card_number == GENERIC_DECLINE_CARD
        return is_generic_decline_card or declined_by_localstripe(payment_method)

    PaymentMethod._charging_is_declined = charging_is_declined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420, help="0 takes a free port")
    parser.add_argument("--webhook-url", help="where to post webhook events, e.g. .../payments/stripe/webhook/")
    parser.add_argument("--webhook-secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET"))
    args = parser.parse_args()
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret or STRIPE_WEBHOOK_SECRET in the environment")

    keep_store_in_memory()
    decline_generic_decline_card_on_charge()
    if args.webhook_url:
        register_webhook(WEBHOOK_NAME, args.webhook_url, args.webhook_secret, None)

    # Bound here rather than by aiohttp so that the ready line can name the port that `--port 0` got.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    port = sock.getsockname()[1]

    # localstripe logs requests and webhook deliveries on this logger.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    web.run_app(
        app,
        sock=sock,
        access_log=logging.getLogger("aiohttp.access"),
        # aiohttp prints its banner once the socket listens: the moment to announce readiness.
        print=lambda _banner: print(f"fake Stripe ready at http://{HOST}:{port}", flush=True),
    )


if __name__ == "__main__":
    main()
