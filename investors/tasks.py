from celery import shared_task

from investors import services


@shared_task(name="investors.check_identity")
def check_identity(kyc_id: int) -> None:
    services.kyc_check_identity(kyc_id=kyc_id)
