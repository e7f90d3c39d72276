"""Celery tasks: each loads its objects by id and calls one service, which returns quietly when the work is done
already, so a redelivered or retried task is harmless. Tasks are leaves: each imports its service in its body, so the
services that send tasks can import this module without a cycle."""

from celery import shared_task

from crowdfund.celery import DATABASE_OUTAGE, RETRY_ON_DATABASE_OUTAGE
from investors.subscriptions.gateway import GatewayUnavailable

RETRY = {**RETRY_ON_DATABASE_OUTAGE, "autoretry_for": (GatewayUnavailable, *DATABASE_OUTAGE)}


@shared_task(name="investors.check_identity", **RETRY_ON_DATABASE_OUTAGE)
def check_identity(kyc_id: int) -> None:
    from investors.kyc import services

    services.kyc_check_identity(kyc_id=kyc_id)


@shared_task(name="investors.process_refund", **RETRY)
def process_refund(refund_id: int) -> None:
    from investors.subscriptions import refunds

    refunds.refund_process(refund_id=refund_id)


@shared_task(name="investors.expire_reservations")
def expire_reservations() -> None:
    from investors.subscriptions import services as subscriptions

    subscriptions.reservations_expire()


@shared_task(name="investors.retry_refunds")
def retry_refunds() -> None:
    from investors.subscriptions import refunds

    refunds.refunds_retry_pending()


@shared_task(name="investors.settle_offering", **RETRY)
def settle_offering(offering_id: int) -> None:
    from investors.subscriptions import settlement

    settlement.offering_settle(offering_id=offering_id)


@shared_task(name="investors.settle_closing_offerings")
def settle_closing_offerings() -> None:
    from investors.subscriptions import settlement

    settlement.offerings_settle_closing()


@shared_task(name="investors.reconcile_payments", **RETRY)
def reconcile_payments() -> None:
    from investors.subscriptions import reconciliation

    reconciliation.payments_reconcile()


@shared_task(name="investors.lapse_reconfirmations")
def lapse_reconfirmations() -> None:
    from investors.subscriptions import reconfirmation

    reconfirmation.reconfirmations_lapse()


@shared_task(name="investors.notify_milestones")
def notify_milestones(offering_id: int) -> None:
    from investors.subscriptions import milestones

    milestones.offering_milestones_announce(offering_id=offering_id)
