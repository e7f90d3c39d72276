"""Michou's door to Stripe: charges, refunds, webhook verification, and the listings that reconciliation reads.

A thin layer over the official SDK with no business rules. Callers pass and get `Decimal` amounts in major units with
ISO currency codes ("CNY"); Stripe's integer minor units and lowercase codes stay in this module. The server is
settings.STRIPE_API_BASE, so the same code runs against localstripe (scripts/fake_stripe.py) and against Stripe.

Resuming is the caller's job, by its own states: requests carry idempotency keys derived from our ids, which Stripe
honours but localstripe ignores (the same key twice makes two objects). So before repeating a charge or a refund whose
outcome was not recorded, look for it with `find_charge` or `find_refund`. For the same reason the SDK's own network
retries are off: a retried request that had reached localstripe would make a second object.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import stripe
from django.conf import settings

ChargeStatus = Literal["succeeded", "failed", "processing"]
RefundStatus = Literal["succeeded", "pending", "failed"]

SUBSCRIPTION_METADATA_KEY = "subscription_id"
REFUND_METADATA_KEY = "refund_id"
# The currencies of the regimes (projects/regimes.py), with the decimals Stripe counts them in: fen and cents.
DECIMAL_PLACES = {"CNY": 2, "USD": 2}
# Stripe's largest page.
PAGE_SIZE = 100


class GatewayError(Exception):
    """Stripe did not do what was asked."""


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached or failed on its side; the request may or may not have taken effect, so look for
    its result (`find_charge`, `find_refund`) before sending it again."""


class GatewayRefused(GatewayError):
    """Stripe refused the request (parameters, API key, or the object's state); sending it again will not help."""


class InvalidWebhook(Exception):
    """The webhook's signature is missing, wrong or too old, or its body is not an event."""


@dataclass(frozen=True)
class Charge:
    payment_intent_id: str
    # From the payment intent's metadata; None for payment intents that Michou did not create.
    subscription_id: int | None
    status: ChargeStatus
    amount: Decimal
    currency: str
    card_fingerprint: str | None
    failure_message: str | None


@dataclass(frozen=True)
class RefundResult:
    stripe_refund_id: str
    # Our refund's id, from the Stripe refund's metadata; None for refunds that Michou did not create.
    refund_id: int | None
    # None only for refunds of charges made without a payment intent, which Michou never makes.
    payment_intent_id: str | None
    status: RefundStatus
    amount: Decimal
    currency: str
    # Stripe's reason code for a failed refund ("expired_or_canceled_card", ...); None otherwise.
    failure_reason: str | None = None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    # The payment intent the event is about, as a Charge whose card_fingerprint is None (event payloads name the
    # payment method without its card); None for events about other objects.
    charge: Charge | None

    @property
    def payment_intent_id(self) -> str | None:
        return self.charge.payment_intent_id if self.charge else None

    @property
    def subscription_id(self) -> int | None:
        return self.charge.subscription_id if self.charge else None

    @property
    def status(self) -> ChargeStatus | None:
        return self.charge.status if self.charge else None


def charge(*, subscription_id: int, amount: Decimal, currency: str, payment_method: str) -> Charge:
    """Charges the payment method at once; the money stays on the platform's Stripe balance, which is the escrow.

    A declined card is a Charge with status "failed" and Stripe's message, not an exception. "processing" (for
    asynchronous methods) is settled later by a webhook or `find_charge`. A card that asks for 3-D Secure is reported
    as "failed": this server-side flow cannot authenticate, so no money moves. An unknown payment method is
    GatewayRefused, and no payment intent is made.

    Stripe answers a repeated idempotency key with its first answer for 24 hours, and refuses it (GatewayRefused) if
    the parameters differ, such as another payment method for the same subscription.
    """
    client = _client()
    params: dict[str, Any] = {
        "amount": _to_minor_units(amount, currency),
        "currency": currency.lower(),
        "payment_method": payment_method,
        "confirm": True,
        # Stripe's default (automatic payment methods) would also need a return_url; localstripe refuses both of
        # those parameters and accepts this one.
        "payment_method_types": ["card"],
        "metadata": {SUBSCRIPTION_METADATA_KEY: str(subscription_id)},
        "expand": ["payment_method"],
    }
    with _translated_errors():
        try:
            intent = client.v1.payment_intents.create(
                params=params, options={"idempotency_key": f"michou-charge-{subscription_id}"}
            )
        except stripe.CardError as decline:
            intent = _intent_of_decline(client, decline)
    return _charge_from_intent(intent.to_dict())


