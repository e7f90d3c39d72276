"""investors.subscriptions.gateway against a real localstripe (the `fake_stripe` fixture from tests/fake_stripe.py).

Stripe's side of each outcome is read back with the SDK directly (`stripe_records`), so that a test checks what
Stripe holds and not only what the gateway says.
"""

import hashlib
import hmac
import json
import queue
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from investors.subscriptions import gateway

DECLINING_METHODS = ["pm_card_visa_chargeDeclined", "pm_card_chargeCustomerFail"]
WEBHOOK_WAIT_SECONDS = 10


@pytest.fixture
def stripe_records(fake_stripe, settings) -> stripe.StripeClient:
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": fake_stripe})


def paid(subscription_id: int, amount: str = "100.00") -> gateway.Charge:
    charge = gateway.charge(
        subscription_id=subscription_id, amount=Decimal(amount), currency="CNY", payment_method="pm_card_visa"
    )
    assert charge.status == "succeeded"
    return charge


def refund_once(*, refund_id: int, payment_intent_id: str, amount: Decimal) -> gateway.RefundResult:
    """What a resumed refund job does: look for an earlier attempt before refunding."""
    earlier = gateway.find_refund(refund_id=refund_id, payment_intent_id=payment_intent_id)
    if earlier is not None:
        return earlier
    return gateway.refund(refund_id=refund_id, payment_intent_id=payment_intent_id, amount=amount, currency="CNY")


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by the endpoint's secret>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event_payload(event_type: str = "payment_intent.succeeded", subject: dict | None = None) -> bytes:
    subject = subject or {
        "id": "pi_signed",
        "object": "payment_intent",
        "amount": 12345,
        "currency": "cny",
        "status": "succeeded",
        "metadata": {"subscription_id": "42"},
        "payment_method": "pm_signed",
        "last_payment_error": None,
    }
    return json.dumps({"id": "evt_signed", "object": "event", "type": event_type, "data": {"object": subject}}).encode()


def test_charge_takes_the_amount_at_once_and_tags_the_payment_intent(fake_stripe, stripe_records):
    charge = gateway.charge(subscription_id=7, amount=Decimal("123.45"), currency="CNY", payment_method="pm_card_visa")

    assert charge.status == "succeeded"
    assert charge.subscription_id == 7
    assert (charge.amount, charge.currency) == (Decimal("123.45"), "CNY")
    assert charge.card_fingerprint
    assert charge.failure_message is None
    intent = stripe_records.v1.payment_intents.retrieve(charge.payment_intent_id).to_dict()
    assert intent["status"] == "succeeded"
    assert (intent["amount"], intent["currency"]) == (12345, "cny")
    assert intent["metadata"] == {"subscription_id": "7"}


def test_the_same_card_gives_the_same_fingerprint(fake_stripe):
    assert paid(1).card_fingerprint == paid(2).card_fingerprint


@pytest.mark.parametrize("payment_method", DECLINING_METHODS)
def test_declined_card_is_a_failed_charge_with_stripes_message(fake_stripe, stripe_records, payment_method):
    charge = gateway.charge(subscription_id=8, amount=Decimal("50.00"), currency="CNY", payment_method=payment_method)

    assert charge.status == "failed"
    assert charge.failure_message == "Your card was declined."
    assert charge.subscription_id == 8
    intent = stripe_records.v1.payment_intents.retrieve(charge.payment_intent_id).to_dict()
    assert intent["status"] == "requires_payment_method"
    assert intent["metadata"] == {"subscription_id": "8"}


def test_card_asking_for_3d_secure_is_a_failed_charge(fake_stripe, stripe_records):
    authenticating_card = stripe_records.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )

    charge = gateway.charge(
        subscription_id=8, amount=Decimal("50.00"), currency="CNY", payment_method=authenticating_card.id
    )

    assert charge.status == "failed"
    assert "3-D Secure" in charge.failure_message
    assert stripe_records.v1.payment_intents.retrieve(charge.payment_intent_id).status == "requires_action"


def test_unknown_payment_method_is_refused_and_nothing_is_made(fake_stripe):
    with pytest.raises(gateway.GatewayRefused):
        gateway.charge(subscription_id=8, amount=Decimal("50.00"), currency="CNY", payment_method="pm_nonexistent")

    assert list(gateway.list_charges()) == []


@pytest.mark.parametrize("amount", ["1.005", "0", "-1.00", "NaN"])
def test_amount_not_in_whole_positive_fen_is_refused_before_stripe_is_asked(fake_stripe, amount):
    with pytest.raises(ValueError):
        gateway.charge(subscription_id=9, amount=Decimal(amount), currency="CNY", payment_method="pm_card_visa")

    assert list(gateway.list_charges()) == []


