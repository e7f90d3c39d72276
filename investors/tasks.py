"""Celery tasks: each loads its objects by id and calls one service, which returns quietly when the work is done
already, so a redelivered or retried task is harmless."""

from celery import shared_task

from investors.kyc import services
from investors.subscriptions import milestones, reconciliation, reconfirmation, refunds, settlement
from investors.subscriptions import services as subscriptions
from investors.subscriptions.gateway import GatewayUnavailable
from kernel.retries import DATABASE_OUTAGE, RETRY_ON_DATABASE_OUTAGE

RETRY = {**RETRY_ON_DATABASE_OUTAGE, "autoretry_for": (GatewayUnavailable, *DATABASE_OUTAGE)}


@shared_task(name="investors.check_identity", **RETRY_ON_DATABASE_OUTAGE)
def check_identity(kyc_id: int) -> None:
    services.kyc_check_identity(kyc_id=kyc_id)


@shared_task(name="investors.process_refund", **RETRY)
def process_refund(refund_id: int) -> None:
    refunds.refund_process(refund_id=refund_id)


@shared_task(name="investors.expire_reservations")
def expire_reservations() -> None:
    subscriptions.reservations_expire()


@shared_task(name="investors.retry_refunds")
def retry_refunds() -> None:
    refunds.refunds_retry_pending()


@shared_task(name="investors.settle_offering", **RETRY)
def settle_offering(offering_id: int) -> None:
    settlement.offering_settle(offering_id=offering_id)


@shared_task(name="investors.settle_closing_offerings")
def settle_closing_offerings() -> None:
    settlement.offerings_settle_closing()


@shared_task(name="investors.reconcile_payments", **RETRY)
def reconcile_payments() -> None:
    reconciliation.payments_reconcile()


@shared_task(name="investors.lapse_reconfirmations")
def lapse_reconfirmations() -> None:
    reconfirmation.reconfirmations_lapse()


@shared_task(name="investors.notify_milestones")
def notify_milestones(offering_id: int) -> None:
    milestones.offering_milestones_announce(offering_id=offering_id)