def test_card_payment_method(*, card_number: str) -> str:
    """A card payment method made from a raw test card number. Only test servers (localstripe, Stripe's test mode
    with raw card data enabled) accept this; the scenario replay uses it so that each scenario's card fingerprints
    come out equal exactly where the scenario's do."""
    with _translated_errors():
        method = _client().v1.payment_methods.create(
            params={"type": "card", "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
        )
    return method.id


def find_charge(*, subscription_id: int) -> Charge | None:
    """The payment intent that `charge` made for this subscription, or None if there is none.

    For recovery after a crash between Stripe's answer and our commit. It reads every payment intent: localstripe has
    neither search nor a metadata filter, and Stripe's search lags behind by up to a minute, so it could miss the one
    just made. Should there be several (a repeated charge on localstripe), the one that took money is returned;
    reconciliation reports the others.
    """
    candidates = [listed for listed in list_charges() if listed.subscription_id == subscription_id]
    if not candidates:
        return None
    money_taken_first: tuple[ChargeStatus, ...] = ("succeeded", "processing", "failed")
    return min(candidates, key=lambda candidate: money_taken_first.index(candidate.status))


def refund(*, refund_id: int, payment_intent_id: str, amount: Decimal, currency: str, attempt: int = 0) -> RefundResult:
    """Refunds `amount` of a payment intent from the escrow. `attempt` counts staff's retries of a refund that
    failed: Stripe would answer the same idempotency key with the failed refund again.

    The amount is always explicit: localstripe refunds the full charge again when a refund without an amount follows
    a partial one. localstripe also accepts refunds beyond what was paid (Stripe refuses them), so the caller's ledger
    is what prevents over-refunding.
    """
    client = _client()
    with _translated_errors():
        created = client.v1.refunds.create(
            params={
                "payment_intent": payment_intent_id,
                "amount": _to_minor_units(amount, currency),
                "metadata": {REFUND_METADATA_KEY: str(refund_id)},
            },
            options={"idempotency_key": f"michou-refund-{refund_id}-{attempt}"},
        )
    return _refund_result(created.to_dict())


def find_refund(*, refund_id: int, payment_intent_id: str) -> RefundResult | None:
    """The Stripe refund that `refund` made for our refund `refund_id` and that did not fail, or None: look before
    refunding again. Failed attempts are skipped: a retry after one must make a new refund."""
    client = _client()
    with _translated_errors():
        for found in client.v1.refunds.list(
            params={"payment_intent": payment_intent_id, "limit": PAGE_SIZE}
        ).auto_paging_iter():
            result = _refund_result(found.to_dict())
            if result.refund_id == refund_id and result.status != "failed":
                return result
    return None


def verify_webhook(*, payload: bytes, signature_header: str | None) -> WebhookEvent:
    """The event in a webhook's body, once its Stripe-Signature header is checked against STRIPE_WEBHOOK_SECRET.

    The signature also dates the request: one older than five minutes (Stripe's default tolerance) is refused.
    """
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, settings.STRIPE_WEBHOOK_SECRET).to_dict()
    # ValueError: a body that is not UTF-8 or not JSON.
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidWebhook(str(error)) from error
    subject = event["data"]["object"]
    intent_charge = _charge_from_intent(subject) if subject.get("object") == "payment_intent" else None
    return WebhookEvent(id=event["id"], type=event["type"], charge=intent_charge)


def list_charges(*, page_size: int = PAGE_SIZE) -> Iterator[Charge]:
    """Every payment intent on the account as a Charge, all pages.

    Stripe lists the newest first, localstripe the oldest first.
    """
    client = _client()
    with _translated_errors():
        for intent in client.v1.payment_intents.list(
            params={"limit": page_size, "expand": ["data.payment_method"]}
        ).auto_paging_iter():
            yield _charge_from_intent(intent.to_dict())