def test_unsupported_currency_is_refused_before_stripe_is_asked(fake_stripe):
    with pytest.raises(ValueError, match="unsupported currency"):
        gateway.charge(subscription_id=9, amount=Decimal("10"), currency="JPY", payment_method="pm_card_visa")

    assert list(gateway.list_charges()) == []


def test_unreachable_stripe_raises_gateway_unavailable(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(gateway.GatewayUnavailable):
        gateway.charge(subscription_id=1, amount=Decimal("1.00"), currency="CNY", payment_method="pm_card_visa")


def test_find_charge_finds_the_charge_made_for_the_subscription(fake_stripe):
    paid(10)
    made = paid(11, amount="75.50")
    paid(12)

    assert gateway.find_charge(subscription_id=11) == made


def test_find_charge_is_none_for_a_subscription_never_charged(fake_stripe):
    paid(10)

    assert gateway.find_charge(subscription_id=99) is None


def test_find_charge_prefers_the_charge_that_took_money(fake_stripe):
    # localstripe ignores idempotency keys, so a repeated charge makes a second payment intent.
    gateway.charge(
        subscription_id=13, amount=Decimal("20.00"), currency="CNY", payment_method="pm_card_chargeCustomerFail"
    )
    succeeded = paid(13, amount="20.00")

    assert gateway.find_charge(subscription_id=13) == succeeded


def test_full_refund_returns_the_whole_amount(fake_stripe, stripe_records):
    charge = paid(20, amount="100.00")

    result = gateway.refund(
        refund_id=1, payment_intent_id=charge.payment_intent_id, amount=Decimal("100.00"), currency="CNY"
    )

    assert result.status == "succeeded"
    assert (result.refund_id, result.payment_intent_id) == (1, charge.payment_intent_id)
    assert (result.amount, result.currency) == (Decimal("100.00"), "CNY")
    stripe_refund = stripe_records.v1.refunds.retrieve(result.stripe_refund_id).to_dict()
    assert (stripe_refund["amount"], stripe_refund["metadata"]) == (10000, {"refund_id": "1"})


def test_partial_refunds_return_exactly_the_amounts_asked(fake_stripe, stripe_records):
    charge = paid(21, amount="100.00")

    first = gateway.refund(
        refund_id=2, payment_intent_id=charge.payment_intent_id, amount=Decimal("30.00"), currency="CNY"
    )
    second = gateway.refund(
        refund_id=3, payment_intent_id=charge.payment_intent_id, amount=Decimal("45.50"), currency="CNY"
    )

    assert (first.amount, second.amount) == (Decimal("30.00"), Decimal("45.50"))
    intent = stripe_records.v1.payment_intents.retrieve(charge.payment_intent_id).to_dict()
    assert stripe_records.v1.charges.retrieve(intent["latest_charge"]["id"]).amount_refunded == 7550


def test_refund_run_twice_refunds_once(fake_stripe, stripe_records):
    charge = paid(22, amount="100.00")

    first = refund_once(refund_id=4, payment_intent_id=charge.payment_intent_id, amount=Decimal("100.00"))
    again = refund_once(refund_id=4, payment_intent_id=charge.payment_intent_id, amount=Decimal("100.00"))

    assert again == first
    on_stripe = stripe_records.v1.refunds.list(params={"payment_intent": charge.payment_intent_id}).data
    assert [stripe_refund.id for stripe_refund in on_stripe] == [first.stripe_refund_id]


def test_find_refund_is_none_for_a_refund_never_made(fake_stripe):
    charge = paid(23)
    gateway.refund(refund_id=5, payment_intent_id=charge.payment_intent_id, amount=Decimal("10.00"), currency="CNY")

    assert gateway.find_refund(refund_id=6, payment_intent_id=charge.payment_intent_id) is None


def test_refunding_a_declined_payment_is_refused(fake_stripe, stripe_records):
    declined = gateway.charge(
        subscription_id=24, amount=Decimal("10.00"), currency="CNY", payment_method="pm_card_chargeCustomerFail"
    )

    with pytest.raises(gateway.GatewayRefused):
        gateway.refund(
            refund_id=7, payment_intent_id=declined.payment_intent_id, amount=Decimal("10.00"), currency="CNY"
        )

    assert stripe_records.v1.refunds.list().data == []


def test_list_charges_reads_every_page(fake_stripe):
    made = {paid(subscription_id).payment_intent_id for subscription_id in range(30, 35)}

    listed = [charge.payment_intent_id for charge in gateway.list_charges(page_size=2)]

    assert sorted(listed) == sorted(made)


def test_list_refunds_reads_every_page(fake_stripe):
    charge = paid(40, amount="10.00")
    made = {
        gateway.refund(
            refund_id=refund_id, payment_intent_id=charge.payment_intent_id, amount=Decimal("1.00"), currency="CNY"
        ).stripe_refund_id
        for refund_id in range(10, 15)
    }

    listed = [refund.stripe_refund_id for refund in gateway.list_refunds(page_size=2)]

    assert sorted(listed) == sorted(made)


def test_verify_webhook_accepts_a_correctly_signed_event(settings):
    payload = event_payload()

    event = gateway.verify_webhook(
        payload=payload, signature_header=signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    )

    assert (event.id, event.type) == ("evt_signed", "payment_intent.succeeded")
    assert (event.payment_intent_id, event.subscription_id, event.status) == ("pi_signed", 42, "succeeded")
    assert (event.charge.amount, event.charge.currency) == (Decimal("123.45"), "CNY")


def test_verify_webhook_leaves_charge_empty_for_other_objects(settings):
    payload = event_payload("customer.created", {"id": "cus_1", "object": "customer", "metadata": {}})

    event = gateway.verify_webhook(
        payload=payload, signature_header=signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    )

    assert (event.type, event.charge, event.subscription_id) == ("customer.created", None, None)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda payload, secret: signature_header(payload, "whsec_someone_else"), id="other secret"),
        pytest.param(lambda payload, secret: signature_header(payload + b" ", secret)[:-1] + "0", id="wrong digest"),
        pytest.param(lambda payload, secret: signature_header(payload, secret, int(time.time()) - 3600), id="stale"),
        pytest.param(lambda payload, secret: "", id="empty header"),
        pytest.param(lambda payload, secret: None, id="no header"),
        pytest.param(lambda payload, secret: "t=1,v0=abc", id="no v1 signature"),
    ],
)
def test_verify_webhook_rejects_a_forged_or_missing_signature(settings, forge):
    payload = event_payload()

    with pytest.raises(gateway.InvalidWebhook):
        gateway.verify_webhook(payload=payload, signature_header=forge(payload, settings.STRIPE_WEBHOOK_SECRET))