def list_refunds(*, page_size: int = PAGE_SIZE) -> Iterator[RefundResult]:
    """Every refund on the account, all pages, newest first."""
    client = _client()
    with _translated_errors():
        for found in client.v1.refunds.list(params={"limit": page_size}).auto_paging_iter():
            yield _refund_result(found.to_dict())


def _client() -> stripe.StripeClient:
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


# Keyed by the settings' values, so that a test that overrides them gets a client of its own.
@functools.cache
def _client_for(secret_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(secret_key, base_addresses={"api": api_base}, max_network_retries=0)


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    # APIError covers 5xx answers and 409 (Stripe's "a request with this key is still running").
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        raise GatewayUnavailable(str(error)) from error
    except stripe.StripeError as error:
        raise GatewayRefused(str(error)) from error


def _intent_of_decline(client: stripe.StripeClient, decline: stripe.CardError) -> stripe.PaymentIntent:
    """The payment intent that a declined confirmation left behind, so that a decline is reported like any outcome."""
    error = decline.error
    if error is None:
        raise decline
    # Stripe's error names the payment intent; localstripe's names only the charge, which names its payment intent.
    if error.payment_intent is not None:
        intent_id = error.payment_intent.id
    else:
        intent_id = client.v1.charges.retrieve(error.charge).payment_intent
    return client.v1.payment_intents.retrieve(intent_id, params={"expand": ["payment_method"]})


def _charge_from_intent(intent: dict[str, Any]) -> Charge:
    status = _charge_status(intent)
    payment_method = intent["payment_method"]
    card = payment_method.get("card") if isinstance(payment_method, dict) else None
    return Charge(
        payment_intent_id=intent["id"],
        subscription_id=_metadata_id(intent, SUBSCRIPTION_METADATA_KEY),
        status=status,
        amount=_from_minor_units(intent["amount"], intent["currency"]),
        currency=intent["currency"].upper(),
        card_fingerprint=card.get("fingerprint") if card else None,
        failure_message=_failure_message(intent) if status == "failed" else None,
    )


def _charge_status(intent: dict[str, Any]) -> ChargeStatus:
    if intent["status"] in ("succeeded", "processing"):
        return intent["status"]
    # requires_payment_method after a decline, requires_action, canceled: no money was taken.
    return "failed"


def _failure_message(intent: dict[str, Any]) -> str:
    error = intent.get("last_payment_error")
    if error and error.get("message"):
        return error["message"]
    if intent["status"] == "requires_action":
        return "The card asks for authentication (3-D Secure), which this payment flow cannot perform."
    return f"The payment intent is {intent['status']}."


def _refund_result(found: dict[str, Any]) -> RefundResult:
    statuses: dict[str, RefundStatus] = {
        "succeeded": "succeeded",
        "pending": "pending",
        "requires_action": "pending",
        "failed": "failed",
        "canceled": "failed",
    }
    return RefundResult(
        stripe_refund_id=found["id"],
        refund_id=_metadata_id(found, REFUND_METADATA_KEY),
        payment_intent_id=found["payment_intent"],
        status=statuses[found["status"]],
        amount=_from_minor_units(found["amount"], found["currency"]),
        currency=found["currency"].upper(),
        failure_reason=found.get("failure_reason") if statuses[found["status"]] == "failed" else None,
    )


def _metadata_id(stripe_object: dict[str, Any], key: str) -> int | None:
    value = (stripe_object.get("metadata") or {}).get(key)
    return int(value) if value is not None and value.isdigit() else None


def _to_minor_units(amount: Decimal, currency: str) -> int:
    minor_units = amount.scaleb(_decimal_places(currency))
    if not minor_units.is_finite() or minor_units != minor_units.to_integral_value() or minor_units <= 0:
        raise ValueError(f"{amount} {currency} is not a positive amount in whole minor units")
    return int(minor_units)


def _from_minor_units(minor_units: int, currency: str) -> Decimal:
    return Decimal(minor_units).scaleb(-_decimal_places(currency))


def _decimal_places(currency: str) -> int:
    try:
        return DECIMAL_PLACES[currency.upper()]
    except KeyError:
        raise ValueError(f"unsupported currency {currency!r}; known: {', '.join(DECIMAL_PLACES)}") from None