def test_verify_webhook_rejects_a_body_changed_after_signing(settings):
    header = signature_header(event_payload(), settings.STRIPE_WEBHOOK_SECRET)
    changed = event_payload().replace(b"12345", b"99999")

    with pytest.raises(gateway.InvalidWebhook):
        gateway.verify_webhook(payload=changed, signature_header=header)


class WebhookReceiver:
    """A local HTTP endpoint that keeps every request's Stripe-Signature header and body."""

    def __init__(self) -> None:
        received: queue.Queue[tuple[bytes, str | None]] = queue.Queue()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.put((body, self.headers.get("Stripe-Signature")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/payments/stripe/webhook/"
        # A short poll interval makes shutdown() quick.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def event_for(self, payment_intent_id: str, timeout: float) -> gateway.WebhookEvent:
        """The first verified event about this payment intent (events of earlier tests may still arrive)."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                body, header = self.received.get(timeout=remaining)
            except queue.Empty:
                break
            event = gateway.verify_webhook(payload=body, signature_header=header)
            if event.payment_intent_id == payment_intent_id:
                return event
        raise AssertionError(f"no webhook about {payment_intent_id} within {timeout} s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver(fake_stripe_webhook):
    receiver = WebhookReceiver()
    fake_stripe_webhook(receiver.url)
    yield receiver
    receiver.close()


@pytest.mark.parametrize(
    ("payment_method", "event_type", "status"),
    [
        ("pm_card_visa", "payment_intent.succeeded", "succeeded"),
        ("pm_card_chargeCustomerFail", "payment_intent.payment_failed", "failed"),
    ],
)
def test_localstripe_delivers_a_signed_webhook_for_the_payment(webhook_receiver, payment_method, event_type, status):
    charge = gateway.charge(subscription_id=50, amount=Decimal("88.00"), currency="CNY", payment_method=payment_method)

    event = webhook_receiver.event_for(charge.payment_intent_id, timeout=WEBHOOK_WAIT_SECONDS)

    assert (event.type, event.subscription_id, event.status) == (event_type, 50, status)
    assert (event.charge.amount, event.charge.currency) == (Decimal("88.00"), "CNY")
